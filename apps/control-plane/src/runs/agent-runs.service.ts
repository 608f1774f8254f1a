import { ANNOTATIONS, LABELS, RUNTIME_TYPES, TERMINAL_RUN_PHASES, type AgentRun } from '@agents/api';
import { CUSTOM, type KubeApi, type ScopedCache } from '@agents/kube';
import { createHash } from 'node:crypto';
import { Observable, type Subscriber } from 'rxjs';
import { AgentsError, fromKube, invalid } from '../errors.js';
import { EventCursor, type EventHub, type EventSink } from '../events/event-hub.js';
import type { StoredEvent } from '../events/events.repository.js';
import type { ResourcesService } from '../kube/resources.service.js';

export interface SubmitRequest {
  namespace: string;
  agentName: string;
  implementationName: string;
  runtimeType: string;
  runtimeConfig: { key: string; value: string }[];
  parameters: { key: string; value: string }[];
  idempotencyKey: string;
  workload?: { image: string; cpu: string; memory: string };
  memoryRef: string;
  vcsRef: string;
  vcsPolicyMode: string;
  vcsPolicyRequired: boolean;
  name: string;
}

export interface LogLine {
  stream: string;
  message: string;
  id: number;
  timestamp: string;
  kind: string;
}

const isTerminal = (run: AgentRun | undefined) => TERMINAL_RUN_PHASES.includes(run?.status?.phase ?? '');

/** The key the controllers use for a run's idempotency label (same hash, so lookups agree). */
export function idempotencyLabel(agent: string, key: string): string {
  return createHash('sha256').update(`${agent}/${key}`).digest('hex').slice(0, 40);
}

function kvMap(list: { key: string; value: string }[], field: string): Record<string, string> {
  const out: Record<string, string> = {};
  list.forEach((kv, i) => {
    if (!kv.key) throw invalid(`${field}[${i}].key`, 'is required');
    out[kv.key] = kv.value;
  });
  return out;
}

/**
 * Runtime config values as typed JSON when they look like numbers, booleans, or JSON objects and arrays
 * (backoffLimit: "2" → 2; podAnnotations: '{"a":"b"}' → {a: "b"}, since some settings are maps).
 */
