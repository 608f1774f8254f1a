// The control plane's gRPC API as agentctl uses it: parsed objects in, CliErrors out.
import {
  connectivityState,
  status,
  type CallOptions,
  type ClientReadableStream,
  type Metadata,
  type ServiceError,
} from '@grpc/grpc-js';
import {
  authMetadata,
  createAgentctlClient,
  type AgentctlServiceClient,
  type CancelAgentRunResponse,
  type DeleteResponse,
  type GetControlPlaneStatusResponse,
  type GetServerInfoResponse,
  type StreamAgentRunLogsResponse,
  type SubmitAgentRunRequest,
} from '@agents/proto/client';
import { asObject, listItems, parseServerJson, type KubeObj } from '../resources/kube-object.js';
import { AGENT_RUN_KIND, type ResourceKind } from '../resources/resource-kinds.js';
import { grpcError, type CallTarget, type ConnectionInfo } from './grpc.errors.js';

type Callback<Res> = (err: ServiceError | null, res: Res) => void;
type UnaryMethod<Req, Res> = (req: Req, md: Metadata, opts: Partial<CallOptions>, cb: Callback<Res>) => unknown;
type StreamMethod<Req, Res> = (req: Req, md: Metadata) => ClientReadableStream<Res>;

export interface ConnectionSettings extends ConnectionInfo {
  token?: string;
}

export interface ListFilter {
  labelSelector?: string;
  phase?: string;
  runtime?: string;
}

export interface SubmittedRun {
  run: KubeObj;
  record?: unknown;
  idempotent: boolean;
}

export interface RunStatusUpdate {
  run: KubeObj;
  phase: string;
}

export class ControlPlaneClient {
  private readonly client: AgentctlServiceClient;

  constructor(private readonly conn: ConnectionSettings) {
    this.client = createAgentctlClient({ address: conn.address });
  }

  close(): void {
    this.client.close();
  }

  serverInfo(): Promise<GetServerInfoResponse> {
    return this.unary('getServerInfo', {}, { verb: 'get the version of', kind: 'the control plane' });
  }

  controlPlaneStatus(namespace: string): Promise<GetControlPlaneStatusResponse> {
    return this.unary('getControlPlaneStatus', { namespace }, { verb: 'get the status of', kind: 'the control plane' });
  }

  async list(kind: ResourceKind, namespace: string, filter: ListFilter = {}): Promise<KubeObj[]> {
    const req: Record<string, unknown> = { namespace, labelSelector: filter.labelSelector ?? '' };
    if (kind === AGENT_RUN_KIND) Object.assign(req, { phase: filter.phase ?? '', runtime: filter.runtime ?? '' });
    const res = await this.unary<{ json: string }>(kind.rpc.list, req, {
      verb: 'list',
      kind: kind.info.plural,
      namespace,
    });
    return listItems(parseServerJson(res.json, `the ${kind.info.plural} list`), `the ${kind.info.plural} list`);
  }

  async get(kind: ResourceKind, namespace: string, name: string): Promise<KubeObj> {
    const target = { verb: 'get', kind: kind.info.singular, name, namespace };
    const res = await this.unary<{ json: string }>(kind.rpc.get, { namespace, name }, target);
    return asObject(parseServerJson(res.json, `${kind.info.singular} ${name}`), `${kind.info.singular} ${name}`);
  }

  async apply(
    kind: ResourceKind,
    namespace: string,
    name: string,
    manifest: string,
    dryRun: boolean,
  ): Promise<KubeObj> {
    // No name in the target: NOT_FOUND on apply is about something else (a namespace, a referenced object).
    const target = { verb: 'apply', kind: `${kind.info.singular}/${name}`, namespace };
    const res = await this.unary<{ json: string }>(
      kind.rpc.apply,
      { namespace, manifestYaml: manifest, dryRun },
      target,
    );
    return asObject(parseServerJson(res.json, `${kind.info.singular} ${name}`), `${kind.info.singular} ${name}`);
  }

