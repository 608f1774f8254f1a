import type { AgentRun } from '@agents/api';
import { makeRun, testConfig } from '../../../test/builders.js';
import { ReadinessService } from '../../health/readiness.service.js';
import type { ControllerContext } from '../../runtime/controller-context.js';
import { ControllerMetrics } from '../../runtime/metrics.js';
import {
  AgentRunHousekeeping,
  IngestionHealth,
  describeProblems,
  ingestionProblems,
  isUntouched,
  orphanPods,
  summarizeRuns,
  type PodLike,
} from './agent-run.housekeeping.js';

const now = new Date('2026-01-01T01:00:00Z');
const run = (name: string, status?: AgentRun['status'], generation = 1, ns = 'ns'): AgentRun => {
  const r = makeRun(name, ns).status(status).build();
  r.metadata.generation = generation;
  return r;
};
const pending = { phase: 'Pending', observedGeneration: 1 } as const;
const admitted = { ...pending, runtimeRef: { type: 'job', name: 'x-job' } };

describe('isUntouched', () => {
  const cases: [string, AgentRun, boolean][] = [
    ['a new run without any status is untouched', run('new'), true],
    ['a run with a status but no phase is untouched', run('empty', {}), true],
    ['a held run the controller wrote for this generation is handled', run('held', pending), false],
    ['a running run whose spec changed since its status was written is untouched', run('drift', admitted, 2), true],
    [
      'a running run whose status records no generation is untouched',
      run('nogen', { phase: 'Running', runtimeRef: { type: 'job', name: 'x' } }),
      true,
    ],
    [
      'a finished run is handled whatever was edited after (its status is final)',
      run('done', { phase: 'Succeeded', observedGeneration: 1 }, 3),
      false,
    ],
  ];
  it.each(cases)('%s', (_name, r, expected) => expect(isUntouched(r)).toBe(expected));

  it('does not count a run being deleted (deletion has its own path)', () => {
    const r = run('going');
    r.metadata.deletionTimestamp = '2026-01-01T00:59:00Z';
    expect(isUntouched(r)).toBe(false);
  });
});

describe('summarizeRuns', () => {
  it('counts admitted, waiting and untouched runs per namespace, with the oldest untouched age', () => {
    const old = run('old');
    old.metadata.creationTimestamp = '2026-01-01T00:50:00Z';
    const young = run('young');
    young.metadata.creationTimestamp = '2026-01-01T00:59:30Z';
    const summary = summarizeRuns(
      [
        old,
        young,
        run('held', pending),
        run('running', { ...admitted, phase: 'Running' }),
        run('starting', admitted),
        run('done', { phase: 'Succeeded', observedGeneration: 1 }),
        run('elsewhere', { ...admitted, phase: 'Running' }, 1, 'other'),
      ],
      now,
    );
    expect(Object.fromEntries(summary)).toEqual({
      ns: { active: 2, queued: 3, untouched: 2, oldestUntouchedSeconds: 600 },
      other: { active: 1, queued: 0, untouched: 0, oldestUntouchedSeconds: 0 },
    });
  });
});

describe('ingestionProblems', () => {
  const summary = (oldestUntouchedSeconds: number, ns = 'ns') =>
    new Map([[ns, { active: 0, queued: 1, untouched: oldestUntouchedSeconds ? 1 : 0, oldestUntouchedSeconds }]]);
  const thresholds = { warnAfterSeconds: 120, silenceWarnSeconds: 180 };

  it.each<[string, number, number | undefined, string | undefined]>([
    ['a run that waited past the threshold', 121, 5, 'AgentRuns untouched for over 120s'],
    ['a run that has not waited long enough yet', 120, 5, undefined],
    ['a watch silent past its threshold (blind)', 0, 181, 'no AgentRun watch events for over 180s'],
    ['a watch silent for less than that (a quiet namespace)', 0, 179, undefined],
    ['both at once', 300, 300, 'AgentRuns untouched for over 120s and no AgentRun watch events for over 180s'],
    ['a namespace no watch covers', 0, undefined, undefined],
  ])('reports %s', (_case, untouched, silence, want) => {
    expect(ingestionProblems(summary(untouched), thresholds, () => silence).get('ns')).toBe(want);
  });

  it('looks only at namespaces with runs cached', () => {
    expect(ingestionProblems(new Map(), thresholds, () => 10_000)).toEqual(new Map());
  });

  it('groups namespaces by reason in the readiness message', () => {
    expect(
      describeProblems(
        new Map([
          ['b', 'AgentRuns untouched for over 120s'],
          ['c', 'no AgentRun watch events for over 180s'],
          ['a', 'AgentRuns untouched for over 120s'],
        ]),
      ),
    ).toBe('AgentRuns untouched for over 120s in a, b; no AgentRun watch events for over 180s in c');
  });
});

describe('IngestionHealth', () => {
  const problem = new Map([['ns', 'AgentRuns untouched for over 120s']]);
  const none = new Map<string, string>();
  const names = (m: Map<string, string>) => [...m.keys()];

  it('degrades a namespace with a problem, and recovers after two healthy resyncs', () => {
    const health = new IngestionHealth();
    expect(names(health.observe(none))).toEqual([]);
    expect(health.observe(problem)).toEqual(problem);
    expect(health.observe(none)).toEqual(problem);
    expect(names(health.observe(none))).toEqual([]);
  });

  it('starts counting healthy resyncs again after a relapse, and keeps the last problem seen', () => {
    const health = new IngestionHealth();
    health.observe(problem);
    health.observe(none);
    const blind = new Map([['ns', 'no AgentRun watch events for over 180s']]);
    expect(health.observe(blind)).toEqual(blind);
    expect(health.observe(none)).toEqual(blind);
    expect(names(health.observe(none))).toEqual([]);
  });
});

