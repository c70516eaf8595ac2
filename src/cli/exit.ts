import { CommanderError } from 'commander';
import { isHyperdeployError } from '../core/errors.ts';

/** Exit codes: 0 complete, 1 a deployment failed, 2 usage or configuration error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Prints an error a person can act on and returns the exit code. Never prints a stack for known errors. */
export function reportError(error: unknown, json: boolean): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (isHyperdeployError(error)) {
    if (json) {
      const body = {
        error: {
          code: error.code,
          message: error.message,
          hint: error.hint,
          ...(error.details ? { details: error.details } : {}),
        },
      };
      process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    } else {
      process.stderr.write(`error ${error.code}: ${error.message}\n  hint: ${error.hint}\n`);
    }
    return error.code === 'DEPLOYMENT_NOT_FOUND' ||
      error.step === 'input' ||
      error.step === 'config' ||
      !error.step
      ? EXIT.usage
      : EXIT.failed;
  }
  process.stderr.write(
    `unexpected error: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  return EXIT.failed;
}
