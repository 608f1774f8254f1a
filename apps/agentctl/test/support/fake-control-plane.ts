// An in-process AgentctlService that behaves like the control plane's contract (REFERENCE §7.2 and the agentctl
// brief): objects as JSON, server-side apply, idempotent submit, status and log streams with follow, gRPC status
// codes naming the bad field, optional bearer token. Tests drive runs through it (setRunStatus, appendLog).
import { randomUUID } from 'node:crypto';
import {
  Server,
  ServerCredentials,
  status,
  type Metadata,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { ALL_KINDS, RUNTIME_TYPES, type KindInfo } from '@agents/api';
import { AgentctlServiceService } from '@agents/proto/client';
import { parse as parseYaml } from 'yaml';
import {
  controlPlaneStatus,
  fail,
  isFail,
  LIST_RPC,
  matchesSelector,
  runSpec,
  TERMINAL,
  type LogEvent,
  type Obj,
  type RecordedCall,
  type SeedInput,
  type SubmitRequest,
} from './fake-control-plane.fixtures.js';

export type { LogEvent, Obj, RecordedCall, SeedInput } from './fake-control-plane.fixtures.js';

export class FakeControlPlane {
  readonly calls: RecordedCall[] = [];
  private readonly store = new Map<string, Map<string, Obj>>();
  private readonly logs = new Map<string, LogEvent[]>();
  private readonly statusWatchers = new Map<string, Set<(run: Obj) => void>>();
  private readonly logFollowers = new Map<string, Set<() => void>>();
  private readonly openStreams = new Set<ServerWritableStream<unknown, unknown>>();
  private readonly idempotency = new Map<string, string>();
  private nextEventId = 1;
  private nextRun = 1;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    readonly token: string | undefined,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(opts: { token?: string; port?: number } = {}): Promise<FakeControlPlane> {
    const server = new Server();
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${opts.port ?? 0}`, ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    const fake = new FakeControlPlane(server, port, opts.token);
    server.addService(AgentctlServiceService, fake.handlers() as never);
    return fake;
  }

  /** Stops the server, ending every open stream. */
  async close(): Promise<void> {
    for (const s of this.openStreams) s.end();
    this.server.forceShutdown();
  }

  // ---- what tests drive ----

  /** Adds or replaces an object (namespace defaults to `agents`, creationTimestamp to now). */
  seed(obj: SeedInput): Obj {
    const info = this.kind(obj.kind);
    const full: Obj = {
      ...obj,
      apiVersion: obj.apiVersion ?? info.apiVersion,
      kind: info.kind,
      metadata: {
        uid: randomUUID(),
        creationTimestamp: new Date().toISOString(),
        ...obj.metadata,
        namespace: obj.metadata.namespace ?? 'agents',
      },
    };
    this.objects(info.kind).set(`${full.metadata.namespace}/${full.metadata.name}`, full);
    return full;
  }

  object(kind: string, namespace: string, name: string): Obj | undefined {
    return this.objects(kind).get(`${namespace}/${name}`);
  }

  /** Changes a run's status: status streams get it, and a `status` event is logged. */
  setRunStatus(namespace: string, name: string, st: Record<string, unknown> & { phase: string }): void {
    const run = this.object('AgentRun', namespace, name);
    if (!run) throw new Error(`no agentrun ${namespace}/${name}`);
    run.status = { ...run.status, ...st };
    this.appendLog(namespace, name, 'status', `${st.phase}${st.reason ? `: ${String(st.reason)}` : ''}`, 'status');
    for (const w of [...(this.statusWatchers.get(`${namespace}/${name}`) ?? [])]) w(run);
  }

  appendLog(namespace: string, name: string, stream: string, message: string, kind = 'message'): LogEvent {
    const key = `${namespace}/${name}`;
    const event: LogEvent = { id: this.nextEventId++, stream, message, timestamp: new Date().toISOString(), kind };
    const list = this.logs.get(key) ?? [];
    list.push(event);
    this.logs.set(key, list);
    for (const f of [...(this.logFollowers.get(key) ?? [])]) f();
    return event;
  }

  /** How many status streams / following log streams are open for a run (to know a CLI is listening). */
  watchers(namespace: string, name: string): { status: number; logs: number } {
    const key = `${namespace}/${name}`;
    return { status: this.statusWatchers.get(key)?.size ?? 0, logs: this.logFollowers.get(key)?.size ?? 0 };
  }

  /** Breaks every open stream with a status (UNAVAILABLE by default), as a restarting server would. */
  breakStreams(code: status = status.UNAVAILABLE): void {
    for (const s of [...this.openStreams]) s.emit('error', { code, details: 'the control plane is restarting' });
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  // ---- the service ----

  private kind(name: string): KindInfo {
    const info = ALL_KINDS.find((k) => k.kind === name);
    if (!info) throw new Error(`unknown kind ${name}`);
    return info;
  }

  private objects(kind: string): Map<string, Obj> {
    let m = this.store.get(kind);
    if (!m) this.store.set(kind, (m = new Map()));
    return m;
  }

  private authorize(md: Metadata): string | undefined {
    const auth = md.get('authorization')[0]?.toString();
    if (this.token && auth !== `Bearer ${this.token}`) {
      throw fail(status.UNAUTHENTICATED, 'missing or invalid bearer token (metadata authorization)');
    }
    return auth;
  }

  private unary<Req extends object>(method: string, fn: (req: Req) => unknown) {
    return (call: ServerUnaryCall<Req, unknown>, cb: sendUnaryData<unknown>) => {
      try {
        const authorization = call.metadata.get('authorization')[0]?.toString();
        this.calls.push({ method, request: call.request as Record<string, unknown>, authorization });
        this.authorize(call.metadata);
        cb(null, fn(call.request));
      } catch (err) {
        if (isFail(err)) cb(err);
        else cb({ code: status.INTERNAL, details: (err as Error).message });
      }
    };
  }

  private streaming<Req extends object>(
    method: string,
    fn: (req: Req, call: ServerWritableStream<Req, unknown>) => void,
  ) {
    return (call: ServerWritableStream<Req, unknown>) => {
      const authorization = call.metadata.get('authorization')[0]?.toString();
      this.calls.push({ method, request: call.request as Record<string, unknown>, authorization });
      this.openStreams.add(call as ServerWritableStream<unknown, unknown>);
      const forget = () => this.openStreams.delete(call as ServerWritableStream<unknown, unknown>);
      call.on('finish', forget);
      call.on('cancelled', forget);
      call.on('error', forget);
      try {
        this.authorize(call.metadata);
        fn(call.request, call);
      } catch (err) {
        forget();
        call.emit('error', isFail(err) ? err : { code: status.INTERNAL, details: (err as Error).message });
      }
    };
  }

  private requireNamespace(ns: string): void {
    if (!ns) throw fail(status.INVALID_ARGUMENT, 'namespace: required');
  }

  private mustGet(kind: string, ns: string, name: string): Obj {
    this.requireNamespace(ns);
    if (!name) throw fail(status.INVALID_ARGUMENT, 'name: required');
    const obj = this.object(kind, ns, name);
    const info = this.kind(kind);
    if (!obj) throw fail(status.NOT_FOUND, `${info.plural}.${info.group} "${name}" not found`);
    return obj;
  }

  private handlers(): Record<string, unknown> {
    const h: Record<string, unknown> = {};
    for (const info of ALL_KINDS) {
      const names = {
        list: LIST_RPC[info.kind]!,
        get: `get${info.kind}`,
        apply: `apply${info.kind}`,
        del: `delete${info.kind}`,
      };
      for (const n of Object.values(names)) {
        if (!(n in AgentctlServiceService)) throw new Error(`AgentctlService has no ${n}`);
      }
      h[names.list] = this.unary(
        names.list,
        (req: { namespace: string; labelSelector: string; phase?: string; runtime?: string }) => {
          this.requireNamespace(req.namespace);
          const items = [...this.objects(info.kind).values()]
            .filter((o) => o.metadata.namespace === req.namespace)
            .filter((o) => matchesSelector((o.metadata.labels as Record<string, string>) ?? {}, req.labelSelector))
            .filter((o) => !req.phase || o.status?.phase === req.phase)
            .filter((o) => !req.runtime || (o.spec?.runtime as { type?: string } | undefined)?.type === req.runtime)
            .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
          return { json: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) };
        },
      );
      h[names.get] = this.unary(names.get, (req: { namespace: string; name: string }) => ({
        json: JSON.stringify(this.mustGet(info.kind, req.namespace, req.name)),
      }));
      h[names.apply] = this.unary(names.apply, (req: { namespace: string; manifestYaml: string; dryRun: boolean }) =>
        this.apply(info, req),
      );
      h[names.del] = this.unary(names.del, (req: { namespace: string; name: string }) => {
        const obj = this.mustGet(info.kind, req.namespace, req.name);
        this.objects(info.kind).delete(`${req.namespace}/${req.name}`);
        return { ok: true, message: `${info.singular} ${req.name} deleted`, json: JSON.stringify(obj) };
      });
    }
    h.getServerInfo = this.unary('getServerInfo', () => ({
      version: '1.2.3',
      buildSha: 'abc1234',
      buildTime: '2025-01-02T03:04:05Z',
      service: 'agents-control-plane',
    }));
    h.getControlPlaneStatus = this.unary('getControlPlaneStatus', (req: { namespace: string }) =>
      controlPlaneStatus(req.namespace),
    );
    h.submitAgentRun = this.unary('submitAgentRun', (req: SubmitRequest) => this.submit(req));
    h.cancelAgentRun = this.unary('cancelAgentRun', (req: { namespace: string; name: string }) => {
      const run = this.mustGet('AgentRun', req.namespace, req.name);
      const phase = String(run.status?.phase ?? 'Pending');
      if (TERMINAL.includes(phase)) {
        throw fail(status.FAILED_PRECONDITION, `agentrun ${req.name} is already ${phase}: no job to delete`);
      }
      this.setRunStatus(req.namespace, req.name, {
        phase: 'Cancelled',
        reason: 'Cancelled',
        message: 'cancelled by a user',
      });
      return { ok: true, message: 'deleted job ' + req.name };
    });
    h.streamAgentRunStatus = this.streaming(
      'streamAgentRunStatus',
      (req: { namespace: string; name: string }, call) => {
        const run = this.mustGet('AgentRun', req.namespace, req.name);
        const key = `${req.namespace}/${req.name}`;
        const send = (r: Obj) => {
          const phase = String(r.status?.phase ?? 'Pending');
          call.write({ json: JSON.stringify(r), phase });
          if (TERMINAL.includes(phase)) {
            this.statusWatchers.get(key)?.delete(send);
            call.end();
          }
        };
        const watchers = this.statusWatchers.get(key) ?? new Set();
        this.statusWatchers.set(key, watchers);
        watchers.add(send);
        call.on('cancelled', () => watchers.delete(send));
        call.on('error', () => watchers.delete(send));
        send(run);
      },
    );
    h.streamAgentRunLogs = this.streaming(
      'streamAgentRunLogs',
      (req: { namespace: string; name: string; follow: boolean; afterId: number }, call) => {
        const run = this.mustGet('AgentRun', req.namespace, req.name);
        const key = `${req.namespace}/${req.name}`;
        let sent = req.afterId;
        const flush = () => {
          for (const e of this.logs.get(key) ?? []) {
            if (e.id > sent) {
              call.write(e);
              sent = e.id;
            }
          }
        };
        flush();
        if (!req.follow || TERMINAL.includes(String(run.status?.phase))) return void call.end();
        const followers = this.logFollowers.get(key) ?? new Set();
        this.logFollowers.set(key, followers);
        const onEvent = () => {
          flush();
          if (TERMINAL.includes(String(run.status?.phase))) {
            followers.delete(onEvent);
            call.end();
          }
        };
        followers.add(onEvent);
        call.on('cancelled', () => followers.delete(onEvent));
        call.on('error', () => followers.delete(onEvent));
      },
    );
    return h;
  }

  private apply(info: KindInfo, req: { namespace: string; manifestYaml: string; dryRun: boolean }) {
    this.requireNamespace(req.namespace);
    let obj: Obj;
    try {
      obj = parseYaml(req.manifestYaml) as Obj;
    } catch (err) {
      throw fail(status.INVALID_ARGUMENT, `manifest_yaml: not YAML or JSON: ${(err as Error).message}`);
    }
    if (obj?.kind !== info.kind)
      throw fail(status.INVALID_ARGUMENT, `kind: expected ${info.kind}, got ${String(obj?.kind)}`);
    if (!obj.metadata?.name) throw fail(status.INVALID_ARGUMENT, 'metadata.name: required');
    if (info.kind === 'Agent' && !(obj.spec?.providerRef as { name?: string } | undefined)?.name) {
      throw fail(status.INVALID_ARGUMENT, 'spec.providerRef.name: Required value');
    }
    const existing = this.object(info.kind, req.namespace, obj.metadata.name);
    const applied: Obj = {
      ...obj,
      metadata: {
        ...obj.metadata,
        namespace: req.namespace,
        uid: (existing?.metadata.uid as string | undefined) ?? randomUUID(),
        creationTimestamp: (existing?.metadata.creationTimestamp as string | undefined) ?? new Date().toISOString(),
      },
      ...(existing?.status ? { status: existing.status } : {}),
    };
    if (!req.dryRun) this.objects(info.kind).set(`${req.namespace}/${obj.metadata.name}`, applied);
    return { json: JSON.stringify(applied) };
  }

  private submit(req: SubmitRequest) {
    this.requireNamespace(req.namespace);
    if (!req.agentName) throw fail(status.INVALID_ARGUMENT, 'agent_name: required');
    if (!(RUNTIME_TYPES as readonly string[]).includes(req.runtimeType)) {
      throw fail(status.INVALID_ARGUMENT, `runtime_type: must be one of ${RUNTIME_TYPES.join(', ')}`);
    }
    this.mustGet('Agent', req.namespace, req.agentName);
    const idemKey = req.idempotencyKey ? `${req.namespace}/${req.agentName}/${req.idempotencyKey}` : undefined;
    const previous = idemKey ? this.idempotency.get(idemKey) : undefined;
    if (previous) {
      const run = this.mustGet('AgentRun', req.namespace, previous);
      return { resourceJson: JSON.stringify(run), recordJson: '', idempotent: true };
    }
    const name = req.name || `${req.agentName}-${(this.nextRun++).toString().padStart(5, '0')}`;
    if (this.object('AgentRun', req.namespace, name)) {
      throw fail(status.ALREADY_EXISTS, `agentruns.agents.proompteng.ai "${name}" already exists`);
    }
    const spec = runSpec(req);
    const run = this.seed({
      kind: 'AgentRun',
      metadata: { name, namespace: req.namespace },
      spec,
      status: { phase: 'Pending' },
    });
    if (idemKey) this.idempotency.set(idemKey, name);
    this.appendLog(req.namespace, name, 'status', 'Pending: run created', 'status');
    return {
      resourceJson: JSON.stringify(run),
      recordJson: JSON.stringify({ id: run.metadata.uid }),
      idempotent: false,
    };
  }
}
