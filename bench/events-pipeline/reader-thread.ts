import { Worker } from 'node:worker_threads';

/** What the readers saw: when each event was sent and how long it took to arrive, in arrival order. */
export interface Readings {
  sent: Float64Array;
  latency: Float64Array;
  /** The readers' event loop lag at most since `measure()` (ms). */
  lagMaxMs: number;
}

/**
 * P8's SSE readers on a thread of their own (reader-thread.worker.ts), so that the publisher and the figures on the
 * main thread never delay a read: an event read late would count as delivered late. Counts are shared memory, so
 * waiting for a drain costs no messages.
 */
export class ReaderThread {
  private readonly worker: Worker;
  private readonly counts = new Int32Array(new SharedArrayBuffer(8));
  readonly opened: Promise<void>;
  private finished: ((r: Readings) => void) | undefined;

  constructor(urls: string[]) {
    this.worker = new Worker(new URL('./reader-thread.worker.ts', import.meta.url), {
      workerData: { urls, counts: this.counts.buffer },
    });
    this.opened = new Promise((resolve, reject) => {
      this.worker.on('message', (m: { type: string; message?: string } & Partial<Readings>) => {
        if (m.type === 'opened') resolve();
        else if (m.type === 'error') reject(new Error(`SSE readers: ${m.message}`));
        else if (m.type === 'finished') this.finished?.(m as Readings);
      });
      this.worker.on('error', reject);
    });
  }

  /** Events received so far, on every stream. */
  get received(): number {
    return Atomics.load(this.counts, 0);
  }

  /** Events that did not follow the one before on their stream. */
  get outOfOrder(): number {
    return Atomics.load(this.counts, 1);
  }

  /** The measured load begins: the lag figure starts over. */
  measure(): void {
    this.worker.postMessage('measure');
  }

  /** Closes the streams and hands back every reading. */
  async finish(): Promise<Readings> {
    const readings = new Promise<Readings>((resolve) => (this.finished = resolve));
    this.worker.postMessage('finish');
    const r = await readings;
    await this.worker.terminate();
    return r;
  }
}
