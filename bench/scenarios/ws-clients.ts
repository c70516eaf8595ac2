/**
 * Child process of the live-status scenario: opens N WebSocket subscribers to `/v1/stream`
 * (all deployments), prints `READY` once every one is live, and records for every event the
 * receipt time minus the event's `at`. On `DONE` (stdin) prints one JSON line and exits.
 * Run in its own process so the clients' parsing does not load the server's event loop.
 */
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const [url, countText] = process.argv.slice(2);
if (!url) throw new Error('usage: ws-clients.ts <ws url> <count>');
const count = Number(countText ?? 100);

// Wall clock with sub-millisecond resolution (same clock as the server's `at`).
const wallNow = () => performance.timeOrigin + performance.now();
const latencies: number[] = [];
let messages = 0;
let live = 0;
const sockets: WebSocket[] = [];

for (let i = 0; i < count; i++) {
  const socket = new WebSocket(url);
  sockets.push(socket);
  socket.on('message', (data) => {
    const received = wallNow();
    const message = JSON.parse(String(data)) as { type: string; event?: { at: string } };
    if (message.type === 'live') {
      live++;
      if (live === count) process.stdout.write('READY\n');
      return;
    }
    if (message.type !== 'event' || !message.event) return;
    messages++;
    latencies.push(received - Date.parse(message.event.at));
  });
  socket.on('error', (error) => {
    process.stderr.write(`socket ${i}: ${error.message}\n`);
  });
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'DONE') return;
  for (const socket of sockets) socket.terminate();
  const rounded = latencies.map((ms) => Math.round(ms * 100) / 100);
  // Exit only once the pipe has taken the whole line.
  process.stdout.write(`${JSON.stringify({ messages, latencies: rounded })}\n`, () =>
    process.exit(0),
  );
});
