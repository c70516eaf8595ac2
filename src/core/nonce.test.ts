import { expect, it } from 'vitest';
import { pickNonce } from './nonce.ts';

it.each([
  [0, [], 0],
  [3, [], 3],
  [0, [0, 1], 2],
  [5, [5, 6, 8], 7],
  [5, [2, 3], 5], // claims below the pending count are already on chain
  [2, [3, 4], 2], // a freed nonce below other claims is reused: no gap
])('pending %i, claimed %j → %i', (pending, claimed, expected) => {
  expect(pickNonce(pending, claimed)).toBe(expected);
});
