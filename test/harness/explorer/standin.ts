import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StandInCompiler } from './compiler.ts';
import { handleApi, type Reply, type StandInFlavor } from './etherscan-api.ts';
import {
  FaultQueue,
  type FaultSpec,
  faultReply,
  jsonReply,
  RateLimiter,
  type RateLimitStyle,
  rateLimitedReply,
  type StandInFault,
} from './faults.ts';
import { StandInState, type VerifiedContract } from './state.ts';
import { handleV2, v2Route } from './v2-api.ts';

export type { StandInFlavor } from './etherscan-api.ts';
export type { FaultSpec, RateLimitStyle, StandInFault } from './faults.ts';
export type { VerifiedContract } from './state.ts';

export interface ExplorerStandInOptions {
  /** The anvil the contracts are deployed on: code, creation transactions. */
  rpcUrl: string;
  /**
   * An address counts as indexed this long after the stand-in's indexer saw its creation (it
   * follows the chain's blocks), or after the first request that found its code (default 0).
   */
  indexingDelayMs?: number;
  /** The first K verification submissions of each address answer "not indexed" (default 0). */
  notIndexedAttempts?: number;
  /** Polls answered "Pending in queue" (or `is_verified: false`) before the result (default 1). */
  pendingPolls?: number;
  /** Requests per second over all routes; beyond it, the rate-limit answer. */
  rateLimit?: { perSecond: number };
  /** `etherscan` (default): HTTP 200 `Max rate limit reached` on `/api`; `http429`: HTTP 429. */
  rateLimitStyle?: RateLimitStyle;
  /** Retry-After of 429 answers, in seconds (default 1). */
  retryAfterSeconds?: number;
  /** How `/api` words its envelopes (default `blockscout`; see etherscan-api.ts). */
  flavor?: StandInFlavor;
  /** Faults for the first requests (see `failNext`). */
  failNext?: FaultSpec[];
  /** How long a `timeout` fault holds the request (default: until stop). */
  hangMs?: number;
  /** Error texts repeat the request, apikey included, as some explorers do (default false). */
  echoRequestInErrors?: boolean;
  /** 0 (default): a free port. */
  port?: number;
  /** Load solc in its worker at start, not at the first submission (default true). */
  warmCompiler?: boolean;
}

/** One request as the stand-in saw it. */
export interface StandInRequest {
  at: number;
  method: string;
  /** Path without the query. */
  path: string;
  /** `getsourcecode`, `verifysourcecode`, `checkverifystatus`, `v2.smart-contract`, `v2.verify`, … */
  route: string;
  /** Query and form fields (uploaded files left out), apikey included. */
  params: Record<string, string>;
  /** What it answered; null when a `timeout` or `reset` fault left it unanswered. */
  answer: { status: number; body: string } | null;
  /** The fault injected into this request, if any. */
  fault?: StandInFault;
}

export interface ExplorerStandIn {
  /** The Etherscan-compatible endpoint, `http://127.0.0.1:port/api`. */
  apiUrl: string;
  /** The instance root (v2 REST and the address pages), `http://127.0.0.1:port`. */
  baseUrl: string;
  /** Closes the server (open requests are cut), stops the compiler. */
  stop(): Promise<void>;
  /** Every request so far, oldest first. */
  requests(): StandInRequest[];
  /** Verified contracts by lower-case address. */
  verified(): Map<string, VerifiedContract>;
  setIndexingDelay(ms: number): void;
  /** Queues a fault for the next request(s). */
  failNext(fault: StandInFault | FaultSpec, times?: number): void;
  setRateLimit(limit: { perSecond: number } | undefined): void;
  /** Holds an address as verified without any submission (to test "already verified"). */
  markVerified(address: string, contractName?: string): void;
}

/** What one request handler needs; built once per stand-in. */
interface Context {
  options: ExplorerStandInOptions;
  state: StandInState;
  compiler: StandInCompiler;
  flavor: StandInFlavor;
  faults: FaultQueue;
  limiter: RateLimiter;
  log: StandInRequest[];
  hangs: Set<NodeJS.Timeout>;
}

/**
 * A local explorer that behaves like the ones in CHAINS.md ("Verification APIs"): Blockscout's
 * (or Etherscan's) `/api` with HTTP-200 errors, guid polling and slow indexing, and Blockscout's
 * v2 REST routes. Verification is real: the submitted input is recompiled and compared with
 * the code on the anvil chain.
 */
