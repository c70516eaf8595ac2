import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Hex } from 'viem';
import { type Answer, answerCall, type CallContext } from './calls.ts';
import { dropFromPool } from './drop.ts';
import {
  decide,
  errorBody,
  type Forced,
  type HttpAnswer,
  http5xx,
  http429,
  type JsonRpcCall,
  MAY_LOSE_RESPONSE,
  rpcErrorOf,
} from './faults.ts';
import { HeldPool, type RawTx } from './held.ts';
import { streamRng } from './prng.ts';
import { type FaultKind, type ProfileName, type ProfileSpec, resolveProfile } from './profiles.ts';
import { type Control, type ReorgResult, ReorgScheduler, reorgNow } from './reorg.ts';
import type { ChaosProxy, ChaosProxyOptions, FaultEvent } from './types.ts';

const MAX_EVENTS = 10_000;
const MAX_RAWS = 10_000;
const FAILURES = new Set<string>(['timeout', 'reset', 'http429', 'http502', 'http503', 'rpcError']);

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, a: HttpAnswer): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(a.status, a.headers).end(a.body);
}

const json = (body: string): HttpAnswer => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body,
});

export async function startChaosProxy(options: ChaosProxyOptions): Promise<ChaosProxy> {
  const { target, seed, dropDelayMs = 0 } = options;
  const rng = streamRng(seed, 'requests');
  const reorgRng = streamRng(seed, 'reorgs');
  let profile = resolveProfile(options.profile ?? 'none');
  let predicate: ((tx: RawTx) => boolean) | null = null;
  let seq = 0;
  let stopped = false;
  let scheduler: ReorgScheduler | undefined;
  const counters = new Map<string, number>();
  const log: FaultEvent[] = [];
  const forced = new Map<string, FaultKind[]>();
  const rejects: string[] = [];
  const pool = new HeldPool();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const background = new Set<Promise<unknown>>();

  const count = (key: string): void => {
    counters.set(key, (counters.get(key) ?? 0) + 1);
  };
  const record = (fault: FaultEvent['fault'], methods: string[]): void => {
    count(fault);
    if (FAILURES.has(fault)) count('failures');
    if (fault !== 'lostResponse') for (const m of new Set(methods)) count(`faults.${m}`);
    log.push({ seq, methods, fault });
    if (log.length > MAX_EVENTS) log.shift();
  };
  const track = <T>(p: Promise<T>): Promise<T> => {
    background.add(p);
    p.finally(() => background.delete(p)).catch(() => {});
    return p;
  };

  let controlId = 0;
  const post = async (body: string): Promise<Response> =>
    fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(30_000),
    });
  const control: Control = async <T>(method: string, params: unknown[] = []): Promise<T> => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: `chaos-${++controlId}`, method, params });
    const answer = (await (await post(body)).json()) as { result?: T; error?: { message: string } };
    if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
    return answer.result as T;
  };

  const raws = new Map<Hex, Hex>();
  const dropTx = async (hash: Hex): Promise<boolean> => {
    const result = await dropFromPool(control, hash, (h) => raws.get(h)).catch(() => null);
    if (result?.dropped) record('drop', ['eth_sendRawTransaction']);
    else count('dropMissed');
    for (let i = 0; i < (result?.lost ?? 0); i++) count('dropCollateral');
    return result?.dropped ?? false;
  };

  const ctx: CallContext = {
    control,
    forward: async (call) => (await (await post(JSON.stringify(call))).json()) as Answer,
    pool,
    predicate: () => predicate,
    takeReject: () => rejects.shift() ?? null,
    count,
    record,
    remember: (hash, raw) => {
      raws.set(hash, raw);
      if (raws.size > MAX_RAWS) raws.delete(raws.keys().next().value as Hex);
    },
    scheduleDrop: async (hash) => {
      const run = async () => {
        if (dropDelayMs > 0) await sleep(dropDelayMs);
        if (!stopped) await dropTx(hash);
      };
      const p = track(run());
      if (dropDelayMs === 0) await p;
    },
  };

  const failNext = (method: string, fault: FaultKind, times = 1): void => {
    const queue = forced.get(method) ?? [];
    for (let i = 0; i < times; i++) queue.push(fault);
    forced.set(method, queue);
  };
  const takeForced = (methods: string[]): Forced => {
    for (const m of [...methods, '*']) {
      const queue = forced.get(m);
      const fault = queue?.shift();
      if (fault) return fault;
    }
    return null;
  };

  const answerAll = async (calls: JsonRpcCall[], batch: boolean, drop: boolean) => {
    const answers = await Promise.all(calls.map((c) => answerCall(ctx, c, drop)));
    return JSON.stringify(batch ? answers : answers[0]);
  };

  const fail = (
    kind: FaultKind,
    res: ServerResponse,
    calls: JsonRpcCall[],
    batch: boolean,
    variant: number,
  ) => {
    switch (kind) {
      case 'reset':
        res.socket?.resetAndDestroy();
        return;
      case 'timeout': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          send(res, http5xx(504));
        }, profile.timeoutDelayMs);
        timers.add(timer);
        res.on('close', () => {
          clearTimeout(timer);
          timers.delete(timer);
        });
        return;
      }
      case 'http429':
        return send(res, http429(calls));
      case 'http502':
        return send(res, http5xx(502));
      case 'http503':
        return send(res, http5xx(503));
      default:
        return send(res, json(errorBody(calls, batch, rpcErrorOf(variant))));
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      const upstream = await post(body);
      return send(res, { ...json(await upstream.text()), status: upstream.status });
    }
    seq++;
    const batch = Array.isArray(parsed);
    const calls = (batch ? parsed : [parsed]) as JsonRpcCall[];
    const methods = calls.map((c) => String(c?.method));
    count('requests');
    for (const m of methods) {
      count('calls');
      count(`requests.${m}`);
    }
    const d = decide(rng, profile, methods, takeForced(methods));
    if (d.failure) {
      record(d.failure, methods);
      if (d.lostResponse && MAY_LOSE_RESPONSE.has(d.failure)) {
        record('lostResponse', methods);
        await answerAll(calls, batch, false).catch(() => {});
      }
      return fail(d.failure, res, calls, batch, d.rpcErrorVariant);
    }
    const answer = await answerAll(calls, batch, d.drop);
    if (d.delayMs > 0) {
      record('delay', methods);
      await sleep(d.delayMs);
    }
    send(res, json(answer));
  };

  const server = createServer((req, res) => {
    if (req.method !== 'POST') return send(res, { status: 405, headers: {}, body: '' });
    handle(req, res).catch((error: unknown) => {
      if (stopped) return void res.destroy();
      send(res, { ...http5xx(502), body: `proxy: ${String(error)}` });
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const onReorg = (result: ReorgResult | null, error?: unknown) => {
    if (error) count('reorgError');
    else if (result) record('reorg', []);
  };
  const setProfile = (p: ProfileName | ProfileSpec): void => {
    profile = resolveProfile(p);
    const old = scheduler;
    scheduler = undefined;
    if (old) track(old.stop());
    if (profile.reorg && !stopped) {
      scheduler = new ReorgScheduler(control, profile.reorg, reorgRng, onReorg);
      scheduler.start();
    }
  };
  setProfile(options.profile ?? 'none');

  const releaseHeld = async (): Promise<Hex[]> => {
    const hashes: Hex[] = [];
    for (const tx of pool.drain()) {
      try {
        hashes.push(await control<Hex>('eth_sendRawTransaction', [tx.raw]));
        count('released');
      } catch {
        count('releaseRejected'); // e.g. its nonce was used meanwhile
      }
    }
    return hashes;
  };
  const holdTransactions = (p: ((tx: RawTx) => boolean) | null) => {
    predicate = p;
  };

  return {
    url,
    async stop() {
      if (stopped) return;
      stopped = true;
      await scheduler?.stop();
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...background]);
    },
    stats: () => Object.fromEntries([...counters].sort(([a], [b]) => a.localeCompare(b))),
    events: () => log.map((e) => ({ ...e, methods: [...e.methods] })),
    setProfile,
    failNext,
    holdTransactions,
    hold: holdTransactions,
    releaseHeld,
    release: releaseHeld,
    held: () => pool.list(),
    dropAfterAccept: (times = 1) => failNext('eth_sendRawTransaction', 'drop', times),
    drop: dropTx,
    rejectSend(message, times = 1) {
      for (let i = 0; i < times; i++) rejects.push(message);
    },
    reorg: async (depth = 1) => {
      const result = await reorgNow(control, depth);
      if (result) record('reorg', []);
      return result;
    },
  };
}
