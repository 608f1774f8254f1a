import { jest } from '@jest/globals';
import { KubeApiError, type KubeApi } from '@agents/kube';
import { LeaderElector, type LeaderElectionConfig } from './leader-election.js';

type Lease = { metadata: { name: string; namespace: string; resourceVersion: string }; spec: Record<string, unknown> };

/** An in-memory Lease endpoint with optimistic concurrency, that can be made to fail (a partition). */
class LeaseApi {
  lease: Lease | undefined;
  version = 0;
  partitioned = false;

  async get(): Promise<Lease | undefined> {
    if (this.partitioned) throw new Error('connection refused');
    return this.lease && structuredClone(this.lease);
  }

  async create(_r: unknown, obj: Lease): Promise<Lease> {
    if (this.partitioned) throw new Error('connection refused');
    if (this.lease) throw new KubeApiError(409, 'AlreadyExists', 'exists', 'POST', '/leases');
    this.lease = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.version) } };
    return this.lease;
  }

  async request(_m: string, _p: string, { body }: { body: Lease }): Promise<Lease> {
    if (this.partitioned) throw new Error('connection refused');
    if (body.metadata.resourceVersion !== this.lease?.metadata.resourceVersion)
      throw new KubeApiError(409, 'Conflict', 'conflict', 'PUT', '/leases');
    this.lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(++this.version) } };
    return this.lease;
  }
}

const config = (identity: string): LeaderElectionConfig => ({
  enabled: true,
  leaseName: 'l',
  leaseNamespace: 'ns',
  identity,
  leaseDurationSeconds: 15,
  renewDeadlineSeconds: 10,
  retryPeriodSeconds: 2,
});

describe('LeaderElector', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function elector(api: LeaseApi, identity: string) {
    const log: string[] = [];
    const e = new LeaderElector(api as unknown as KubeApi, config(identity), {
      onStartedLeading: () => log.push(`${identity} started`),
      onStoppedLeading: () => log.push(`${identity} stopped`),
    });
    return { e, log };
  }

  it('lets one of two candidates lead', async () => {
    const api = new LeaseApi();
    const a = elector(api, 'a');
    const b = elector(api, 'b');
    a.e.start();
    await jest.advanceTimersByTimeAsync(100);
    b.e.start();
    await jest.advanceTimersByTimeAsync(10_000);
    expect([a.e.isLeader, b.e.isLeader]).toEqual([true, false]);
    expect(api.lease?.spec.holderIdentity).toBe('a');
  });

  it('a partitioned leader stops within the renew deadline, before anyone may take over', async () => {
    const api = new LeaseApi();
    const a = elector(api, 'a');
    a.e.start();
    await jest.advanceTimersByTimeAsync(100);
    expect(a.e.isLeader).toBe(true);
    await jest.advanceTimersByTimeAsync(1_950);
    const renewedAt = Date.now();
    api.partitioned = true;
    await jest.advanceTimersByTimeAsync(9_900);
    expect(a.e.isLeader).toBe(true);
    // Exactly renewDeadline (10 s) after its last renewal, 5 s before the 15 s lease could go to another replica.
    await jest.advanceTimersByTimeAsync(200);
    expect(a.log).toEqual(['a started', 'a stopped']);
    expect(Date.now() - renewedAt).toBeLessThanOrEqual(10_100);
  });

  it('a candidate takes over only after the lease went unrenewed for its duration', async () => {
    const api = new LeaseApi();
    const now = Date.now();
    api.lease = {
      metadata: { name: 'l', namespace: 'ns', resourceVersion: '1' },
      spec: { holderIdentity: 'dead', leaseDurationSeconds: 15, renewTime: new Date(now).toISOString() },
    };
    const b = elector(api, 'b');
    b.e.start();
    await jest.advanceTimersByTimeAsync(14_000);
    expect(b.e.isLeader).toBe(false);
    await jest.advanceTimersByTimeAsync(4_000);
    expect(b.e.isLeader).toBe(true);
  });

  it('refuses a renew deadline that is not shorter than the lease', () => {
    expect(
      () =>
        new LeaderElector(
          {} as KubeApi,
          { ...config('x'), renewDeadlineSeconds: 15 },
          { onStartedLeading() {}, onStoppedLeading() {} },
        ),
    ).toThrow(/renew deadline \(15s\) must be shorter than the lease duration \(15s\)/);
  });
});
