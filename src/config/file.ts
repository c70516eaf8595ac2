import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { configError, issuesError } from './issues.ts';
import { type ConfigFile, configFileSchema } from './schema.ts';

export const DEFAULT_CONFIG_FILE = 'hyperdeploy.config.json';

export interface LoadedFile {
  config: ConfigFile;
  /** Absolute path of the file read; undefined when the default file does not exist. */
  file: string | undefined;
}

/** Reads and validates the config file. A missing default file is an empty config. */
export function readConfigFile(cwd: string, configPath?: string): LoadedFile {
  const explicit = configPath !== undefined;
  const file = path.resolve(cwd, configPath ?? DEFAULT_CONFIG_FILE);
  const label = explicit ? (configPath as string) : DEFAULT_CONFIG_FILE;
  if (!existsSync(file)) {
    if (!explicit) return { config: configFileSchema.parse({}), file: undefined };
    throw configError(
      '--config',
      `file not found: ${label}`,
      `Check the path, or omit --config to use ./${DEFAULT_CONFIG_FILE} if it exists.`,
    );
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw configError(
      label,
      `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      'Check that the path names a readable file.',
    );
  }
  const raw = parseJson(text.replace(/^\uFEFF/, ''), label);
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) throw issuesError(label, parsed.error.issues);
  return { config: parsed.data, file };
}

function parseJson(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw configError(label, `not valid JSON (${jsonProblem(text, error)})`, JSON_HINT);
  }
}

const JSON_HINT =
  'Fix the JSON syntax (double-quoted keys and strings, no trailing commas, no comments).';

/** V8's message may quote the file's text, which may hold a key: keep only reason and place. */
function jsonProblem(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const reason = message.replace(/,?\s*".*$/s, '').replace(/\s+in JSON at position \d+.*$/s, '');
  const position = /at position (\d+)/.exec(message)?.[1];
  if (position === undefined) return reason;
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  const column = Number(position) - before.lastIndexOf('\n');
  return `${reason} at line ${line} column ${column}`;
}
