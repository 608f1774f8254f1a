// The SSE readers of P8 (see reader-thread.ts): one stream per run, checked for order, each event's send time and
// latency kept in growing typed arrays, and nothing else done on this thread.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { field, SseClient } from '../lib/sse.ts';

const { urls, counts: shared } = workerData as { urls: string[]; counts: SharedArrayBuffer };
const counts = new Int32Array(shared);
const now = () => performance.timeOrigin + performance.now();

let sent = new Float64Array(1 << 20);
let latency = new Float64Array(1 << 20);
let n = 0;
function record(at: number, late: number): void {
  if (n === sent.length) {
    const grow = (a: Float64Array) => {
      const b = new Float64Array(a.length * 2);
      b.set(a);
      return b;
    };
    sent = grow(sent);
    latency = grow(latency);
  }
  sent[n] = at;
  latency[n] = late;
  n += 1;
}

const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
const clients = urls.map((url) => {
  let last = 0;
  return new SseClient(url, (data) => {
    const at = field(data, 'content');
    record(at, now() - at);
    const seq = field(data, 'seq');
    if (seq !== last + 1) Atomics.add(counts, 1, 1);
    last = seq;
    Atomics.add(counts, 0, 1);
  });
});
Promise.all(clients.map((c) => c.opened)).then(
  () => parentPort!.postMessage({ type: 'opened' }),
  (err: unknown) => parentPort!.postMessage({ type: 'error', message: String(err) }),
);

parentPort!.on('message', (m: string) => {
  if (m === 'measure') lag.reset();
  if (m !== 'finish') return;
  for (const c of clients) c.close();
  lag.disable();
  const s = sent.slice(0, n);
  const l = latency.slice(0, n);
  parentPort!.postMessage({ type: 'finished', sent: s, latency: l, lagMaxMs: lag.max / 1e6 }, [s.buffer, l.buffer]);
});