describe('orphanPods', () => {
  const pod = (name: string, phase: string, created: string, owners: PodLike['metadata']['ownerReferences'] = []) =>
    ({
      metadata: { name, namespace: 'ns', uid: `${name}-uid`, creationTimestamp: created, ownerReferences: owners },
      status: { phase },
    }) as PodLike;
  const jobRef = (name: string, uid: string) => [{ apiVersion: 'batch/v1', kind: 'Job', name, uid }];
  const jobs = new Map([['live-job', 'live-uid']]);
  const jobExists = (_ns: string, name: string, uid: string) => jobs.get(name) === uid;
  const day = 86_400;

  it('picks finished pods past the retention whose Job is gone, oldest first', () => {
    const pods = [
      pod('orphaned', 'Succeeded', '2025-12-30T00:00:00Z'),
      pod('failed-older', 'Failed', '2025-12-29T00:00:00Z'),
      pod('job-deleted', 'Succeeded', '2025-12-30T12:00:00Z', jobRef('gone-job', 'gone-uid')),
      pod('job-recreated', 'Succeeded', '2025-12-30T12:00:00Z', jobRef('live-job', 'old-uid')),
      pod('owned', 'Succeeded', '2025-12-29T00:00:00Z', jobRef('live-job', 'live-uid')),
      pod('still-running', 'Running', '2025-12-29T00:00:00Z'),
      pod('too-young', 'Succeeded', '2026-01-01T00:30:00Z'),
      pod('owned-by-something-else', 'Succeeded', '2025-12-29T00:00:00Z', [
        { apiVersion: 'v1', kind: 'Node', name: 'n', uid: 'n-uid' },
      ]),
    ];
    expect(orphanPods(pods, jobExists, now, day).map((p) => p.metadata.name)).toEqual([
      'failed-older',
      'orphaned',
      'job-deleted',
      'job-recreated',
    ]);
  });

  it('with a retention of 0 takes a pod as soon as it finished without its Job; never a pod being deleted', () => {
    const going = pod('going', 'Succeeded', '2026-01-01T00:59:59Z');
    going.metadata.deletionTimestamp = '2026-01-01T01:00:00Z';
    const pods = [pod('just-now', 'Succeeded', '2026-01-01T00:59:59Z'), going];
    expect(orphanPods(pods, jobExists, now, 0).map((p) => p.metadata.name)).toEqual(['just-now']);
  });
});

describe('AgentRunHousekeeping', () => {
  const setUp = (env: Record<string, string> = {}) => {
    const readiness = new ReadinessService();
    const deleted: string[] = [];
    const ctx = {
      metrics: new ControllerMetrics(),
      config: testConfig({ JANGAR_AGENTS_CONTROLLER_UNTOUCHED_WARN_AFTER_SECONDS: '60', ...env }),
      clock: { now: () => now },
      api: {
        delete: async (_r: unknown, _ns: string, name: string) => {
          deleted.push(name);
          return true;
        },
      },
    } as unknown as ControllerContext;
    const stale = run('stale');
    const orphan = (name: string) =>
      ({
        metadata: { name, namespace: 'ns', creationTimestamp: '2025-12-01T00:00:00Z' },
        status: { phase: 'Failed' },
      }) as PodLike;
    const housekeeping = new AgentRunHousekeeping(
      ctx,
      {
        runs: () => [stale],
        pods: () => [orphan('p1'), orphan('p2'), orphan('p3')],
        jobUid: () => undefined,
        watchSilenceSeconds: () => 1,
      },
      readiness,
    );
    return { housekeeping, readiness, deleted, metrics: ctx.metrics };
  };

  it('marks ingestion degraded while it leads, and forgets it when leadership is lost', async () => {
    const { housekeeping, readiness } = setUp();
    await housekeeping.sweep();
    expect(readiness.degraded()).toEqual([
      'agentrun-ingestion: agentrun_ingestion_not_ready: AgentRuns untouched for over 60s in ns',
    ]);
    housekeeping.stopLeading();
    expect(readiness.degraded()).toEqual([]);
    await housekeeping.sweep();
    expect(readiness.degraded()).toHaveLength(1);
  });

  it('deletes orphaned pods in delete mode up to the bound per sweep, oldest first, and counts them', async () => {
    const { housekeeping, deleted, metrics } = setUp({
      JANGAR_AGENTS_CONTROLLER_RUNTIME_DEBRIS_CLEANUP_MODE: 'delete',
      JANGAR_AGENTS_CONTROLLER_RUNTIME_DEBRIS_MAX_DELETES_PER_NAMESPACE: '2',
    });
    await housekeeping.sweep();
    expect(deleted).toHaveLength(2);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^agents_runtime_debris_orphan_pods\{namespace="ns"\} 3$/m);
    expect(text).toMatch(/^agents_runtime_debris_deleted_pods_total\{namespace="ns"\} 2$/m);
    expect(text).toMatch(/^agents_agentrun_untouched_backlog\{namespace="ns"\} 1$/m);
    expect(text).toMatch(/^agents_agent_queue_depth\{namespace="ns"\} 1$/m);
  });

  it('leaves everything alone when disabled (the default)', async () => {
    const { housekeeping, deleted, metrics } = setUp();
    await housekeeping.sweep();
    expect(deleted).toEqual([]);
    expect(await metrics.registry.metrics()).not.toMatch(/^agents_runtime_debris_orphan_pods\{/m);
  });
});
