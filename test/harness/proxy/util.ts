import { type Hex, parseGwei } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { fundAccount } from '../../../src/devchain/index.ts';

let id = 1;

/** A raw JSON-RPC POST (no retries, no client logic): what the proxy answers is what we see. */
export function post(url: string, body: unknown, timeoutMs = 2_000): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
}

export const call = (method: string, params: unknown[] = []) => ({
  jsonrpc: '2.0',
  id: id++,
  method,
  params,
});

export async function rpc<T = unknown>(
  url: string,
  method: string,
  params: unknown[] = [],
  timeoutMs = 2_000,
): Promise<{ result?: T; error?: { code: number; message: string } }> {
  return (await post(url, call(method, params), timeoutMs)).json() as Promise<{
    result?: T;
    error?: { code: number; message: string };
  }>;
}

/** A fresh funded key and a signer of simple value transfers to itself. */
export async function signer(anvilUrl: string, chainId: number) {
  const account = privateKeyToAccount(generatePrivateKey());
  await fundAccount(anvilUrl, account.address, 10n ** 19n);
  const sign = (nonce: number, gasPriceGwei = '2'): Promise<Hex> =>
    account.signTransaction({
      chainId,
      nonce,
      to: account.address,
      value: 1n,
      gas: 21_000n,
      gasPrice: parseGwei(gasPriceGwei),
    });
  return { account, sign };
}

/** Runs `n` tasks with at most `width` in flight. */
export async function pool<T>(n: number, width: number, task: (i: number) => Promise<T>) {
  const out: T[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) out[i] = await task(i);
  };
  await Promise.all(Array.from({ length: width }, worker));
  return out;
}
