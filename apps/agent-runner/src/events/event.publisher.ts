/**
 * Delivers events to JetStream in order without ever blocking the caller: publish() only appends to a bounded
 * buffer; one background loop sends the head, waits for JetStream's ack and only then moves on, so the stream holds
 * the events in sequence order. While NATS is down or slow the loop retries with a capped backoff, reconnecting as
 * needed; each retry carries the same message id, so a publish that was stored but not acknowledged is not stored
 * twice. When the buffer is full, the oldest output line is dropped (lifecycle events are kept) and counted.
 */
import { encodeMessage } from '@agents/nats';
import { errorMessage } from '../runner.errors.js';
import { STATUS_KIND, type RunnerEvent } from './event.builder.js';

/** A connection able to publish to JetStream; connect() again once `closed` is true. */
export interface EventTransport {
  readonly closed: boolean;
  publish(subject: string, data: Uint8Array, messageId: string): Promise<void>;
  close(): Promise<void>;
}

export type ConnectTransport = () => Promise<EventTransport>;

export interface PublisherOptions {
  bufferSize: number;
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Where the publisher reports trouble (the runner's stderr and log). */
  warn: (message: string) => void;
}

export interface FlushResult {
  delivered: number;
  /** Events still undelivered when the flush gave up. */
  undelivered: number;
  dropped: number;
}

export class EventPublisher {
  private readonly buffer: RunnerEvent[] = [];
  private transport: EventTransport | undefined;
  private loop: Promise<void> | undefined;
  private stopped = false;
  private onEvent: (() => void) | undefined;
  private onStop: (() => void) | undefined;
  delivered = 0;
  dropped = 0;

  constructor(
    private readonly connect: ConnectTransport,
    private readonly options: PublisherOptions,
  ) {}

  get pending(): number {
    return this.buffer.length;
  }

  publish(event: RunnerEvent): void {
    if (this.stopped) return;
    if (this.buffer.length >= this.options.bufferSize) {
      // Never the head: it may be in flight.
      const oldestOutput = this.buffer.findIndex((e, i) => i > 0 && e.message.kind !== STATUS_KIND);
      if (oldestOutput >= 0) {
        this.buffer.splice(oldestOutput, 1);
        this.dropped += 1;
      }
    }
    this.buffer.push(event);
    this.loop ??= this.run();
    this.wake();
  }

  /** Waits up to flushMs for the buffer to drain, then stops and closes the connection. */
  async close(flushMs: number): Promise<FlushResult> {
    const deadline = Date.now() + flushMs;
    while (this.buffer.length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.stopped = true;
    this.wake(true);
    // A publish in flight ends within its own timeout; do not wait longer than that for it.
    if (this.loop) await Promise.race([this.loop, new Promise((r) => setTimeout(r, 2500).unref())]);
    await this.transport?.close().catch(() => undefined);
    return { delivered: this.delivered, undelivered: this.buffer.length, dropped: this.dropped };
  }

  /** Wakes the loop when it waits for events (on publish) or backs off (on stop only). */
  private wake(stopping = false): void {
    const wakers = stopping ? [this.onEvent, this.onStop] : [this.onEvent];
    this.onEvent = undefined;
    if (stopping) this.onStop = undefined;
    for (const w of wakers) w?.();
  }

  private backoff(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.onStop = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    const { retryMinMs = 100, retryMaxMs = 1000 } = this.options;
    let failures = 0;
    while (!this.stopped) {
      const head = this.buffer[0];
      if (!head) {
        await new Promise<void>((resolve) => (this.onEvent = resolve));
        continue;
      }
      try {
        if (!this.transport || this.transport.closed) this.transport = await this.connect();
        await this.transport.publish(head.subject, encodeMessage(head.message), head.message.message_id);
        this.buffer.shift();
        this.delivered += 1;
        if (failures > 0) this.options.warn(`delivering events to NATS again (${this.buffer.length} waiting)`);
        failures = 0;
      } catch (err) {
        failures += 1;
        if (failures === 1 || failures % 30 === 0)
          this.options.warn(
            `publishing to NATS failed (${this.buffer.length} events waiting, retrying): ${errorMessage(err)}`,
          );
        if (this.stopped) break;
        await this.backoff(Math.min(retryMaxMs, retryMinMs * 2 ** Math.min(failures - 1, 10)));
      }
    }
  }
}
