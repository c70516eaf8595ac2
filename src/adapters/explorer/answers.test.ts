import { describe, expect, it } from 'vitest';
import {
  answerFromEnvelope,
  classifyText,
  envelopeText,
  KNOWN_ANSWERS,
  parseRetryAfter,
  transientHttpAnswer,
} from './answers.ts';

const GUID = 'ezq878u486pzijkvvmerl6a9mzwhv6sefgvqi5tkwceejc7tvn';

describe('classifyText: every answer documented in CHAINS.md and the [verify] issue', () => {
  // [text, kind, alreadyVerified?] — the rule that decides is the first that matches.
  const cases: Array<[string, string, boolean?]> = [
    ['Pass - Verified', 'verified', false],
    ['Smart-contract already verified.', 'verified', true],
    ['Already Verified', 'verified', true],
    ['Contract source code already verified', 'verified', true],
    ['Already verified', 'verified', true],
    ['Pending in queue', 'pending'],
    ['In progress', 'pending'],
    ['Smart-contract verification started', 'pending'],
    ['Verification started', 'pending'],
    ['Address is not a smart-contract', 'retry_later'],
    ['Address is not smart-contract', 'retry_later'],
    ['Unable to locate ContractCode at 0x5FbDB2315678afecb367f032d93F642f64180aa3', 'retry_later'],
    ['Max rate limit reached', 'retry_later'],
    ['Max rate limit reached, please use API Key for higher rate limit', 'retry_later'],
    ['Max calls per sec rate limit reached (2/sec)', 'retry_later'],
    ['Too Many Requests', 'retry_later'],
    ['Unknown UID', 'retry_later'],
    ['Fail - Unable to verify', 'failed'],
    [
      'Fail - Unable to verify. Compiled contract deployment bytecode does NOT match the transaction deployment bytecode.',
      'failed',
    ],
    ['Bytecode does not match', 'failed'],
    [
      'Invalid constructor arguments provided. Please verify that they are in ABI-encoded format',
      'failed',
    ],
    ['Invalid compiler version', 'failed'],
    ['Compiler version v0.8.99+commit.00000000 is not available', 'failed'],
    ['Invalid API Key', 'failed'],
    ['Missing/Invalid API Key', 'failed'],
    ['Query Timeout occured. Please select a smaller result dataset', 'retry_later'],
    ['Service Unavailable', 'retry_later'],
  ];

  it.each(cases)('%s → %s', (text, kind, alreadyVerified) => {
    const rule = classifyText(text);
    expect(rule?.kind).toBe(kind);
    if (alreadyVerified !== undefined) expect(rule?.alreadyVerified === true).toBe(alreadyVerified);
  });

  it('a terminal Fail - text stays terminal whatever its detail says', () => {
    expect(classifyText('Fail - Unable to verify. Please try again later')?.id).toBe('fail');
    expect(classifyText('Fail - Unable to verify. Max rate limit reached')?.kind).toBe('failed');
  });

  it('leaves unknown texts unclassified (they become failed with the text)', () => {
    expect(classifyText('Something odd happened')).toBeUndefined();
    expect(
      answerFromEnvelope(
        { status: '0', message: 'NOTOK', result: 'Something odd' },
        { phase: 'submit' },
      ),
    ).toEqual({ kind: 'failed', message: 'Something odd' });
  });

  it('every rule has a unique id and a note', () => {
    const ids = KNOWN_ANSWERS.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of KNOWN_ANSWERS) expect(rule.note.length).toBeGreaterThan(10);
  });
});

describe('answerFromEnvelope reads both message and result', () => {
  it('an accepted submission is pending on its guid', () => {
    expect(
      answerFromEnvelope({ status: '1', message: 'OK', result: GUID }, { phase: 'submit' }),
    ).toEqual({
      kind: 'pending',
      reference: GUID,
      message: `Submitted for verification (guid ${GUID})`,
    });
  });

  it('Blockscout: the error in message, result null', () => {
    const answer = answerFromEnvelope(
      { status: '0', message: 'Address is not a smart-contract', result: null },
      { phase: 'submit' },
    );
    expect(answer).toEqual({ kind: 'retry_later', message: 'Address is not a smart-contract' });
  });

  it('Blockscout: already verified, said twice, read once', () => {
    const envelope = {
      status: '0',
      message: 'Smart-contract already verified.',
      result: 'Smart-contract already verified',
    };
    expect(envelopeText(envelope)).toBe('Smart-contract already verified.');
    expect(answerFromEnvelope(envelope, { phase: 'submit' })).toEqual({
      kind: 'verified',
      alreadyVerified: true,
      message: 'Smart-contract already verified.',
    });
  });

  it('Etherscan: NOTOK with the error in result', () => {
    const answer = answerFromEnvelope(
      { status: '0', message: 'NOTOK', result: 'Max rate limit reached' },
      { phase: 'submit' },
    );
    expect(answer).toEqual({ kind: 'retry_later', message: 'Max rate limit reached' });
  });

  it('Blockscout answers checkverifystatus with status 1 for every state: the text decides', () => {
    const check = (result: string) =>
      answerFromEnvelope(
        { status: '1', message: 'OK', result },
        { phase: 'check', reference: GUID },
      );
    expect(check('Pending in queue')).toEqual({
      kind: 'pending',
      reference: GUID,
      message: 'Pending in queue',
    });
    expect(check('Fail - Unable to verify')).toEqual({
      kind: 'failed',
      message: 'Fail - Unable to verify',
    });
    expect(check('Pass - Verified')).toEqual({
      kind: 'verified',
      alreadyVerified: false,
      message: 'Pass - Verified',
    });
    expect(check('Unknown UID').kind).toBe('retry_later');
  });

  it('Etherscan answers pending with status 0 NOTOK: still pending', () => {
    const answer = answerFromEnvelope(
      { status: '0', message: 'NOTOK', result: 'Pending in queue' },
      { phase: 'check', reference: GUID },
    );
    expect(answer).toEqual({ kind: 'pending', reference: GUID, message: 'Pending in queue' });
  });

  it('a submission answered "pending" without a guid cannot be polled: retry later', () => {
    const answer = answerFromEnvelope(
      { status: '0', message: 'NOTOK', result: 'Pending in queue' },
      { phase: 'submit' },
    );
    expect(answer.kind).toBe('retry_later');
  });

  it('an empty answer fails with a readable message', () => {
    expect(answerFromEnvelope({}, { phase: 'check', reference: GUID })).toEqual({
      kind: 'failed',
      message: 'an empty answer (status missing)',
    });
  });
});

describe('HTTP-level answers', () => {
  it('429 and 5xx are retry_later, with Retry-After when given', () => {
    expect(transientHttpAnswer(429, '{"message":"Too Many Requests"}', 2000)).toEqual({
      kind: 'retry_later',
      message: 'Explorer rate limited (HTTP 429): Too Many Requests',
      retryAfterMs: 2000,
    });
    expect(transientHttpAnswer(502, '<html><body>502 Bad Gateway</body></html>')).toEqual({
      kind: 'retry_later',
      message: 'Explorer unavailable (HTTP 502): 502 Bad Gateway',
    });
    expect(transientHttpAnswer(404, 'Not found')).toBeUndefined();
    expect(transientHttpAnswer(200, '{}')).toBeUndefined();
  });

  it('parseRetryAfter reads seconds and HTTP dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