  delete(kind: ResourceKind, namespace: string, name: string): Promise<DeleteResponse> {
    return this.unary(
      kind.rpc.delete,
      { namespace, name },
      { verb: 'delete', kind: kind.info.singular, name, namespace },
    );
  }

  async submitRun(req: SubmitAgentRunRequest): Promise<SubmittedRun> {
    const res = await this.unary<{ resourceJson: string; recordJson: string; idempotent: boolean }>(
      'submitAgentRun',
      req,
      {
        verb: 'submit',
        kind: 'an agentrun',
        namespace: req.namespace,
      },
    );
    const run = asObject(parseServerJson(res.resourceJson, 'the submitted agentrun'), 'the submitted agentrun');
    return {
      run,
      ...(res.recordJson ? { record: parseServerJson(res.recordJson, 'the run record') } : {}),
      idempotent: res.idempotent,
    };
  }

  cancelRun(namespace: string, name: string): Promise<CancelAgentRunResponse> {
    return this.unary('cancelAgentRun', { namespace, name }, { verb: 'cancel', kind: 'agentrun', name, namespace });
  }

  async *runStatus(namespace: string, name: string): AsyncGenerator<RunStatusUpdate> {
    const target = { verb: 'watch', kind: 'agentrun', name, namespace };
    for await (const msg of this.stream<{ json: string; phase: string }>(
      'streamAgentRunStatus',
      { namespace, name },
      target,
    )) {
      const run = asObject(parseServerJson(msg.json, `agentrun ${name}`), `agentrun ${name}`);
      yield { run, phase: msg.phase || run.status?.phase || 'Pending' };
    }
  }

  runLogs(
    namespace: string,
    name: string,
    follow: boolean,
    afterId: number,
  ): AsyncGenerator<StreamAgentRunLogsResponse> {
    return this.stream(
      'streamAgentRunLogs',
      { namespace, name, follow, afterId },
      {
        verb: 'read the logs of',
        kind: 'agentrun',
        name,
        namespace,
      },
    );
  }

  private method<F>(name: string): F {
    const fn = (this.client as unknown as Record<string, unknown>)[name];
    if (typeof fn !== 'function') throw new Error(`the generated client has no method ${name}`);
    return fn.bind(this.client) as F;
  }

  private unary<Res>(name: string, req: unknown, target: CallTarget): Promise<Res> {
    const call = this.method<UnaryMethod<unknown, Res>>(name);
    return new Promise<Res>((resolve, reject) => {
      call(req, authMetadata(this.conn.token), { deadline: Date.now() + this.conn.timeoutMs }, (err, res) =>
        err ? reject(grpcError(err, this.conn, target)) : resolve(res),
      );
    });
  }

  /**
   * Streams have no deadline (a run may take hours), so the connection gets one: wait until the channel is ready,
   * or has failed (the call then fails at once with the reason), for at most the request timeout.
   */
  private async connected(target: CallTarget): Promise<void> {
    const channel = this.client.getChannel();
    const deadline = Date.now() + this.conn.timeoutMs;
    for (;;) {
      const state = channel.getConnectivityState(true);
      if (state !== connectivityState.IDLE && state !== connectivityState.CONNECTING) return;
      await new Promise<void>((resolve, reject) =>
        channel.watchConnectivityState(state, deadline, (err) =>
          err
            ? reject(grpcError({ code: status.DEADLINE_EXCEEDED, details: err.message }, this.conn, target))
            : resolve(),
        ),
      );
    }
  }

  private async *stream<Res>(name: string, req: unknown, target: CallTarget): AsyncGenerator<Res> {
    await this.connected(target);
    const call = this.method<StreamMethod<unknown, Res>>(name)(req, authMetadata(this.conn.token));
    try {
      for await (const msg of call) yield msg as Res;
    } catch (err) {
      throw grpcError(err, this.conn, target);
    } finally {
      call.cancel();
    }
  }
}
