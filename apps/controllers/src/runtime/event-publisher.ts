import { ensureAgentCommsStream, encodeMessage, type AgentMessage } from '@agents/nats';
import { Logger } from '@nestjs/common';
import { connect, type NatsConnection } from 'nats';
import type { ControllerMetrics } from './metrics.js';

export interface PublishedEvent {
  subject: string;
  message: AgentMessage;
}

export interface EventPublisherConfig {
  url: string | undefined;
  user?: string;
  password?: string;
  bufferSize: number;
}

/**
 * Publishes events to NATS JetStream without ever blocking reconciliation: events go into a bounded buffer that a
 * background loop drains, each published with its message id (Nats-Msg-Id) until JetStream acknowledges it. While
 * NATS is unreachable the buffer holds them; when it is full the oldest are dropped and counted.
 */
export class EventPublisher {
  private readonly logger = new Logger(EventPublisher.name);
  private readonly buffer: PublishedEvent[] = [];
  private nc: NatsConnection | undefined;
  private streamReady = false;
  private stopped = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  dropped = 0;

  constructor(
    private readonly config: EventPublisherConfig,
    private readonly metrics?: ControllerMetrics,
  ) {}

  get enabled(): boolean {
    return !!this.config.url;
  }

  get pending(): number {
    return this.buffer.length;
  }

  start(): void {
    if (this.enabled) this.loop ??= this.run();
  }

  publish(event: PublishedEvent): void {
    if (!this.enabled || this.stopped) return;
    if (this.buffer.length >= this.config.bufferSize) {
      this.buffer.shift();
      this.dropped += 1;
      this.metrics?.eventsDropped.inc();
    }
    this.buffer.push(event);
    this.metrics?.eventsBuffered.set(this.buffer.length);
    this.wake?.();
  }

  /** Stops after trying to flush what is buffered for up to `flushMs`. */
  async stop(flushMs = 2000): Promise<void> {
    const deadline = Date.now() + flushMs;
    while (this.buffer.length > 0 && this.nc && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await this.nc?.close().catch(() => undefined);
  }

  private async connection(): Promise<NatsConnection> {
    if (this.nc && !this.nc.isClosed()) return this.nc;
    this.streamReady = false;
    this.nc = await connect({
      servers: this.config.url,
      user: this.config.user,
      pass: this.config.password,
      name: 'agents-controllers',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      timeout: 2000,
    });
    this.logger.log(`Connected to NATS at ${this.config.url}`);
    return this.nc;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      if (this.buffer.length === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      try {
        const nc = await this.connection();
        if (!this.streamReady) {
          await ensureAgentCommsStream(await nc.jetstreamManager({ timeout: 2000 }));
          this.streamReady = true;
        }
        const js = nc.jetstream({ timeout: 2000 });
        const head = this.buffer[0]!;
        await js.publish(head.subject, encodeMessage(head.message), { msgID: head.message.message_id, timeout: 2000 });
        this.buffer.shift();
        this.metrics?.eventsPublished.inc();
        this.metrics?.eventsBuffered.set(this.buffer.length);
        failures = 0;
      } catch (err) {
        failures += 1;
        if (failures === 1 || failures % 20 === 0) {
          this.logger.warn(
            `Publishing to NATS failed (${this.buffer.length} events waiting): ${err instanceof Error ? err.message : String(err)}`,
          );
        }
        if (this.nc?.isClosed()) this.nc = undefined;
        await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** Math.min(failures, 6))));
      }
    }
  }
}
