import { type Address, numberToHex } from 'viem';

let nextId = 1;

/** One JSON-RPC call with plain fetch: dev-chain helpers need no client or chain object. */
export async function rpcCall<T = unknown>(
  rpcUrl: string,
  method: string,
  params: unknown[] = [],
  timeoutMs = 10_000,
): Promise<T> {
  const response = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`${method}: HTTP ${response.status}`);
  const body = (await response.json()) as { result?: T; error?: { code: number; message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message} (${body.error.code})`);
  return body.result as T;
}

export async function getChainId(rpcUrl: string): Promise<number> {
  return Number(await rpcCall<string>(rpcUrl, 'eth_chainId'));
}

/** Sets the balance (not adds to it). */
export async function fundAccount(rpcUrl: string, address: Address, wei: bigint): Promise<void> {
  await rpcCall(rpcUrl, 'anvil_setBalance', [address, numberToHex(wei)]);
}

export async function setAutomine(rpcUrl: string, enabled: boolean): Promise<void> {
  await rpcCall(rpcUrl, 'evm_setAutomine', [enabled]);
}

export async function mine(rpcUrl: string, blocks = 1): Promise<void> {
  await rpcCall(rpcUrl, 'anvil_mine', [numberToHex(blocks)]);
}

/** 0 turns interval mining off. */
export async function setIntervalMining(rpcUrl: string, seconds: number): Promise<void> {
  await rpcCall(rpcUrl, 'evm_setIntervalMining', [seconds]);
}
