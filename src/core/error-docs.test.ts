import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { renderErrorDocs } from './error-docs.ts';
import { ERROR_CATALOGUE } from './errors.ts';

it('docs/errors.md is generated from the current catalogue (run npm run docs:errors)', () => {
  const docs = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  expect(docs).toBe(renderErrorDocs());
  for (const code of Object.keys(ERROR_CATALOGUE)) expect(docs).toContain(`\`${code}\``);
});