export async function startExplorerStandIn(
  options: ExplorerStandInOptions,
): Promise<ExplorerStandIn> {
  const compiler = new StandInCompiler();
  // Loading soljson takes seconds: start now, in parallel with the test's deployments.
  if (options.warmCompiler !== false) void compiler.version();
  const state = new StandInState({
    rpcUrl: options.rpcUrl,
    compiler,
    indexingDelayMs: options.indexingDelayMs ?? 0,
    notIndexedAttempts: options.notIndexedAttempts ?? 0,
    pendingPolls: options.pendingPolls ?? 1,
  });
  state.startIndexer();
  const ctx: Context = {
    options,
    state,
    compiler,
    flavor: options.flavor ?? 'blockscout',
    faults: new FaultQueue(),
    limiter: new RateLimiter(options.rateLimit),
    log: [],
    hangs: new Set(),
  };
  for (const spec of options.failNext ?? []) ctx.faults.push(spec);

  const server = createServer((req, res) => {
    handleRequest(req, res, ctx).catch(() => {
      if (!res.headersSent && !res.destroyed) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;

  return {
    apiUrl: `${baseUrl}/api`,
    baseUrl,
    async stop() {
      state.stopIndexer();
      for (const timer of ctx.hangs) clearTimeout(timer);
      ctx.hangs.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await compiler.close();
    },
    requests: () => [...ctx.log],
    verified: () => new Map(state.verified),
    setIndexingDelay(ms) {
      state.indexingDelayMs = ms;
    },
    failNext(fault, times) {
      ctx.faults.push(
        typeof fault === 'string' ? { fault, ...(times !== undefined ? { times } : {}) } : fault,
      );
    },
    setRateLimit(limit) {
      ctx.limiter.set(limit);
    },
    markVerified(address, contractName = 'Contract') {
      const key = address.toLowerCase();
      state.verified.set(key, {
        address: key,
        contractName,
        compilerVersion: '',
        sourceCode: '{}',
        constructorArgs: '',
        abi: [],
        match: 'marked',
        creationChecked: false,
        via: 'marked',
        verifiedAt: Date.now(),
      });
    },
  };
}

/** Logs the request, injects a queued fault or the rate limit, else routes it. */
async function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: Context,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://stand-in');
  const method = req.method ?? 'GET';
  const form = await parseForm(req.headers['content-type'], await readBody(req));
  const params: Record<string, string> = Object.fromEntries(url.searchParams);
  for (const [name, value] of form?.entries() ?? []) {
    if (typeof value === 'string') params[name] = value;
  }
  const isV2 = url.pathname.startsWith('/api/v2/');
  const isApi = url.pathname.replace(/\/+$/, '') === '/api';
  const route = isV2 ? v2Route(method, url.pathname) : isApi ? params.action : undefined;
  const entry: StandInRequest = {
    at: Date.now(),
    method,
    path: url.pathname,
    route: route ?? 'unknown',
    params,
    answer: null,
  };
  ctx.log.push(entry);

  const fault = ctx.faults.take(isV2);
  if (fault) entry.fault = fault;
  if (fault === 'reset') {
    req.socket.destroy();
    return;
  }
  if (fault === 'timeout') {
    hang(req, ctx);
    return;
  }
  const { options } = ctx;
  const style = options.rateLimitStyle ?? 'etherscan';
  const retryAfter = String(options.retryAfterSeconds ?? 1);
  const echo = (text: string): string => {
    if (!options.echoRequestInErrors) return text;
    const key = params.apikey && !url.search.includes('apikey') ? `&apikey=${params.apikey}` : '';
    return `${text} (request ${url.pathname}${url.search}${key})`;
  };
  let reply: Reply;
  try {
    if (fault) reply = faultReply(fault, isV2, style, retryAfter) ?? jsonReply({}, 500);
    else if (!ctx.limiter.allow(Date.now())) reply = rateLimitedReply(isV2, style, retryAfter);
    else if (isV2) {
      const compilerVersion = () => ctx.compiler.version();
      reply = await handleV2(method, url.pathname, form, { state: ctx.state, compilerVersion });
    } else if (isApi)
      reply = await handleApi(params, { state: ctx.state, flavor: ctx.flavor, echo });
    else reply = jsonReply({ message: 'Not found' }, 404);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    reply = jsonReply({ message: `Internal server error: ${detail}` }, 500);
  }
  entry.answer = { status: reply.status, body: reply.body };
  if (!res.destroyed) res.writeHead(reply.status, reply.headers ?? {}).end(reply.body);
}

/** A `timeout` fault: no answer; the socket is closed after `hangMs`, or at stop. */
function hang(req: IncomingMessage, ctx: Context): void {
  if (ctx.options.hangMs === undefined) return;
  const timer = setTimeout(() => {
    ctx.hangs.delete(timer);
    req.socket.destroy();
  }, ctx.options.hangMs);
  ctx.hangs.add(timer);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** urlencoded and multipart bodies, parsed by undici's own FormData parser. */
async function parseForm(
  contentType: string | undefined,
  body: Buffer,
): Promise<FormData | undefined> {
  if (!contentType || body.length === 0) return undefined;
  if (!/^(?:application\/x-www-form-urlencoded|multipart\/form-data)/i.test(contentType))
    return undefined;
  try {
    return await new Response(new Uint8Array(body), {
      headers: { 'content-type': contentType },
    }).formData();
  } catch {
    return undefined;
  }
}
