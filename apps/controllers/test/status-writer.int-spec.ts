import { CUSTOM, isConflict, type KubeApi, type KubeObjectLike } from '@agents/kube';
import { TestNamespace, testKubeConfig } from '@agents/testing';
import { FakeClock } from '../src/runtime/clock.js';
import { StatusWriter } from '../src/runtime/status-writer.js';
import { adminApi, create, runManifest } from './harness.js';

// Status writes against the real API server: a merge patch of /status that removes what the next status no longer
// has, names the field manager agents-status, and is refused (409) when computed from a stale copy.
type Run = KubeObjectLike & { spec?: unknown; status?: Record<string, unknown> };
let api: KubeApi;
let ns: TestNamespace;
const clock = new FakeClock(new Date('2026-12-07T10:00:00Z'));
const get = async (name: string) => (await api.get<Run>(CUSTOM.AgentRun!, ns.name, name))!;

beforeAll(async () => {
  api = await adminApi();
  ns = await TestNamespace.create(testKubeConfig(), 'ctl-status');
});
afterAll(async () => {
  await ns.delete();
  api.close();
});

it('writes what changed, removes what the next status dropped, and leaves the spec alone', async () => {
  // Not reconciled (no controllers run here): the test owns the status.
  await create(api, runManifest(ns.name, 'r1'));
  const writer = new StatusWriter(api, clock);
  const blocked = {
    phase: 'Pending',
    reason: 'ConcurrencyLimit',
    message: 'held',
    runtimeRef: { type: 'job', name: 'r1-job', uid: 'u1' },
  };
  expect(await writer.write(CUSTOM.AgentRun!, await get('r1'), blocked)).toBe(true);
  const first = await get('r1');
  expect(first.status).toEqual({ ...blocked, updatedAt: '2026-12-07T10:00:00Z' });

  clock.advance(5000);
  const running = { phase: 'Running', runtimeRef: { type: 'job', name: 'r1-job' } };
  expect(await writer.write(CUSTOM.AgentRun!, first, running)).toBe(true);
  const second = await api.get<Run & { metadata: { managedFields?: { manager: string; subresource?: string }[] } }>(
    CUSTOM.AgentRun!,
    ns.name,
    'r1',
  );
  expect(second!.status).toEqual({ ...running, updatedAt: '2026-12-07T10:00:05Z' });
  expect(second!.spec).toEqual(first.spec);
  expect(second!.metadata.managedFields).toEqual(
    expect.arrayContaining([expect.objectContaining({ manager: 'agents-status', subresource: 'status' })]),
  );
});

it('is refused with 409 when the status was computed from a stale copy, and the stored status is kept', async () => {
  await create(api, runManifest(ns.name, 'r2'));
  const writer = new StatusWriter(api, clock);
  const stale = await get('r2');
  await writer.write(CUSTOM.AgentRun!, stale, { phase: 'Pending', reason: 'Submitted' });
  const err = await writer
    .write(CUSTOM.AgentRun!, stale, { phase: 'Failed', reason: 'InvalidSpec' })
    .catch((e: unknown) => e);
  expect(isConflict(err)).toBe(true);
  expect((await get('r2')).status).toMatchObject({ phase: 'Pending', reason: 'Submitted' });
});
