import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SolcOutput } from '../../../src/inputs/solc.ts';

/**
 * The bundled solc-js (the same package `loadSolc` loads), run in a worker thread.
 *
 * solc-js compiles synchronously and takes seconds here; run in the test process it would
 * freeze the engine and the clients under test (their timeouts, the RPC polling) for that
 * long. The worker is plain CommonJS evaluated from a string, so it needs no TypeScript
 * loader. Outputs are cached by input: resubmitting the same source does not recompile.
 */
const SOLC_PATH = createRequire(import.meta.url).resolve('solc');

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const solc = require(workerData.solcPath);
parentPort.postMessage({ type: 'version', version: solc.version() });
parentPort.on('message', ({ id, input }) => {
  let output;
  try {
    output = solc.compile(input);
  } catch (error) {
    const message = String((error && error.message) || error);
    output = JSON.stringify({ errors: [{ severity: 'error', message }] });
  }
  parentPort.postMessage({ type: 'output', id, output });
});
`;

type WorkerMessage =
  | { type: 'version'; version: string }
  | { type: 'output'; id: number; output: string };

export class StandInCompiler {
  #worker: Worker | undefined;
  #version: Promise<string> | undefined;
  #nextId = 1;
  readonly #waiting = new Map<
    number,
    { resolve: (output: string) => void; reject: (error: Error) => void }
  >();
  readonly #cache = new Map<string, Promise<SolcOutput>>();
  #closed = false;

  /** solc's own version string, e.g. `0.8.37+commit.f401782d.Emscripten.clang`. */
  version(): Promise<string> {
    this.#start();
    return this.#version as Promise<string>;
  }

  /** Compiles a standard JSON input (text); cached by content. */
  compile(input: string): Promise<SolcOutput> {
    const key = createHash('sha256').update(input).digest('hex');
    let output = this.#cache.get(key);
    if (!output) {
      output = this.#run(input).then((text) => JSON.parse(text) as SolcOutput);
      this.#cache.set(key, output);
      output.catch(() => this.#cache.delete(key));
    }
    return output;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) await worker.terminate();
  }

  #run(input: string): Promise<string> {
    const worker = this.#start();
    const id = this.#nextId++;
    return new Promise<string>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      worker.postMessage({ id, input });
    });
  }

  #start(): Worker {
    if (this.#closed) throw new Error('the stand-in compiler is closed');
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { solcPath: SOLC_PATH } });
    worker.unref();
    this.#version = new Promise<string>((resolve, reject) => {
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'version') resolve(message.version);
        else {
          this.#waiting.get(message.id)?.resolve(message.output);
          this.#waiting.delete(message.id);
        }
      });
      // A dead worker fails what it was doing; the next compile starts a new one.
      const fail = (error: Error) => {
        reject(error);
        for (const waiter of this.#waiting.values()) waiter.reject(error);
        this.#waiting.clear();
        if (this.#worker === worker) this.#worker = undefined;
      };
      worker.once('error', fail);
      worker.once('exit', (code) => fail(new Error(`solc worker exited (${code})`)));
    });
    this.#version.catch(() => {});
    this.#worker = worker;
    return worker;
  }
}
