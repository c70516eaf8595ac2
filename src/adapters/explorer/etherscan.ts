import { redactUrl } from '../../chains/redact-url.ts';
import type { Address } from '../../core/types.ts';
import type { Explorer, ExplorerAnswer, VerificationRequest } from '../../ports/explorer.ts';
import {
  answerFromEnvelope,
  bodyExcerpt,
  classifyText,
  type EnvelopeContext,
  type EtherscanEnvelope,
  envelopeText,
  transientHttpAnswer,
} from './answers.ts';
import {
  DEFAULT_EXPLORER_TIMEOUT_MS,
  type ExplorerHttpOptions,
  exchange,
  type HttpReply,
  isObject,
  joinUrl,
  secretRedactor,
} from './http.ts';

export interface EtherscanExplorerParameters extends ExplorerHttpOptions {
  /** The API endpoint, e.g. `https://…/api`; a query it carries (e.g. `chainid=1088`) is kept. */
  apiUrl: string;
  /** The human-facing explorer, for links to addresses. */
  browserUrl: string;
  /** Sent as `apikey`; never shown in any message. */
  apiKey?: string;
}

/**
 * An Etherscan-compatible verification API: Etherscan, Routescan, Blockscout's `/api`.
 *
 * One call is one attempt (two requests for `submit`): no sleeping, no retries inside, so a
 * caller can schedule, journal and resume them. Every answer, including network errors and
 * HTTP 429/5xx, is returned as an `ExplorerAnswer`; nothing is thrown.
 *
 * `retry_later` from `check` means "start over": `submit` again (it looks for an existing
 * verification first, so a submission that went through meanwhile reads as verified).
 */
export class EtherscanExplorer implements Explorer {
  readonly #apiUrl: string;
  readonly #browserUrl: string;
  readonly #apiKey: string | undefined;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #redact: (text: string) => string;

  constructor(params: EtherscanExplorerParameters) {
    this.#apiUrl = params.apiUrl;
    this.#browserUrl = params.browserUrl;
    this.#apiKey = params.apiKey || undefined;
    this.#timeoutMs = params.timeoutMs ?? DEFAULT_EXPLORER_TIMEOUT_MS;
    this.#fetch = params.fetch ?? globalThis.fetch;
    this.#redact = secretRedactor([this.#apiKey]);
  }

  async submit(request: VerificationRequest): Promise<ExplorerAnswer> {
    const existing = await this.#existingVerification(request.address);
    if (existing) return this.#safe(existing);
    return this.#safe(await this.#verifySourceCode(request));
  }

  async check(reference: string, _request: VerificationRequest): Promise<ExplorerAnswer> {
    const outcome = await this.#get({ action: 'checkverifystatus', guid: reference });
    if (!outcome.ok) return this.#safe(outcome.answer);
    return this.#safe(this.#answer(outcome.reply, { phase: 'check', reference }));
  }

  addressUrl(address: Address): string {
    return joinUrl(this.#browserUrl, `address/${address}`);
  }

  /**
   * `getsourcecode`: verified already → the answer; rate limited or unreachable → retry
   * later; anything else (not verified, odd answers) → undefined, and the submission decides.
   */
  async #existingVerification(address: Address): Promise<ExplorerAnswer | undefined> {
    const outcome = await this.#get({ action: 'getsourcecode', address });
    if (!outcome.ok) return outcome.answer;
    const { reply } = outcome;
    const transient = transientHttpAnswer(reply.status, reply.text, reply.retryAfterMs);
    if (transient) return transient;
    if (!isObject(reply.json)) return undefined;
    const envelope = reply.json as EtherscanEnvelope;
    if (Array.isArray(envelope.result)) {
      const first = envelope.result[0] as
        | { SourceCode?: unknown; ContractName?: unknown }
        | undefined;
      const source = typeof first?.SourceCode === 'string' ? first.SourceCode.trim() : '';
      if (source === '') return undefined;
      const name =
        typeof first?.ContractName === 'string' && first.ContractName
          ? ` (${first.ContractName})`
          : '';
      return {
        kind: 'verified',
        alreadyVerified: true,
        message: `Contract source code already verified${name}`,
      };
    }
    const rule = classifyText(envelopeText(envelope));
    return rule?.kind === 'retry_later'
      ? { kind: 'retry_later', message: envelopeText(envelope) }
      : undefined;
  }

  async #verifySourceCode(request: VerificationRequest): Promise<ExplorerAnswer> {
    const args = request.constructorArgs.replace(/^0x/i, '');
    const form = new URLSearchParams({
      module: 'contract',
      action: 'verifysourcecode',
      codeformat: 'solidity-standard-json-input',
      sourceCode:
        typeof request.standardJsonInput === 'string'
          ? request.standardJsonInput
          : JSON.stringify(request.standardJsonInput),
      contractaddress: request.address,
      contractname: request.contractName,
      compilerversion: request.compilerVersion.startsWith('v')
        ? request.compilerVersion
        : `v${request.compilerVersion}`,
      // Blockscout reads the first spelling, Etherscan and Routescan the second.
      constructorArguments: args,
      constructorArguements: args,
    });
    if (this.#apiKey) form.set('apikey', this.#apiKey);
    const outcome = await exchange(
      this.#url({ action: 'verifysourcecode' }, false),
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      },
      this.#http(),
    );
    if (!outcome.ok) return outcome.answer;
    return this.#answer(outcome.reply, { phase: 'submit' });
  }

  #answer(reply: HttpReply, context: EnvelopeContext): ExplorerAnswer {
    const transient = transientHttpAnswer(reply.status, reply.text, reply.retryAfterMs);
    if (transient) return transient;
    if (isObject(reply.json)) {
      const answer = answerFromEnvelope(reply.json as EtherscanEnvelope, context);
      if (reply.status >= 300 && answer.kind === 'failed') {
        return { kind: 'failed', message: `HTTP ${reply.status}: ${answer.message}` };
      }
      return answer;
    }
    // HTML or nothing: most likely not the API endpoint (viem's `/api-docs` is a docs page).
    const excerpt = bodyExcerpt(reply.text, 120);
    return {
      kind: 'failed',
      message:
        `Explorer API ${redactUrl(this.#apiUrl)} answered HTTP ${reply.status} without JSON` +
        `${excerpt ? ` (${excerpt})` : ''}: check that it is the API endpoint (…/api)`,
    };
  }

  #get(query: Record<string, string>) {
    return exchange(this.#url(query, true), { method: 'GET' }, this.#http());
  }

  #url(query: Record<string, string>, withKey: boolean): string {
    const url = new URL(this.#apiUrl);
    url.searchParams.set('module', 'contract');
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    if (withKey && this.#apiKey) url.searchParams.set('apikey', this.#apiKey);
    return url.toString();
  }

  #http() {
    return { timeoutMs: this.#timeoutMs, fetch: this.#fetch, redact: this.#redact };
  }

  #safe(answer: ExplorerAnswer): ExplorerAnswer {
    return { ...answer, message: this.#redact(answer.message) };
  }
}
