/** Replaces every known secret in a text. Secrets are exact strings (keys, tokens, RPC URLs). */
export type Redactor = (text: string) => string;

export interface SecretSpec {
  /** Exact secret values: private keys, API tokens. */
  values: string[];
  /** RPC and explorer URLs: replaced by their display form wherever they appear. */
  urls: Array<{ url: string; display: string }>;
}

export function createRedactor(secrets: SecretSpec): Redactor {
  const pairs: Array<[string, string]> = [];
  for (const value of secrets.values) {
    if (value.length < 8) continue; // too short to be a secret worth matching; avoids mangling
    pairs.push([value, '[redacted]']);
    if (value.startsWith('0x')) pairs.push([value.slice(2), '[redacted]']);
  }
  for (const { url, display } of secrets.urls) {
    if (url !== display) pairs.push([url, display], [url.replace(/\/$/, ''), display]);
  }
  // Longest first, so a URL is replaced whole before any secret inside it.
  pairs.sort((a, b) => b[0].length - a[0].length);
  return (text) => pairs.reduce((out, [secret, shown]) => out.split(secret).join(shown), text);
}
