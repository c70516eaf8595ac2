import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type AnvilInstance, startAnvil } from './anvil.ts';
import { fundAccount, getChainId, mine, rpcCall, setAutomine, setIntervalMining } from './rpc.ts';

const started: AnvilInstance[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((anvil) => anvil.stop()));
});

async function start(options: Parameters<typeof startAnvil>[0]): Promise<AnvilInstance> {
  const anvil = await startAnvil(options);
  started.push(anvil);
  return anvil;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A killed child whose parent is gone may linger as a zombie until init reaps it.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

const waitUntil = async (check: () => boolean, ms = 5000): Promise<boolean> => {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check();
};

/** Runs fixtures/parent.ts in its own node process; resolves with anvil's pid and the child. */
function runParent(mode: 'end' | 'throw' | 'wait') {
  const tsx = createRequire(import.meta.url).resolve('tsx');
  const fixture = fileURLToPath(new URL('./fixtures/parent.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', tsx, fixture, mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding('utf8');
    child.stdout.once('data', (text: string) => resolve(Number(text.trim())));
    child.once('exit', (code) => reject(new Error(`parent exited first (${code})`)));
  });
  return { child, pid };
}

const blockNumber = async (rpcUrl: string): Promise<number> =>
  Number(await rpcCall<string>(rpcUrl, 'eth_blockNumber'));

describe('startAnvil', () => {
  it('runs two chains at once on their own free ports, and stop() kills them', async () => {
    const [andromeda, hyperion] = await Promise.all([
      start({ chainId: 1088, hardfork: 'shanghai' }),
      start({ chainId: 133717, hardfork: 'cancun' }),
    ]);
    expect(andromeda.port).not.toBe(hyperion.port);
    expect(andromeda.rpcUrl).toBe(`http://127.0.0.1:${andromeda.port}`);
    expect(await getChainId(andromeda.rpcUrl)).toBe(1088);
    expect(await getChainId(hyperion.rpcUrl)).toBe(133717);
    expect(andromeda.chainId).toBe(1088);

    const pids = [andromeda.process.pid as number, hyperion.process.pid as number];
    expect(pids.every(isAlive)).toBe(true);
    await Promise.all([andromeda.stop(), hyperion.stop(), andromeda.stop()]);
    expect(pids.some(isAlive)).toBe(false);
    expect(andromeda.process.exitCode ?? andromeda.process.signalCode).not.toBeNull();
    await expect(getChainId(andromeda.rpcUrl)).rejects.toThrow();
  });

  it('rejects with anvil’s own words when it exits early', async () => {
    const first = await start({ chainId: 31337 });
    await expect(startAnvil({ chainId: 31337, port: first.port })).rejects.toThrow(
      /anvil exited before it was ready \(code \d+\): .*(in use|Address)/i,
    );
  });

  it('rejects incompatible options before spawning', async () => {
    await expect(startAnvil({ chainId: 1, blockTimeSec: 1, noMining: true })).rejects.toThrow(
      'cannot be combined with noMining',
    );
    await expect(startAnvil({ chainId: 0 })).rejects.toThrow('chainId must be > 0');
  });

  it('rejects when the binary cannot be spawned', async () => {
    await expect(startAnvil({ chainId: 1, binaryPath: '/nonexistent/anvil' })).rejects.toThrow(
      /anvil could not be started: .*ENOENT/,
    );
  });
});

describe('no orphaned anvil', () => {
  it.each(['end', 'throw'] as const)('parent ends (%s): anvil is killed', async (mode) => {
    const { child, pid } = runParent(mode);
    const anvilPid = await pid;
    await new Promise((resolve) => child.once('exit', resolve));
    expect(await waitUntil(() => !isAlive(anvilPid))).toBe(true);
  });

  it('parent gets SIGTERM: anvil is killed', async () => {
    const { child, pid } = runParent('wait');
    const anvilPid = await pid;
    expect(isAlive(anvilPid)).toBe(true);
    const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGTERM');
    expect(await exited).toBe('SIGTERM');
    expect(await waitUntil(() => !isAlive(anvilPid))).toBe(true);
  });
});

describe('dev chain helpers', () => {
  it('funds accounts and mines on demand', async () => {
    const anvil = await start({ chainId: 59902, noMining: true, balanceEth: 1 });
    const address = '0x000000000000000000000000000000000000dEaD';
    await fundAccount(anvil.rpcUrl, address, 123n * 10n ** 18n);
    const balance = await rpcCall<string>(anvil.rpcUrl, 'eth_getBalance', [address, 'latest']);
    expect(BigInt(balance)).toBe(123n * 10n ** 18n);

    expect(await blockNumber(anvil.rpcUrl)).toBe(0);
    await mine(anvil.rpcUrl);
    await mine(anvil.rpcUrl, 4);
    expect(await blockNumber(anvil.rpcUrl)).toBe(5);
  });

  it('switches automine and interval mining', async () => {
    const anvil = await start({ chainId: 1088 });
    await setAutomine(anvil.rpcUrl, false);
    expect(await rpcCall(anvil.rpcUrl, 'anvil_getAutomine')).toBe(false);
    await setAutomine(anvil.rpcUrl, true);
    expect(await rpcCall(anvil.rpcUrl, 'anvil_getAutomine')).toBe(true);

    await setIntervalMining(anvil.rpcUrl, 1);
    const before = await blockNumber(anvil.rpcUrl);
    await new Promise((resolve) => setTimeout(resolve, 2200));
    expect(await blockNumber(anvil.rpcUrl)).toBeGreaterThan(before);
    await setIntervalMining(anvil.rpcUrl, 0);
  });

  it('supports fractional block times', async () => {
    const anvil = await start({ chainId: 133717, blockTimeSec: 0.2 });
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(await blockNumber(anvil.rpcUrl)).toBeGreaterThanOrEqual(2);
  });
});
