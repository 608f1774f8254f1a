import { BUILTIN, isAlreadyExists, isConflict, type KubeApi } from '@agents/kube';
import { Logger } from '@nestjs/common';

export interface LeaderElectionConfig {
  enabled: boolean;
  leaseName: string;
  leaseNamespace: string;
  identity: string;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
}

interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

export interface LeaderCallbacks {
  onStartedLeading(): void;
  /** Called when leadership is lost or released; the caller must stop every write at once. */
  onStoppedLeading(): void;
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
const microTime = (d: Date) => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: a candidate takes the lease only after
 * it has seen the holder's record unchanged for leaseDuration (local observation time, so clock skew between
 * replicas does not matter); the leader renews every retryPeriod and steps down when it could not renew within
 * renewDeadline — strictly less than leaseDuration, so it stops writing before anyone else may start.
 */
export class LeaderElector {
  private readonly logger = new Logger(LeaderElector.name);
  private readonly abort = new AbortController();
  private observed: { record: string; at: number } | undefined;
  private leading = false;
  private loop: Promise<void> | undefined;
  /** Fires renewDeadline after the last successful renewal: the leader steps down even if a request hangs. */
  private deadline: NodeJS.Timeout | undefined;
  lastError: string | undefined;

  constructor(
    private readonly api: KubeApi,
    private readonly config: LeaderElectionConfig,
    private readonly callbacks: LeaderCallbacks,
  ) {
    if (config.renewDeadlineSeconds >= config.leaseDurationSeconds) {
      throw new Error(
        `leader election: renew deadline (${config.renewDeadlineSeconds}s) must be shorter than the lease duration (${config.leaseDurationSeconds}s)`,
      );
    }
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    if (!this.config.enabled) {
      this.leading = true;
      this.callbacks.onStartedLeading();
      return;
    }
    this.loop ??= this.run();
  }

  /** Stops; a leader releases the lease so a successor need not wait for it to expire. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    clearTimeout(this.deadline);
    if (this.leading && this.config.enabled) {
      this.setLeading(false);
      await this.release().catch((err: unknown) => this.logger.warn(`Releasing the lease failed: ${String(err)}`));
    }
  }

  private async run(): Promise<void> {
    const retry = this.config.retryPeriodSeconds * 1000;
    while (!this.abort.signal.aborted) {
      const result = await this.tryAcquireOrRenew().catch((err: unknown): 'error' => {
        this.lastError = err instanceof Error ? err.message : String(err);
        return 'error';
      });
      if (result === 'held' && this.leading) {
        this.logger.warn('Lost leadership: another replica holds the lease');
        this.setLeading(false);
      } else if (result === 'acquired') {
        clearTimeout(this.deadline);
        this.deadline = setTimeout(() => {
          if (!this.leading) return;
          this.logger.warn(`Lost leadership: could not renew within ${this.config.renewDeadlineSeconds}s`);
          this.setLeading(false);
        }, this.config.renewDeadlineSeconds * 1000);
        if (!this.leading) {
          const { leaseNamespace, leaseName, identity } = this.config;
          this.logger.log(`Became leader (lease ${leaseNamespace}/${leaseName}, identity ${identity})`);
          this.setLeading(true);
        }
      }
      // Leaders renew on the retry period; candidates poll with jitter.
      await sleep(this.leading ? retry : retry * (1 + Math.random() * 0.2), this.abort.signal);
    }
  }

  private setLeading(value: boolean): void {
    if (this.leading === value) return;
    this.leading = value;
    if (value) this.callbacks.onStartedLeading();
    else this.callbacks.onStoppedLeading();
  }

  /** 'acquired' (we hold it now), 'held' (someone else does) or 'error'. */
  private async tryAcquireOrRenew(): Promise<'acquired' | 'held' | 'error'> {
    const { leaseName, leaseNamespace, identity, leaseDurationSeconds } = this.config;
    const now = new Date();
    const lease = await this.api.get<Lease>(BUILTIN.lease, leaseNamespace, leaseName);
    if (!lease) {
      try {
        await this.api.create(BUILTIN.lease, {
          metadata: { name: leaseName, namespace: leaseNamespace },
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds,
            acquireTime: microTime(now),
            renewTime: microTime(now),
            leaseTransitions: 0,
          },
        });
        this.lastError = undefined;
        return 'acquired';
      } catch (err) {
        if (isAlreadyExists(err)) return 'held';
        throw err;
      }
    }
    const spec = lease.spec ?? {};
    const record = JSON.stringify(spec);
    if (this.observed?.record !== record) this.observed = { record, at: Date.now() };
    const heldByOther = !!spec.holderIdentity && spec.holderIdentity !== identity;
    const duration = (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
    if (heldByOther && this.observed.at + duration > Date.now()) return 'held';
    const iAmHolder = spec.holderIdentity === identity;
    try {
      await this.api.request('PUT', `/apis/coordination.k8s.io/v1/namespaces/${leaseNamespace}/leases/${leaseName}`, {
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: leaseName, namespace: leaseNamespace, resourceVersion: lease.metadata.resourceVersion },
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds,
            acquireTime: iAmHolder && spec.acquireTime ? spec.acquireTime : microTime(now),
            renewTime: microTime(now),
            leaseTransitions: (spec.leaseTransitions ?? 0) + (iAmHolder ? 0 : 1),
          },
        },
      });
      this.lastError = undefined;
      return 'acquired';
    } catch (err) {
      if (isConflict(err)) return 'held';
      throw err;
    }
  }

  private async release(): Promise<void> {
    const { leaseName, leaseNamespace, identity } = this.config;
    const lease = await this.api.get<Lease>(BUILTIN.lease, leaseNamespace, leaseName);
    if (lease?.spec?.holderIdentity !== identity) return;
    const now = microTime(new Date());
    await this.api.request('PUT', `/apis/coordination.k8s.io/v1/namespaces/${leaseNamespace}/leases/${leaseName}`, {
      body: {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: leaseName, namespace: leaseNamespace, resourceVersion: lease.metadata.resourceVersion },
        spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now },
      },
    });
    this.logger.log('Released the lease');
  }
}
