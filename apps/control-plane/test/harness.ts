import type { AgentctlServiceClient } from '@agents/proto/client';
import { createAgentctlClient } from '@agents/proto/client';
import { encodeMessage, ensureAgentCommsStream, runSubject, type AgentMessage } from '@agents/nats';
import { freePort, spawnService, type ServiceProcess } from '@agents/testing';
import { connect, type NatsConnection } from 'nats';
import path from 'node:path';
import type { EventRow } from '../src/events/event-parser.js';
import type { EventsRepository } from '../src/events/events.repository.js';
import type { IngestMetrics } from '../src/events/ingest.service.js';

const MAIN = path.resolve(import.meta.dirname, '../dist/main.js');

export interface ControlPlaneProcess extends ServiceProcess {
  httpPort: number;
  grpcPort: number;
  url: string;
  client(): AgentctlServiceClient;
}

export interface StartOptions {
  databaseUrl: string;
  natsUrl?: string;
  namespaces: string[];
  env?: Record<string, string>;
  /** Fixed ports (a restart keeps them, so clients reconnect to the same address). */
  httpPort?: number;
  grpcPort?: number;
  waitReady?: boolean;
}

/** Starts the built control plane (apps/control-plane/dist/main.js) as a child process. */
export async function startControlPlane(o: StartOptions): Promise<ControlPlaneProcess> {
  const httpPort = o.httpPort ?? (await freePort());
  const grpcPort = o.grpcPort ?? (await freePort());
  const service = await spawnService({
    command: process.execPath,
    args: [MAIN],
    httpPort,
    readyPath: (o.waitReady ?? true) ? '/ready' : undefined,
    readyTimeoutMs: 60_000,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NO_COLOR: '1',
      KUBECONFIG: process.env.KUBECONFIG,
      DATABASE_URL: o.databaseUrl,
      ...(o.natsUrl ? { NATS_URL: o.natsUrl } : {}),
      JANGAR_PORT: String(httpPort),
      JANGAR_GRPC_PORT: String(grpcPort),
      JANGAR_POD_NAMESPACE: o.namespaces[0],
      JANGAR_AGENTS_CONTROLLER_NAMESPACES: o.namespaces.join(','),
      ...o.env,
    },
  });
  return Object.assign(service, {
    httpPort,
    grpcPort,
    url: `http://127.0.0.1:${httpPort}`,
    client: () => createAgentctlClient({ address: `127.0.0.1:${grpcPort}` }),
  });
}

/** Publishes agent messages like a runner does (JetStream, with the message id as Nats-Msg-Id). */
export class Publisher {
  private constructor(private readonly nc: NatsConnection) {}

  static async connect(url: string): Promise<Publisher> {
    const nc = await connect({ servers: url });
    await ensureAgentCommsStream(await nc.jetstreamManager());
    return new Publisher(nc);
  }

  async publish(subject: string, m: AgentMessage | Uint8Array, msgID?: string): Promise<void> {
    const data = m instanceof Uint8Array ? m : encodeMessage(m);
    await this.nc.jetstream().publish(subject, data, msgID ? { msgID } : undefined);
  }

  close(): Promise<void> {
    return this.nc.drain();
  }
}

export interface RunRef {
  namespace: string;
  name: string;
  uid: string;
}

export const subjectOf = (r: RunRef, kind = 'output') =>
  runSubject({ namespace: r.namespace, workflow: r.name, uid: r.uid, agentId: 'agent', kind });

export function message(r: RunRef, seq: number, extra: Partial<AgentMessage> = {}): AgentMessage {
  return {
    message_id: `${r.uid}:test:${seq}`,
    timestamp: new Date().toISOString(),
    kind: 'output',
    role: 'assistant',
    content: `line ${seq}`,
    agent_run_uid: r.uid,
    agent_run_name: r.name,
    agent_run_namespace: r.namespace,
    agent_id: 'agent',
    seq,
    attrs: { stream: 'stdout' },
    ...extra,
  };
}

export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/** Reads a Server-Sent Events stream; `next(n)` resolves with the next n events (comments are only counted). */
export class SseReader {
  private buffer = '';
  private readonly queue: SseEvent[] = [];
  private waiters: (() => void)[] = [];
  readonly done: Promise<void>;
  private readonly abort = new AbortController();
  status = 0;
  /** `: keep-alive` comment lines received (the server's heartbeats). */
  heartbeats = 0;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.done = (async () => {
      const res = await fetch(url, { headers: { Accept: 'text/event-stream', ...headers }, signal: this.abort.signal });
      this.status = res.status;
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        this.buffer += decoder.decode(value, { stream: true });
        let i: number;
        while ((i = this.buffer.indexOf('\n\n')) >= 0) {
          const block = this.buffer.slice(0, i);
          this.buffer = this.buffer.slice(i + 2);
          const e: SseEvent = { data: '' };
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(': keep-alive')) this.heartbeats += 1;
            if (line.startsWith(':') || !line) continue;
            const [k, ...rest] = line.split(': ');
            const v = rest.join(': ');
            if (k === 'id') e.id = v;
            else if (k === 'event') e.event = v;
            else if (k === 'data') data.push(v);
          }
          if (data.length || e.event) {
            e.data = data.join('\n');
            this.queue.push(e);
          }
        }
        this.waiters.splice(0).forEach((w) => w());
      }
    })().catch(() => undefined);
  }

  async next(n: number, timeoutMs = 20_000): Promise<SseEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length < n) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} SSE events (got ${this.queue.length})`);
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), new Promise((r) => setTimeout(r, 200))]);
    }
    return this.queue.splice(0, n);
  }

  get pending(): number {
    return this.queue.length;
  }

  close(): void {
    this.abort.abort();
  }
}

/** What IngestService needs besides NATS, without Postgres: a repository that records the rows it would store. */
export function recordingIngest(): { stored: EventRow[]; repository: EventsRepository; metrics: IngestMetrics } {
  const stored: EventRow[] = [];
  const repository = {
    insertBatch: async (rows: EventRow[]) => {
      stored.push(...rows);
      return [];
    },
  } as unknown as EventsRepository;
  return { stored, repository, metrics: { inserted() {}, duplicates() {}, deadLettered() {}, batch() {}, error() {} } };
}
