import { ALL_KINDS, crdName } from '@agents/api';
import { BUILTIN, checkCrds, crdGuardMessage, type CrdGuardResult, type KubeApi } from '@agents/kube';
import type { GetControlPlaneStatusResponse } from '@agents/proto/nest';
import { sql, type Kysely } from 'kysely';
import type { ControlPlaneConfig } from '../config/control-plane.config.js';
import type { Database } from '../database/schema.js';
import type { IngestService } from '../events/ingest.service.js';
import type { RunHistoryRecorder } from '../runs/run-history.recorder.js';

interface Lease {
  spec?: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number };
}

/** What the control plane knows about the system: its own dependencies, and the controllers seen through their Lease. */
export class StatusService {
  /** Missing CRDs found at start (or since the last check); empty when all are installed. */
  missingCrds: string[] = [];
  crdsCheckedAt = '';
  crdsForbidden = false;
  /** Set by main.ts once the gRPC server accepts connections: until then agentctl's calls would be refused. */
  grpcListening = false;

  constructor(
    private readonly api: KubeApi,
    private readonly db: Kysely<Database>,
    private readonly config: ControlPlaneConfig,
    private readonly ingest: IngestService | undefined,
    private readonly recorder: RunHistoryRecorder,
  ) {}

  /** Checks the CRDs of every kind (the control plane serves them all); remembers what is missing for /ready. */
  async checkCrds(): Promise<CrdGuardResult> {
    const result = await checkCrds(this.api, ALL_KINDS.map(crdName));
    this.missingCrds = result.missing;
    this.crdsForbidden = result.forbidden;
    this.crdsCheckedAt = new Date().toISOString();
    return result;
  }

  async database(): Promise<{ connected: boolean; latencyMs: number; message: string }> {
    const started = performance.now();
    try {
      await sql`select 1`.execute(this.db);
      return { connected: true, latencyMs: Math.round(performance.now() - started), message: '' };
    } catch (err) {
      return {
        connected: false,
        latencyMs: Math.round(performance.now() - started),
        message: err instanceof Error ? err.message : String(err),
      };
    }
  }

  /**
   * What works but less well: with NATS away the control plane still serves reads, streams and writes (so it stays
   * ready), but new agent events wait in the runners' buffers until it is back.
   */
  degraded(): string[] {
    return this.ingest && !this.ingest.connected
      ? [`agent-comms: ${this.ingest.lastError ?? 'not connected to NATS'}`]
      : [];
  }

  /** Reasons the control plane cannot serve (HTTP /ready answers 503 with them). */
  async notReady(): Promise<string[]> {
    const reasons: string[] = [];
    if (this.missingCrds.length)
      reasons.push(crdGuardMessage({ missing: this.missingCrds, forbidden: this.crdsForbidden, crossplane: [] })!);
    const db = await this.database();
    if (!db.connected) reasons.push(`postgres unreachable: ${db.message}`);
    if (!this.recorder.runs.hasSynced) reasons.push('AgentRun cache not synced yet');
    if (this.config.grpc.enabled && !this.grpcListening) reasons.push('gRPC server not listening yet');
    return reasons;
  }

  async status(namespace: string | undefined): Promise<GetControlPlaneStatusResponse> {
    const now = new Date();
    const db = await this.database();
    let leaseError: string | undefined;
    const lease = await this.api
      .get<Lease>(BUILTIN.lease, this.config.controllersLease.namespace, this.config.controllersLease.name)
      .catch((err: unknown) => {
        leaseError = err instanceof Error ? err.message : String(err);
        return undefined;
      });
    const renewed = lease?.spec?.renewTime ? Date.parse(lease.spec.renewTime) : NaN;
    const leaseAge = (now.getTime() - renewed) / 1000;
    const fresh = Number.isFinite(leaseAge) && leaseAge <= (lease?.spec?.leaseDurationSeconds ?? 30) * 2;
    const namespaces =
      this.config.namespaces === '*'
        ? namespace
          ? [namespace]
          : []
        : this.config.namespaces.filter((n) => !namespace || n === namespace);
    const degraded = [
      ...(this.missingCrds.length ? ['crds'] : []),
      ...(db.connected ? [] : ['database']),
      ...(this.ingest && !this.ingest.connected ? ['agent-comms'] : []),
      ...(fresh ? [] : ['controllers']),
    ];
    return {
      service: 'agents-control-plane',
      generatedAt: now.toISOString(),
      controllers: [
        {
          name: 'agents-controllers',
          enabled: true,
          started: !!lease,
          crdsReady: this.missingCrds.length === 0,
          missingCrds: this.missingCrds,
          lastCheckedAt: this.crdsCheckedAt,
          status: fresh ? 'healthy' : lease ? 'stale' : 'unknown',
          message: lease
            ? `leader ${lease.spec?.holderIdentity || '(none)'}, lease renewed ${Number.isFinite(leaseAge) ? `${Math.round(leaseAge)}s ago` : 'never'}`
            : leaseError
              ? `cannot read the leader Lease ${this.config.controllersLease.namespace}/${this.config.controllersLease.name}: ${leaseError}`
              : `no leader Lease ${this.config.controllersLease.namespace}/${this.config.controllersLease.name}: are the controllers running?`,
        },
      ],
      runtimeAdapters: [
        { name: 'job', available: true, status: 'available', message: 'Kubernetes Jobs', endpoint: '' },
      ],
      database: {
        configured: true,
        connected: db.connected,
        status: db.connected ? 'healthy' : 'unreachable',
        message: db.message,
        latencyMs: db.latencyMs,
      },
      grpc: {
        enabled: this.config.grpc.enabled,
        address: `${this.config.grpc.host}:${this.config.grpc.port}`,
        status: this.config.grpc.enabled ? 'serving' : 'disabled',
        message: this.config.grpc.token ? 'bearer token required' : '',
      },
      namespaces: namespaces.map((ns) => ({
        namespace: ns,
        status: degraded.length ? 'degraded' : 'healthy',
        degradedComponents: degraded,
      })),
    };
  }
}
