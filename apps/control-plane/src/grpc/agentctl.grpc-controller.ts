import { ALL_KINDS, type ImplementationSpec } from '@agents/api';
import {
  AgentctlServiceControllerMethods,
  type ApplyRequest,
  type CancelAgentRunRequest,
  type CancelAgentRunResponse,
  type CreateImplementationSpecRequest,
  type DeleteRequest,
  type DeleteResponse,
  type GetControlPlaneStatusRequest,
  type GetControlPlaneStatusResponse,
  type GetRequest,
  type GetServerInfoResponse,
  type ListAgentRunsRequest,
  type ListRequest,
  type ResourceResponse,
  type StreamAgentRunLogsRequest,
  type StreamAgentRunLogsResponse,
  type StreamAgentRunStatusRequest,
  type StreamAgentRunStatusResponse,
  type SubmitAgentRunRequest,
  type SubmitAgentRunResponse,
} from '@agents/proto/nest';
import { Controller, Inject, Logger, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import type { Writable } from 'node:stream';
import { map, Observable } from 'rxjs';
import { CONTROL_PLANE_CONFIG, type ControlPlaneConfig } from '../config/control-plane.config.js';
import { invalid } from '../errors.js';
import { ResourcesService } from '../kube/resources.service.js';
import { AgentRunsService, type Flow } from '../runs/agent-runs.service.js';
import { AuditTrail } from '../runs/audit-trail.js';
import { RunHistoryRepository } from '../runs/run-history.repository.js';
import { StatusService } from '../health/status.service.js';
import { GrpcAuthGuard } from './grpc-auth.guard.js';
import { GrpcExceptionFilter } from './grpc-errors.js';
import { GrpcMetricsInterceptor } from './grpc-metrics.interceptor.js';

/** The plural used in the RPC names of each kind (ListAgentProviders, ListMemories, …). */
/**
 * Messages a log stream may have in its call's buffer before it pauses. The call's own high-water mark is 16 objects,
 * and Nest, writing an Observable, queues whatever the call refuses in an array of its own; pausing at that mark
 * meant a drain every 16 messages. The stream therefore writes to the call itself, up to this window.
 */
const STREAM_WINDOW = 256;

/** Paces a producer by a call's buffer: at most STREAM_WINDOW queued, resumed on drain (a stalled client costs one). */
function windowFlow(call: Writable): Flow {
  let waiting = false;
  return {
    ready: () => call.writableLength < STREAM_WINDOW,
    whenReady: (resume) => {
      if (waiting) return;
      // Past the window (beyond the call's high-water mark) the call has refused a write, so a drain is due.
      waiting = true;
      call.once('drain', () => {
        waiting = false;
        resume();
      });
    },
  };
}

/**
 * Writes a stream's messages to the call directly, paced by windowFlow; the Observable handed to Nest carries only
 * the end (completion, or the error Nest turns into the call's status).
 */
function writeToCall<T>(call: Writable, produce: (flow: Flow) => Observable<T>): Observable<never> {
  return new Observable<never>((sub) => {
    const inner = produce(windowFlow(call)).subscribe({
      next: (message) => call.write(message),
      error: (err: unknown) => sub.error(err),
      complete: () => sub.complete(),
    });
    return () => inner.unsubscribe();
  });
}

/**
 * The JSON of an object, serialised once per object: the watch cache replaces an object on every change and never
 * edits one, so a run read back to back by many callers is stringified once, not per call.
 */
const serialised = new WeakMap<object, string>();
function json(o: object): string {
  let s = serialised.get(o);
  if (s === undefined) {
    s = JSON.stringify(o);
    serialised.set(o, s);
  }
  return s;
}

export const RPC_PLURALS: Record<string, string> = {
  Agent: 'Agents',
  AgentProvider: 'AgentProviders',
  ImplementationSpec: 'ImplementationSpecs',
  ImplementationSource: 'ImplementationSources',
  VersionControlProvider: 'VersionControlProviders',
  Memory: 'Memories',
  Tool: 'Tools',
  ToolRun: 'ToolRuns',
  Orchestration: 'Orchestrations',
  OrchestrationRun: 'OrchestrationRuns',
  ApprovalPolicy: 'ApprovalPolicies',
  Budget: 'Budgets',
  SecretBinding: 'SecretBindings',
  Signal: 'Signals',
  SignalDelivery: 'SignalDeliveries',
  Schedule: 'Schedules',
  Artifact: 'Artifacts',
  Workspace: 'Workspaces',
  AgentRun: 'AgentRuns',
};

/**
 * AgentctlService: what agentctl calls. Every kind gets List/Get/Apply/Delete (installed below from RPC_PLURALS);
 * runs get Submit/Cancel and two server streams. CRs are read and written through the Kubernetes API; events come
 * from Postgres.
 */
@Controller()
@UseGuards(GrpcAuthGuard)
@UseFilters(GrpcExceptionFilter)
@UseInterceptors(GrpcMetricsInterceptor)
export class AgentctlGrpcController {
  private readonly logger = new Logger('AgentctlService');

  constructor(
    readonly resources: ResourcesService,
    private readonly runs: AgentRunsService,
    private readonly history: RunHistoryRepository,
    readonly audit: AuditTrail,
    private readonly status: StatusService,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
  ) {}

  getServerInfo(): GetServerInfoResponse {
    const { version, commit, time } = this.config.build;
    return { version, buildSha: commit, buildTime: time, service: 'agents-control-plane' };
  }

  getControlPlaneStatus(req: GetControlPlaneStatusRequest): Promise<GetControlPlaneStatusResponse> {
    return this.status.status(req.namespace || undefined);
  }

  async listAgentRuns(req: ListAgentRunsRequest): Promise<ResourceResponse> {
    const items = (await this.runs.list(req.namespace, req.labelSelector)).filter(
      (r) => (!req.phase || r.status?.phase === req.phase) && (!req.runtime || r.spec.runtime?.type === req.runtime),
    );
    return { json: `{"apiVersion":"v1","kind":"List","items":[${items.map(json).join(',')}]}` };
  }

  async getAgentRun(req: GetRequest): Promise<ResourceResponse> {
    return { json: json(await this.runs.get(req.namespace, req.name)) };
  }

  async createImplementationSpec(req: CreateImplementationSpecRequest): Promise<ResourceResponse> {
    if (!req.text?.trim()) throw invalid('text', 'is required: it is the prompt of the runs that use this spec');
    const namespace = this.resources.namespaceOf(req.namespace);
    const spec: ImplementationSpec = {
      apiVersion: 'agents.proompteng.ai/v1alpha1',
      kind: 'ImplementationSpec',
      metadata: { ...(req.name ? { name: req.name } : { generateName: 'impl-' }), namespace },
      spec: {
        text: req.text,
        ...(req.summary ? { summary: req.summary } : {}),
        source: req.source?.provider
          ? {
              provider: req.source.provider as 'manual',
              ...(req.source.externalId ? { externalId: req.source.externalId } : {}),
              ...(req.source.url ? { url: req.source.url } : {}),
            }
          : { provider: 'manual' },
      },
    };
    const created = await this.resources.create<ImplementationSpec>('ImplementationSpec', spec as never);
    this.record('create', 'ImplementationSpec', namespace, created.metadata.name);
    return { json: JSON.stringify(created) };
  }

  async submitAgentRun(req: SubmitAgentRunRequest): Promise<SubmitAgentRunResponse> {
    const { run, idempotent } = await this.runs.submit({ ...req, workload: req.workload ?? undefined });
    if (!idempotent)
      this.record('submit', 'AgentRun', run.metadata.namespace, run.metadata.name, {
        agent: req.agentName,
        idempotencyKey: req.idempotencyKey,
      });
    return {
      resourceJson: JSON.stringify(run),
      recordJson: await this.history.recordJson(run.metadata.uid!).catch(() => ''),
      idempotent,
    };
  }

  async cancelAgentRun(req: CancelAgentRunRequest): Promise<CancelAgentRunResponse> {
    const res = await this.runs.cancel(req.namespace, req.name);
    this.record('cancel', 'AgentRun', req.namespace, req.name);
    return res;
  }

  streamAgentRunStatus(req: StreamAgentRunStatusRequest): Observable<StreamAgentRunStatusResponse> {
    return this.runs
      .statusStream(req.namespace, req.name)
      .pipe(map((run) => ({ json: JSON.stringify(run), phase: run.status?.phase ?? '' })));
  }

  streamAgentRunLogs(
    req: StreamAgentRunLogsRequest,
    _metadata: unknown,
    call: Writable,
  ): Observable<StreamAgentRunLogsResponse> {
    return writeToCall(call, (flow) => this.runs.logs(req.namespace, req.name, req.follow, req.afterId ?? 0, flow));
  }

  /** Best effort: an audit row that cannot be written is logged, never fails the call. */
  record(
    action: string,
    kind: string,
    namespace: string | undefined,
    name: string | undefined,
    details?: Record<string, unknown>,
  ): void {
    this.audit
      .record({ actor: 'agentctl', action, kind, namespace, name, details })
      .catch((err: unknown) => this.logger.warn(`Audit of ${action} ${kind} ${name} not recorded: ${String(err)}`));
  }
}

// The CRUD quartet of every kind, as prototype methods, so the generated decorator can register them.
const proto = AgentctlGrpcController.prototype as unknown as Record<string, unknown>;
for (const { kind } of ALL_KINDS) {
  const plural = RPC_PLURALS[kind]!;
  // AgentRun reads are class methods (served from the watch cache).
  if (kind !== 'AgentRun') {
    proto[`list${plural}`] = async function (
      this: AgentctlGrpcController,
      req: ListRequest,
    ): Promise<ResourceResponse> {
      return { json: JSON.stringify(await this.resources.list(kind, req.namespace, req.labelSelector)) };
    };
    proto[`get${kind}`] = async function (this: AgentctlGrpcController, req: GetRequest): Promise<ResourceResponse> {
      return { json: JSON.stringify(await this.resources.get(kind, req.namespace, req.name)) };
    };
  }
  proto[`apply${kind}`] = async function (this: AgentctlGrpcController, req: ApplyRequest): Promise<ResourceResponse> {
    const applied = await this.resources.apply(kind, req.namespace, req.manifestYaml, req.dryRun);
    if (!req.dryRun) this.record('apply', kind, applied.metadata?.namespace, applied.metadata?.name);
    return { json: JSON.stringify(applied) };
  };
  proto[`delete${kind}`] = async function (this: AgentctlGrpcController, req: DeleteRequest): Promise<DeleteResponse> {
    const res = await this.resources.delete(kind, req.namespace, req.name);
    this.record('delete', kind, req.namespace, req.name);
    return res;
  };
  for (const m of [`list${plural}`, `get${kind}`, `apply${kind}`, `delete${kind}`]) {
    // Give the generated functions their RPC names (metrics label by handler name).
    if (typeof proto[m] === 'function') Object.defineProperty(proto[m], 'name', { value: m });
  }
}
AgentctlServiceControllerMethods()(AgentctlGrpcController);
