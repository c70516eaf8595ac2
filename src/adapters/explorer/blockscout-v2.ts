import { redactUrl } from '../../chains/redact-url.ts';
import type { Address } from '../../core/types.ts';
import type { Explorer, ExplorerAnswer, VerificationRequest } from '../../ports/explorer.ts';
import { bodyExcerpt, classifyText, fromRule, transientHttpAnswer } from './answers.ts';
import {
  DEFAULT_EXPLORER_TIMEOUT_MS,
  type ExplorerHttpOptions,
  exchange,
  type HttpOutcome,
  isObject,
  joinUrl,
  secretRedactor,
} from './http.ts';

export interface BlockscoutV2ExplorerParameters extends ExplorerHttpOptions {
  /** The instance's root, e.g. `https://sepolia-explorer.metisdevops.link` (not `/api`). */
  baseUrl: string;
  /** The human-facing explorer for links; default `baseUrl` (Blockscout serves both). */
  browserUrl?: string;
  /** Sent as `apikey` in the query; never shown in any message. */
  apiKey?: string;
}

/**
 * Blockscout's v2 REST verification: multipart upload of the standard JSON input, then poll
 * `GET /api/v2/smart-contracts/{address}` for `is_verified`. The submission has no id: the
 * reference to poll is the address.
 *
 * Limitation of the API, not of this client: a v2 verification that fails is reported only on
 * Blockscout's websocket, so polling sees "not verified yet" for ever. `check` keeps answering
 * `pending`; the caller's time budget ends it (the local proof of source, made before any
 * submission, is what tells a wrong source).
 */
export class BlockscoutV2Explorer implements Explorer {
  readonly #baseUrl: string;
  readonly #browserUrl: string;
  readonly #apiKey: string | undefined;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #redact: (text: string) => string;

  constructor(params: BlockscoutV2ExplorerParameters) {
    this.#baseUrl = params.baseUrl;
    this.#browserUrl = params.browserUrl ?? params.baseUrl;
    this.#apiKey = params.apiKey || undefined;
    this.#timeoutMs = params.timeoutMs ?? DEFAULT_EXPLORER_TIMEOUT_MS;
    this.#fetch = params.fetch ?? globalThis.fetch;
    this.#redact = secretRedactor([this.#apiKey]);
  }

  async submit(request: VerificationRequest): Promise<ExplorerAnswer> {
    const status = await this.#verificationStatus(request.address, request.address);
    if (status.kind === 'verified') return this.#safe({ ...status, alreadyVerified: true });
    // Not verified yet (pending: the explorer knows the contract), or a reason to wait.
    if (status.kind !== 'pending') return this.#safe(status);
    return this.#safe(await this.#upload(request));
  }

  async check(reference: string, _request: VerificationRequest): Promise<ExplorerAnswer> {
    return this.#safe(await this.#verificationStatus(reference as Address, reference));
  }

  addressUrl(address: Address): string {
    return joinUrl(this.#browserUrl, `address/${address}`);
  }

  /** `is_verified` → verified; known but not verified → pending; 404 → not indexed yet. */
  async #verificationStatus(address: Address, reference: string): Promise<ExplorerAnswer> {
    const outcome = await this.#send(`api/v2/smart-contracts/${address}`, { method: 'GET' });
    if (!outcome.ok) return outcome.answer;
    const { reply } = outcome;
    const transient = transientHttpAnswer(reply.status, reply.text, reply.retryAfterMs);
    if (transient) return transient;
    const body = (isObject(reply.json) ? reply.json : {}) as {
      is_verified?: unknown;
      message?: unknown;
    };
    if (reply.status === 404) {
      const said = typeof body.message === 'string' ? body.message : 'Not found';
      return {
        kind: 'retry_later',
        message: `Explorer has not indexed ${address} yet (HTTP 404: ${said})`,
      };
    }
    if (reply.status === 200 && isObject(reply.json)) {
      return body.is_verified === true
        ? { kind: 'verified', alreadyVerified: false, message: 'Verified (is_verified: true)' }
        : { kind: 'pending', reference, message: 'Not verified yet (is_verified: false)' };
    }
    return this.#unexpected(reply.status, reply.text);
  }

  async #upload(request: VerificationRequest): Promise<ExplorerAnswer> {
    const json =
      typeof request.standardJsonInput === 'string'
        ? request.standardJsonInput
        : JSON.stringify(request.standardJsonInput);
    const form = new FormData();
    form.set('compiler_version', request.compilerVersion);
    form.set('contract_name', request.contractName);
    form.set('constructor_args', request.constructorArgs.replace(/^0x/i, ''));
    form.set('autodetect_constructor_args', 'false');
    form.set('files[0]', new Blob([json], { type: 'application/json' }), 'input.json');
    const path = `api/v2/smart-contracts/${request.address}/verification/via/standard-input`;
    const outcome = await this.#send(path, { method: 'POST', body: form });
    if (!outcome.ok) return outcome.answer;
    const { reply } = outcome;
    const transient = transientHttpAnswer(reply.status, reply.text, reply.retryAfterMs);
    if (transient) return transient;
    const message =
      isObject(reply.json) && typeof reply.json.message === 'string'
        ? reply.json.message.trim()
        : '';
    const rule = message ? classifyText(message) : undefined;
    if (rule) {
      const answer = fromRule(rule, message, request.address);
      if (answer.kind === 'failed' && reply.status !== 200) {
        return { kind: 'failed', message: `HTTP ${reply.status}: ${message}` };
      }
      return answer;
    }
    return message
      ? {
          kind: 'failed',
          message: reply.status === 200 ? message : `HTTP ${reply.status}: ${message}`,
        }
      : this.#unexpected(reply.status, reply.text);
  }

  #unexpected(status: number, text: string): ExplorerAnswer {
    const excerpt = bodyExcerpt(text, 120);
    return {
      kind: 'failed',
      message:
        `Blockscout v2 API at ${redactUrl(this.#baseUrl)} answered HTTP ${status}` +
        `${excerpt ? ` (${excerpt})` : ''}: check that the instance supports /api/v2 verification`,
    };
  }

  #send(path: string, init: RequestInit): Promise<HttpOutcome> {
    const url = new URL(joinUrl(this.#baseUrl, path));
    if (this.#apiKey) url.searchParams.set('apikey', this.#apiKey);
    return exchange(url.toString(), init, {
      timeoutMs: this.#timeoutMs,
      fetch: this.#fetch,
      redact: this.#redact,
    });
  }

  #safe(answer: ExplorerAnswer): ExplorerAnswer {
    return { ...answer, message: this.#redact(answer.message) };
  }
}
