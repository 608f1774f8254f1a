import type { KubeApi, KubeObjectLike, ResourceType } from '@agents/kube';
import { FakeClock } from './clock.js';
import { StatusWriter, statusPatch } from './status-writer.js';

const AGENT_RUNS: ResourceType = {
  group: 'agents.proompteng.ai',
  version: 'v1alpha1',
  plural: 'agentruns',
  kind: 'AgentRun',
  namespaced: true,
};

describe('statusPatch', () => {
  it.each([
    [
      'sends only the fields that changed',
      { phase: 'Pending', a: 1 },
      { phase: 'Running', a: 1 },
      { phase: 'Running' },
    ],
    [
      'adds a field the stored status lacks',
      { phase: 'Pending' },
      { phase: 'Pending', startedAt: 't' },
      { startedAt: 't' },
    ],
    [
      'nulls a field the next status no longer has',
      { phase: 'Pending', reason: 'Blocked' },
      { phase: 'Running' },
      { phase: 'Running', reason: null },
    ],
    [
      'treats a field set to undefined as removed',
      { reason: 'Blocked', message: 'm' },
      { reason: undefined, message: 'm' },
      { reason: null },
    ],
    [
      'nulls a field removed from a nested object, keeps its siblings',
      { runtimeRef: { type: 'job', name: 'j', uid: 'u' } },
      { runtimeRef: { type: 'job', name: 'j' } },
      { runtimeRef: { uid: null } },
    ],
    [
      'replaces a list whole when any element changed',
      {
        conditions: [
          { type: 'A', status: 'False' },
          { type: 'B', status: 'True' },
        ],
      },
      {
        conditions: [
          { type: 'A', status: 'True' },
          { type: 'B', status: 'True' },
        ],
      },
      {
        conditions: [
          { type: 'A', status: 'True' },
          { type: 'B', status: 'True' },
        ],
      },
    ],
    ['writes the whole status when there was none', undefined, { phase: 'Pending' }, { phase: 'Pending' }],
    ['is empty when nothing changed', { phase: 'Running' }, { phase: 'Running' }, {}],
  ])('%s', (_name, previous, next, expected) => {
    expect(statusPatch(previous, next)).toEqual(expected);
  });
});

describe('StatusWriter', () => {
  const clock = new FakeClock(new Date('2026-12-07T10:00:00.500Z'));
  const run = (status?: object): KubeObjectLike & { status?: object } => ({
    apiVersion: 'agents.proompteng.ai/v1alpha1',
    kind: 'AgentRun',
    metadata: { name: 'r1', namespace: 'team', resourceVersion: '42' },
    status,
  });
  const recorder = () => {
    const calls: { namespace?: string; name: string; patch: unknown; opts: unknown }[] = [];
    const api = {
      mergePatch: (_r: ResourceType, namespace: string | undefined, name: string, patch: unknown, opts: unknown) => {
        calls.push({ namespace, name, patch, opts });
        return Promise.resolve({ metadata: { name, namespace, resourceVersion: '43' } });
      },
    } as unknown as KubeApi;
    return { api, calls };
  };

  it('patches /status with what changed, the resourceVersion it was computed from and its field manager', async () => {
    const { api, calls } = recorder();
    const written: KubeObjectLike[] = [];
    const writer = new StatusWriter(api, clock, (_r, o) => written.push(o));
    const stored = { phase: 'Pending', reason: 'Blocked', updatedAt: '2026-12-07T09:00:00Z' };
    expect(await writer.write(AGENT_RUNS, run(stored), { phase: 'Running' })).toBe(true);
    expect(calls).toEqual([
      {
        namespace: 'team',
        name: 'r1',
        patch: {
          metadata: { resourceVersion: '42' },
          status: { phase: 'Running', reason: null, updatedAt: '2026-12-07T10:00:00Z' },
        },
        opts: { subresource: 'status', fieldManager: 'agents-status' },
      },
    ]);
    expect(written.map((o) => o.metadata?.resourceVersion)).toEqual(['43']);
  });

  it('writes nothing when only the write timestamp would change', async () => {
    const { api, calls } = recorder();
    const writer = new StatusWriter(api, clock);
    const stored = { phase: 'Running', updatedAt: '2026-12-07T09:00:00Z' };
    expect(await writer.write(AGENT_RUNS, run(stored), { ...stored, updatedAt: 'later' })).toBe(false);
    expect(calls).toEqual([]);
  });
});