export function typedValue(v: string): unknown {
  if (/^-?\d+$/.test(v)) return Number(v);
  if (v === 'true' || v === 'false') return v === 'true';
  if (/^\s*[[{]/.test(v)) {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  }
  return v;
}

/** The AgentRun manifest of a SubmitAgentRun request, validated field by field. */
export function runManifest(
  req: SubmitRequest,
  namespace: string,
): AgentRun & { metadata: { name?: string; generateName?: string } } {
  if (!req.agentName) throw invalid('agent_name', 'is required');
  if (!req.implementationName)
    throw invalid('implementation_name', 'is required (the ImplementationSpec whose text is the prompt)');
  const runtime = req.runtimeType || 'job';
  if (!(RUNTIME_TYPES as readonly string[]).includes(runtime))
    throw invalid('runtime_type', `must be one of ${RUNTIME_TYPES.join(', ')}`);
  const parameters = kvMap(req.parameters ?? [], 'parameters');
  if (Object.keys(parameters).some((k) => k.toLowerCase() === 'prompt')) {
    throw invalid('parameters', 'must not contain prompt: the prompt comes from the ImplementationSpec text');
  }
  const config = Object.fromEntries(
    Object.entries(kvMap(req.runtimeConfig ?? [], 'runtime_config')).map(([k, v]) => [k, typedValue(v)]),
  );
  if (req.vcsPolicyMode && !['read-write', 'read-only', 'none'].includes(req.vcsPolicyMode)) {
    throw invalid('vcs_policy_mode', 'must be one of read-write, read-only, none');
  }
  const w = req.workload;
  const requests = { ...(w?.cpu ? { cpu: w.cpu } : {}), ...(w?.memory ? { memory: w.memory } : {}) };
  const key = req.idempotencyKey || undefined;
  // With a key the name is derived from it: a repeated submit lands on the same object (AlreadyExists → idempotent).
  const name =
    req.name ||
    (key ? `${req.agentName}-${idempotencyLabel(req.agentName, key).slice(0, 10)}`.slice(0, 63) : undefined);
  return {
    apiVersion: 'agents.proompteng.ai/v1alpha1',
    kind: 'AgentRun',
    metadata: {
      ...(name ? { name } : { generateName: `${req.agentName.slice(0, 50)}-` }),
      namespace,
      ...(key ? { labels: { [LABELS.idempotencyKey]: idempotencyLabel(req.agentName, key) } } : {}),
    },
    spec: {
      agentRef: { name: req.agentName },
      implementationSpecRef: { name: req.implementationName },
      runtime: {
        type: runtime as AgentRun['spec']['runtime']['type'],
        ...(Object.keys(config).length ? { config } : {}),
      },
      ...(Object.keys(parameters).length ? { parameters } : {}),
      ...(key ? { idempotencyKey: key } : {}),
      ...(w?.image || Object.keys(requests).length
        ? {
            workload: {
              ...(w?.image ? { image: w.image } : {}),
              ...(Object.keys(requests).length ? { resources: { requests } } : {}),
            },
          }
        : {}),
      ...(req.memoryRef ? { memoryRef: { name: req.memoryRef } } : {}),
      ...(req.vcsRef ? { vcsRef: { name: req.vcsRef } } : {}),
      ...(req.vcsPolicyMode || req.vcsPolicyRequired
        ? {
            vcsPolicy: {
              ...(req.vcsPolicyMode ? { mode: req.vcsPolicyMode as 'read-write' } : {}),
              required: req.vcsPolicyRequired,
            },
          }
        : {}),
    },
  };
}

/** How fast a stream's client takes messages (see EventSink); streams without one are not paced. */
export type Flow = Pick<EventSink, 'ready' | 'whenReady'>;
const UNBOUNDED: Flow = { ready: () => true, whenReady: () => undefined };

export function logLine(e: StoredEvent): LogLine {
  const stream = e.kind === 'output' ? String(e.attrs?.stream ?? 'stdout') : e.kind === 'status' ? 'status' : e.kind;
  return { stream, message: e.content, id: e.id, timestamp: e.timestamp, kind: e.kind };
}

/** What an open or a new stream gets once shutdown has begun. */
const shuttingDown = () =>
  new AgentsError('UNAVAILABLE', 'the control plane is shutting down: retry, another replica will answer');

/** AgentRuns driven by agentctl: read (from the watch cache), submit, cancel, follow status and logs. */
export class AgentRunsService {
  constructor(
    private readonly resources: ResourcesService,
    private readonly api: KubeApi,
    private readonly cache: ScopedCache<AgentRun>,
    private readonly hub: EventHub,
  ) {}

  /**
   * The runs of a namespace, from the watch cache when it covers the namespace and has synced (the read path agentctl
   * hammers: no API server round trip); from the API server for other namespaces and label selectors.
   */
  async list(ns: string | undefined, labelSelector?: string): Promise<AgentRun[]> {
    const namespace = this.resources.namespaceOf(ns);
    if (!labelSelector && this.cached(namespace)) return this.cache.list(namespace);
    return (await this.resources.list('AgentRun', namespace, labelSelector)).items as AgentRun[];
  }

  /** One run, from the watch cache when it has it (a run created a moment ago may not be there yet: then the API). */
  async get(ns: string | undefined, name: string): Promise<AgentRun> {
    const namespace = this.resources.namespaceOf(ns);
    const hit = name && this.cached(namespace) ? this.cache.get(namespace, name) : undefined;
    return hit ?? this.resources.get<AgentRun>('AgentRun', namespace, name);
  }

  private cached(namespace: string): boolean {
    return this.cache.covers(namespace) && this.cache.hasSynced;
  }

  async submit(req: SubmitRequest): Promise<{ run: AgentRun; idempotent: boolean }> {
    const namespace = this.resources.namespaceOf(req.namespace);
    const manifest = runManifest(req, namespace);
    // A run of an agent that does not exist would only fail later in the controllers: refuse it now (NOT_FOUND).
    await this.resources.get('Agent', namespace, req.agentName);
    try {
      return { run: await this.resources.create<AgentRun>('AgentRun', manifest as never), idempotent: false };
    } catch (err) {
      if (!(
        err instanceof AgentsError &&
        err.code === 'ALREADY_EXISTS' &&
        req.idempotencyKey &&
        manifest.metadata.name
      ))
        throw err;
      const existing = await this.resources.get<AgentRun>('AgentRun', namespace, manifest.metadata.name);
      if (existing.spec.idempotencyKey !== req.idempotencyKey || existing.spec.agentRef.name !== req.agentName)
        throw err;
      return { run: existing, idempotent: true };
    }
  }

  async cancel(ns: string, name: string): Promise<{ ok: boolean; message: string }> {
    const namespace = this.resources.namespaceOf(ns);
    const run = await this.resources.get<AgentRun>('AgentRun', namespace, name);
    if (isTerminal(run))
      throw new AgentsError('FAILED_PRECONDITION', `agentrun ${name} already finished (${run.status?.phase})`);
    await this.resources.patch('AgentRun', namespace, name, {
      metadata: { annotations: { [ANNOTATIONS.cancelRequested]: new Date().toISOString() } },
    });
    return {
      ok: true,
      message: `cancellation of agentrun ${name} requested; it ends Cancelled once its Job is stopped`,
    };
  }

  /** The subscribers of the open streams: ended at shutdown, which gRPC's graceful shutdown waits for. */
  private readonly open = new Set<Subscriber<unknown>>();
  private closing = false;

  /**
   * Ends every open stream with UNAVAILABLE, and refuses new ones: a client following a run moves on to another
   * replica (a log stream resumes from its last id) instead of holding this process up until it is killed.
   */
  endStreams(): void {
    this.closing = true;
    for (const sub of [...this.open]) sub.error(shuttingDown());
  }

  private tracked<T>(source: Observable<T>): Observable<T> {
    return new Observable<T>((sub) => {
      if (this.closing) {
        sub.error(shuttingDown());
        return;
      }
      this.open.add(sub);
      const inner = source.subscribe(sub);
      return () => {
        this.open.delete(sub);
        inner.unsubscribe();
      };
    });
  }

  /** The run now and on every change, completing after a terminal phase (or its deletion). */
  statusStream(ns: string, name: string): Observable<AgentRun> {
    return this.tracked(
      new Observable<AgentRun>((sub) => {
        const abort = new AbortController();
        void (async () => {
          const namespace = this.resources.namespaceOf(ns);
          let run = await this.resources.get<AgentRun>('AgentRun', namespace, name);
          sub.next(run);
          while (!isTerminal(run) && !abort.signal.aborted) {
            let deleted = false;
            await this.api
              .watch<AgentRun>(
                CUSTOM.AgentRun!,
                namespace,
                {
                  fieldSelector: `metadata.name=${name}`,
                  resourceVersion: run.metadata.resourceVersion,
                  timeoutSeconds: 60,
                },
                (e) => {
                  if (e.type === 'DELETED') {
                    deleted = true;
                    abort.abort(); // end the watch now, not at its timeout
                    return;
                  }
                  if (e.type !== 'MODIFIED' && e.type !== 'ADDED') return;
                  if (e.object.metadata.resourceVersion === run.metadata.resourceVersion) return;
                  run = e.object;
                  sub.next(run);
                  if (isTerminal(run)) abort.abort();
                },
                abort.signal,
              )
              .catch(async (err: unknown) => {
                if (abort.signal.aborted) return;
                // 410 or a broken watch: read the run again and resume from there.
                run = await this.resources.get<AgentRun>('AgentRun', namespace, name).catch(() => {
                  throw fromKube(err, `watching agentrun ${name}`);
                });
                sub.next(run);
              });
            if (deleted) break;
          }
          sub.complete();
        })().catch((err: unknown) => sub.error(err));
        return () => abort.abort();
      }),
    );
  }

  /**
   * The run's stored events after `afterId`; with follow, then the new ones as they are stored, until the run is
   * finished and no event arrived for `settleMs` (the runner's last lines may trail its terminal phase). Events are
   * pulled only as fast as `flow` says the client reads them.
   */
  logs(
    ns: string,
    name: string,
    follow: boolean,
    afterId: number,
    flow: Flow = UNBOUNDED,
    settleMs = 3000,
  ): Observable<LogLine> {
    return this.tracked(
      new Observable<LogLine>((sub) => {
        let cursor: EventCursor | undefined;
        let statusSub: { unsubscribe(): void } | undefined;
        let settle: NodeJS.Timeout | undefined;
        let finished = false;
        let closed = false;
        const settleLater = () => {
          clearTimeout(settle);
          settle = setTimeout(() => sub.complete(), settleMs);
        };
        void (async () => {
          const namespace = this.resources.namespaceOf(ns);
          const run = await this.resources.get<AgentRun>('AgentRun', namespace, name);
          if (closed) return;
          cursor = new EventCursor(
            this.hub,
            { uid: run.metadata.uid! },
            afterId,
            {
              ...flow,
              write: (e) => {
                sub.next(logLine(e));
                if (finished) settleLater();
              },
              idle: () => {
                if (!follow) sub.complete();
              },
            },
            (err) => sub.error(err),
          );
          if (!follow) return;
          statusSub = this.statusStream(namespace, name).subscribe({
            next: (r) => {
              if (isTerminal(r) && !finished) {
                finished = true;
                settleLater();
              }
            },
            complete: () => {
              finished = true;
              settleLater();
            },
            error: (err: unknown) => sub.error(err),
          });
        })().catch((err: unknown) => sub.error(err));
        return () => {
          closed = true;
          cursor?.close();
          statusSub?.unsubscribe();
          clearTimeout(settle);
        };
      }),
    );
  }
}
