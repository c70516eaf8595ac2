import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChainConfig } from '../../src/chains/types.ts';
import { ERROR_CATALOGUE } from '../../src/core/errors.ts';
import type { Deployment } from '../../src/core/view.ts';
import { mine, setIntervalMining } from '../../src/devchain/index.ts';
import { createHyperdeploy, type Hyperdeploy } from '../../src/hyperdeploy.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { buildServer } from '../../src/server/app.ts';
import {
  chainsByName,
  fundedKey,
  startChain,
  type TestChain,
  tempDbPath,
} from '../harness/chains.ts';

/**
 * The dashboard in a real browser (Debian chromium driven by playwright-core) against the real
 * server, store and chain: no mocks. Screenshots go to .hyperdeploy/test-artifacts/.
 */

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../.hyperdeploy/test-artifacts/', import.meta.url));
const TOKEN = 'browser-test-token-6a1f0c2d9e';
const WAIT = { timeout: 20_000 };

interface Sample {
  name: string;
  bytecode: string;
  abi: unknown[];
  constructorArgs: unknown[];
  note: string | null;
}

describe('dashboard in a real browser', () => {
  let chain: TestChain;
  let chains: Record<string, ChainConfig>;
  let hd: Hyperdeploy;
  let server: FastifyInstance;
  let guarded: FastifyInstance;
  let base: string;
  let guardedBase: string;
  let browser: Browser;
  let explorer: string;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  const urlOf = (app: FastifyInstance) =>
    `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  async function api<T = unknown>(
    path: string,
    init: { method?: string; body?: unknown } = {},
  ): Promise<{ status: number; body: T }> {
    const response = await fetch(base + path, {
      method: init.method ?? 'GET',
      headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  async function sampleNamed(name: string): Promise<Sample> {
    const { body } = await api<{ items: Sample[] }>('/v1/samples?chain=metis-sepolia');
    const found = body.items.find((s) => s.name === name);
    if (!found) throw new Error(`no sample ${name}`);
    return found;
  }

  async function submit(sample: Sample, buildId: string): Promise<Deployment> {
    const { status, body } = await api<Deployment>('/v1/deployments', {
      method: 'POST',
      body: {
        buildId,
        chain: 'metis-sepolia',
        bytecode: sample.bytecode,
        abi: sample.abi,
        constructorArgs: sample.constructorArgs,
        contractName: sample.name,
        confirmations: 3,
        // These tests follow the deployment pipeline; explorer verification is tested elsewhere.
        verify: false,
      },
    });
    expect(status).toBe(202);
    return body;
  }

  async function openPage(url: string, prepare?: (page: Page) => Promise<void>): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1366, height: 860 } });
    contexts.push(context);
    const page = await context.newPage();
    await prepare?.(page);
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      // A 401 answer is logged by the browser; it is the token prompt's trigger, not a fault.
      if (message.type() === 'error' && !message.text().includes('401'))
        pageErrors.push(`console: ${message.text()}`);
    });
    await page.goto(url);
    return page;
  }

  /** Marks the window: the mark survives only if the page is never reloaded. */
  const markWindow = (page: Page) =>
    page.evaluate(() => {
      (window as unknown as { noReload: boolean }).noReload = true;
    });
  const stillSameWindow = (page: Page) =>
    page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload === true);

  /** Records every status text each list row shows, in order, as the DOM changes. */
  const recordRowStatuses = (page: Page) =>
    page.evaluate(() => {
      const seen: Record<string, string[]> = {};
      (window as unknown as { seen: typeof seen }).seen = seen;
      const record = () => {
        for (const row of document.querySelectorAll('[data-testid="deployment-row"]')) {
          const id = row.getAttribute('data-id') ?? '';
          const text = row.querySelector('[data-testid="status"]')?.textContent ?? '';
          seen[id] ??= [];
          const list = seen[id];
          if (text && list[list.length - 1] !== text) list.push(text);
        }
      };
      record();
      new MutationObserver(record).observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
      });
    });
  const rowStatuses = (page: Page, id: string) =>
    page.evaluate(
      (key) => (window as unknown as { seen: Record<string, string[]> }).seen[key] ?? [],
      id,
    );

  const textOf = async (page: Page, testid: string) =>
    ((await page.getByTestId(testid).first().textContent()) ?? '').trim();

  /** Waits until the element matching `selector` shows exactly `text` (says what it shows if not). */
  async function waitForText(page: Page, selector: string, text: string): Promise<void> {
    try {
      await page
        .locator(selector, { hasText: new RegExp(`^\\s*${text}\\s*$`) })
        .first()
        .waitFor(WAIT);
    } catch (error) {
      const shown = await page
        .locator(selector)
        .first()
        .textContent({ timeout: 1000 })
        .catch(() => null);
      const notice = await page
        .getByTestId('detail-error')
        .textContent({ timeout: 100 })
        .catch(() => null);
      throw new Error(
        `${selector}: waited for "${text}", the page shows ${JSON.stringify(shown)}${notice ? ` (${notice})` : ''} at ${page.url()}`,
        { cause: error },
      );
    }
  }

  async function screenshot(page: Page, name: string): Promise<string> {
    const path = `${ARTIFACTS}${name}.png`;
    await page.screenshot({ path, fullPage: true });
    const png = readFileSync(path);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(10_000);
    return path;
  }

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    for (const file of readdirSync(ARTIFACTS)) {
      if (file.startsWith('failed-')) rmSync(ARTIFACTS + file); // from an earlier run
    }
    chain = await startChain('metis-sepolia', { blockTimeSec: 0.5 });
    explorer = chain.config.explorer?.url ?? '';
    const { privateKey } = await fundedKey([chain]);
    chains = chainsByName(chain);
    const logger = createLogger({ level: 'silent' });
    // Short retry delays: a transient RPC error under a loaded machine must not outlast a wait.
    hd = createHyperdeploy({
      db: tempDbPath(),
      chains,
      privateKey,
      logger,
      retry: { delaysMs: [250] },
    });
    server = await buildServer({ hd, chains, logger, samples: true });
    await server.listen({ host: '127.0.0.1', port: 0 });
    base = urlOf(server);
    // The same deployments behind an API token, for the token prompt.
    guarded = await buildServer({ hd, chains, logger, samples: true, apiToken: TOKEN });
    await guarded.listen({ host: '127.0.0.1', port: 0 });
    guardedBase = urlOf(guarded);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') {
      // What the browser showed when the test failed, for the CI artifacts.
      const pages = contexts.flatMap((c) => c.pages());
      const slug = task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
      await Promise.all(
        pages.map((p, i) =>
          p
            .screenshot({ path: `${ARTIFACTS}failed-${slug}-${i}.png`, fullPage: true })
            .catch(() => {}),
        ),
      );
    }
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    expect(pageErrors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await guarded?.close();
    await server?.close();
    await hd?.close();
    await chain?.anvil.stop();
  });

  it('follows a deployment started through the API to complete, live, on the list and its page', async () => {
    const page = await openPage(`${base}/`);
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor(WAIT);
    await markWindow(page);
    await recordRowStatuses(page);
    const counter = await sampleNamed('Counter');
    const rpc = chain.anvil.rpcUrl;
    const ids: string[] = [];

    try {
      // Hold the chain still, so the in-flight states are on screen for certain.
      await setIntervalMining(rpc, 0);

      // 1. On the list: the row appears by itself and moves to complete.
      const first = await submit(counter, 'browser-live');
      ids.push(first.id);
      const firstRow = page.locator(`[data-testid="deployment-row"][data-id="${first.id}"]`);
      await firstRow.waitFor(WAIT);
      await waitForText(
        page,
        `[data-testid="deployment-row"][data-id="${first.id}"] [data-testid="status"]`,
        'submitted',
      );
      expect(await firstRow.getByTestId('chain').textContent()).toBe('metis-sepolia');
      await mine(rpc, 3);
      await waitForText(
        page,
        `[data-testid="deployment-row"][data-id="${first.id}"] [data-testid="status"]`,
        'complete',
      );
      await waitForText(
        page,
        `[data-testid="deployment-row"][data-id="${first.id}"] [data-testid="row-confirmations"]`,
        '3/3',
      );
      const seen = await rowStatuses(page, first.id);
      expect(seen[0]).not.toBe('complete');
      expect(seen).toContain('submitted');
      expect(seen.at(-1)).toBe('complete');
      expect(await stillSameWindow(page)).toBe(true);

      // 2. On its page: the stepper, the confirmations and the links follow the chain.
      const second = await submit(counter, 'browser-live');
      ids.push(second.id);
      const secondRow = `[data-testid="deployment-row"][data-id="${second.id}"]`;
      await waitForText(page, `${secondRow} [data-testid="status"]`, 'submitted');
      await page.locator(`${secondRow} [data-testid="row-link"]`).click();
      await page.waitForURL(`**/#/deployments/${second.id}`);
      await waitForText(page, '[data-testid="detail"] [data-testid="status"]', 'submitted');
      await page
        .locator('[data-testid="step"][data-step="submitted"][data-state="current"]')
        .waitFor(WAIT);
      expect(await page.locator('[data-testid="step"][data-state="done"]').count()).toBe(5);
      expect(await textOf(page, 'confirmations')).toBe('0/3');
      const signed = (await api<Deployment>(`/v1/deployments/${second.id}`)).body;
      expect(await page.getByTestId('tx-hash').getAttribute('href')).toBe(
        `${explorer}/tx/${signed.txHash}`,
      );
      await screenshot(page, 'dashboard-1-submitted');

      await mine(rpc, 1);
      await waitForText(page, '[data-testid="detail"] [data-testid="status"]', 'confirming');
      await waitForText(page, '[data-testid="confirmations"]', '1/3');
      await page
        .locator('[data-testid="step"][data-step="confirming"][data-state="current"]')
        .waitFor(WAIT);
      await mine(rpc, 2);
      await waitForText(page, '[data-testid="detail"] [data-testid="status"]', 'complete');
      await waitForText(page, '[data-testid="confirmations"]', '3/3');
      expect(await stillSameWindow(page)).toBe(true);

      const done = (await api<Deployment>(`/v1/deployments/${second.id}`)).body;
      expect(done.status).toBe('complete');
      expect(await page.getByTestId('tx-hash').getAttribute('href')).toBe(
        `${explorer}/tx/${done.txHash}`,
      );
      expect(await page.getByTestId('contract-address').getAttribute('href')).toBe(
        `${explorer}/address/${done.contractAddress}`,
      );
      expect(await textOf(page, 'contract-address')).toBe(done.contractAddress);
      // Stepper: complete reached, verification skipped on this chain, every other step done.
      const states = await page
        .locator('[data-testid="step"]')
        .evaluateAll((steps) =>
          steps.map((s) => `${s.getAttribute('data-step')}:${s.getAttribute('data-state')}`),
        );
      expect(states).toEqual([
        'pending:done',
        'compiling:done',
        'compiled:done',
        'estimating_gas:done',
        'submitting:done',
        'submitted:done',
        'confirming:done',
        'confirmed:done',
        'verifying:skipped',
        'verified:skipped',
        'complete:done',
      ]);
      // The time spent waiting for the block shows as the submitted step's duration.
      const submittedTook = await page
        .locator('[data-testid="step"][data-step="submitted"] [data-testid="step-duration"]')
        .textContent();
      expect(submittedTook).toMatch(/\d+(\.\d+)? (ms|s)$/);
      // Timeline: every journal entry, in order, with a timestamp.
      const journal = (
        await api<{ items: Array<{ seq: number; type: string }> }>(
          `/v1/deployments/${second.id}/events`,
        )
      ).body.items;
      const timeline = page.locator('[data-testid="timeline"] [data-testid="timeline-entry"]');
      expect(
        await timeline.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-type'))),
      ).toEqual(journal.filter((e) => e.type !== 'log').map((e) => e.type));
      expect(await timeline.first().locator('td').first().textContent()).toMatch(
        /^\d\d:\d\d:\d\d\.\d{3}$/,
      );
      expect(await page.getByTestId('logs').isVisible()).toBe(true);
      expect(await page.getByTestId('diagnosis').count()).toBe(0);
      await screenshot(page, 'dashboard-2-complete');
    } finally {
      await setIntervalMining(rpc, 1);
    }

    // Back to the list, still the same window: both rows complete.
    await page.getByTestId('back').click();
    for (const id of ids) {
      await waitForText(
        page,
        `[data-testid="deployment-row"][data-id="${id}"] [data-testid="status"]`,
        'complete',
      );
    }
    expect(await stillSameWindow(page)).toBe(true);
  });

  it('deploys the Reverting sample through the form and shows its diagnosis', async () => {
    const page = await openPage(`${base}/`);
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor(WAIT);
    await markWindow(page);
    await page.getByTestId('deploy-chain').selectOption('metis-sepolia');
    await page.getByTestId('deploy-sample').selectOption('Reverting');
    expect(await textOf(page, 'deploy-note')).toContain('reverts');
    await page.getByTestId('deploy-build').fill('browser-revert');
    expect(await page.getByTestId('deploy-sample').inputValue()).toBe('Reverting');
    await page.getByTestId('deploy-submit').click();
    await page.waitForURL(/#\/deployments\/[^/]+$/);
    const id = decodeURIComponent(new URL(page.url()).hash.replace('#/deployments/', ''));

    await waitForText(page, '[data-testid="detail"] [data-testid="status"]', 'failed');
    await page.getByTestId('diagnosis').waitFor(WAIT);
    const failed = (await api<Deployment>(`/v1/deployments/${id}`)).body;
    expect(failed).toMatchObject({
      buildId: 'browser-revert',
      contractName: 'Reverting',
      status: 'failed',
    });
    expect(failed.error?.code).toBe('TX_REVERTED');

    expect(await textOf(page, 'diagnosis-code')).toBe('TX_REVERTED');
    expect(await textOf(page, 'diagnosis-hint')).toBe(ERROR_CATALOGUE.TX_REVERTED.hint);
    expect(await textOf(page, 'diagnosis-message')).toBe(failed.error?.message);
    expect(await textOf(page, 'diagnosis-message')).toContain('NotAllowed');
    expect(await textOf(page, 'diagnosis-step')).toBe('estimating gas');
    expect(await textOf(page, 'diagnosis-attempts')).toMatch(/^1 attempt \(not retryable\)$/);
    // The stepper stops, in red, at the step that failed.
    await page
      .locator('[data-testid="step"][data-step="estimating_gas"][data-state="failed"]')
      .waitFor(WAIT);
    expect(await page.locator('[data-testid="step"][data-state="todo"]').count()).toBe(7);
    await page
      .locator('[data-testid="timeline-entry"][data-type="deployment_failed"]', {
        hasText: 'TX_REVERTED',
      })
      .waitFor(WAIT);
    expect(await stillSameWindow(page)).toBe(true);
    await screenshot(page, 'dashboard-3-diagnosis');

    // The list, colour-coded, then filtered to the failures and to one build.
    await page.getByTestId('back').click();
    const failedRow = page.locator(`[data-testid="deployment-row"][data-id="${id}"]`);
    await failedRow.waitFor(WAIT);
    expect(await failedRow.getByTestId('row-error').textContent()).toBe('TX_REVERTED');
    await screenshot(page, 'dashboard-4-list');
    await page.getByTestId('filter-status').selectOption('failed');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="deployment-row"]')].every(
        (row) => row.getAttribute('data-status') === 'failed',
      ),
    );
    await failedRow.waitFor(WAIT);
    expect(page.url()).toContain('status=failed');
    await page.getByTestId('filter-status').selectOption('complete');
    await failedRow.waitFor({ state: 'detached', ...WAIT });
    expect(await page.getByTestId('deployment-row').count()).toBeGreaterThan(0);
    await page.getByTestId('filter-status').selectOption('');
    await page.getByTestId('filter-build').fill('browser-revert');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="deployment-row"]').length === 1,
    );
    await failedRow.waitFor(WAIT);
    expect(await stillSameWindow(page)).toBe(true);
  });

  it('reconnects after the server drops the stream and replays what it missed, once', async () => {
    const counter = await sampleNamed('Counter');
    const rpc = chain.anvil.rpcUrl;
    // Every stream socket goes to the real server; reconnections wait at this gate when it is set.
    const socketUrls: URL[] = [];
    let gate: Promise<void> | null = null;
    let openGate = () => {};
    try {
      await setIntervalMining(rpc, 0);
      const deployment = await submit(counter, 'browser-reconnect');
      const page = await openPage(`${base}/#/deployments/${deployment.id}`, (p) =>
        p.routeWebSocket(/\/v1\/stream/, async (socket) => {
          socketUrls.push(new URL(socket.url()));
          if (gate) await gate;
          socket.connectToServer();
        }),
      );
      await waitForText(page, '[data-testid="detail"] [data-testid="status"]', 'submitted');
      await page.locator('[data-testid="connection"][data-state="live"]').waitFor(WAIT);
      await markWindow(page);
      const before = (await api<{ items: unknown[] }>(`/v1/deployments/${deployment.id}/events`))
        .body.items;

      // Drop the stream from the server side, and finish the deployment while the page is away.
      gate = new Promise((resolve) => {
        openGate = resolve;
      });
      for (const client of server.websocketServer.clients) client.terminate();
      await page.locator('[data-testid="connection"][data-state="reconnecting"]').waitFor(WAIT);
      await mine(rpc, 3);
      for (let i = 0; (await hd.get(deployment.id))?.status !== 'complete'; i++) {
        if (i > 200) throw new Error('the deployment did not complete');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      for (let i = 0; socketUrls.length < 2; i++) {
        if (i > 400) throw new Error('the page did not reconnect');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(await textOf(page, 'confirmations')).toBe('0/3');
      openGate();

      await waitForText(page, '[data-testid="detail"] [data-testid="status"]', 'complete');
      await page.locator('[data-testid="connection"][data-state="live"]').waitFor(WAIT);
      await waitForText(page, '[data-testid="confirmations"]', '3/3');
      expect(await stillSameWindow(page)).toBe(true);
      // The second socket asked for what came after the last event the page had.
      expect(socketUrls).toHaveLength(2);
      expect(socketUrls[1]?.searchParams.get('deploymentId')).toBe(deployment.id);
      expect(socketUrls[1]?.searchParams.get('after')).toBe(String(before.length));
      // Every journal entry exactly once, in order.
      const journal = (
        await api<{ items: Array<{ seq: number; type: string }> }>(
          `/v1/deployments/${deployment.id}/events`,
        )
      ).body.items;
      expect(journal.length).toBeGreaterThan(before.length);
      const shown = await page
        .locator('[data-testid="timeline-entry"]')
        .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-seq'))));
      expect(shown).toEqual(journal.filter((e) => e.type !== 'log').map((e) => e.seq));
    } finally {
      openGate();
      await setIntervalMining(rpc, 1);
    }
  });

  it('asks for the API token on 401 and uses it for the API and the stream', async () => {
    const page = await openPage(`${guardedBase}/`);
    const prompt = page.getByTestId('token-prompt');
    await prompt.waitFor({ state: 'visible', ...WAIT });
    await page.getByTestId('token-input').fill('not-the-token');
    await page.getByTestId('token-submit').click();
    await prompt.waitFor({ state: 'visible', ...WAIT });
    expect(await textOf(page, 'token-error')).toContain('token');
    expect(await page.getByTestId('deployment-row').count()).toBe(0);
    await page.getByTestId('token-input').fill(TOKEN);
    await page.getByTestId('token-submit').click();
    await prompt.waitFor({ state: 'hidden', ...WAIT });
    await page.getByTestId('deployment-row').first().waitFor(WAIT);
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor(WAIT);

    // `?token=` in the dashboard's URL works too, and leaves the address bar.
    const other = await openPage(`${guardedBase}/?token=${TOKEN}#/?buildId=browser-revert`);
    await other.getByTestId('deployment-row').first().waitFor(WAIT);
    await other.locator('[data-testid="connection"][data-state="live"]').waitFor(WAIT);
    expect(other.url()).not.toContain(TOKEN);
    expect(await other.getByTestId('token-prompt').isVisible()).toBe(false);
  });
});
