import { cacheTransforms, StringInterner } from './transforms.js';

const JOB = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: {
    name: 'run-a',
    namespace: 'team',
    uid: 'job-uid',
    resourceVersion: '42',
    creationTimestamp: '2026-12-02T10:00:00Z',
    labels: {
      'agents.proompteng.ai/agent-run': 'run-a',
      'batch.kubernetes.io/job-name': 'run-a',
      'job-name': 'run-a',
      'controller-uid': 'job-uid',
    },
    annotations: { 'batch.kubernetes.io/job-tracking': '', 'agents.proompteng.ai/spec-hash': 'abc' },
    finalizers: ['batch.kubernetes.io/job-tracking'],
    ownerReferences: [{ apiVersion: 'agents.proompteng.ai/v1alpha1', kind: 'AgentRun', name: 'run-a', uid: 'run-uid' }],
    managedFields: [{ manager: 'controllers' }],
  },
  spec: { template: { spec: { containers: [{ name: 'agent-runner', image: 'runner:1' }] } } },
  status: {
    active: 1,
    startTime: '2026-12-02T10:00:01Z',
    ready: 1,
    uncountedTerminatedPods: {},
    conditions: [
      { type: 'Complete', status: 'True', reason: 'CompletionsReached', message: 'done', lastProbeTime: 't' },
    ],
  },
};

describe('cache transforms', () => {
  const transforms = cacheTransforms([{ group: 'agents.proompteng.ai', plural: 'agentruns' }]);

  it('keeps of a Job its identity, owner, our labels and annotations, and the status a run is computed from', () => {
    const { labels: _l, annotations: _a, finalizers: _f, managedFields: _m, ...identity } = JOB.metadata;
    expect(transforms.get('batch/jobs')!(structuredClone(JOB))).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        ...identity,
        labels: { 'agents.proompteng.ai/agent-run': 'run-a' },
        annotations: { 'agents.proompteng.ai/spec-hash': 'abc' },
      },
      status: {
        active: 1,
        startTime: '2026-12-02T10:00:01Z',
        conditions: [{ type: 'Complete', status: 'True', reason: 'CompletionsReached', message: 'done' }],
      },
    });
  });

  it('keeps of a pod its phase and of each container only how it exited', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { ...JOB.metadata, name: 'run-a-x', annotations: { 'kwok.x-k8s.io/node': 'fake' } },
      spec: { nodeName: 'kwok-node-0' },
      status: {
        phase: 'Succeeded',
        containerStatuses: [
          {
            name: 'agent-runner',
            image: 'runner:1',
            state: { terminated: { exitCode: 0, message: '{"ok":true}', containerID: 'c', finishedAt: 't' } },
          },
          { name: 'sidecar', state: { running: { startedAt: 'x' } } },
        ],
      },
    };
    const cached = transforms.get('/pods')!(pod) as typeof pod;
    expect(cached.metadata.annotations).toBeUndefined();
    expect(cached.spec).toBeUndefined();
    expect(cached.status).toEqual({
      phase: 'Succeeded',
      containerStatuses: [
        { name: 'agent-runner', state: { terminated: { exitCode: 0, message: '{"ok":true}' } } },
        { name: 'sidecar', state: {} },
      ],
    });
  });

  it('keeps all of a custom resource but its managed fields and last-applied copy', () => {
    const run = {
      apiVersion: 'agents.proompteng.ai/v1alpha1',
      kind: 'AgentRun',
      metadata: {
        name: 'run-a',
        labels: { 'job-name': 'kept on our own kinds' },
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', note: 'kept' },
        managedFields: [{}],
      },
      spec: { agentRef: { name: 'codex' }, parameters: { prompt: 'x'.repeat(1000) } },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False', reason: 'InProgress' }] },
    };
    const { managedFields: _m, ...metadata } = run.metadata;
    expect(transforms.get('agents.proompteng.ai/agentruns')!(structuredClone(run))).toEqual({
      ...run,
      metadata: { ...metadata, annotations: { note: 'kept' } },
    });
  });
});

describe('StringInterner', () => {
  it('keeps one entry per distinct short string, however many objects carry it', () => {
    const interner = new StringInterner();
    for (let i = 0; i < 100; i++)
      interner.internAll({ metadata: { namespace: 'team', labels: { a: 'agent-x' } }, list: ['Ready', 'Ready'] });
    expect(interner.size).toBe(3);
  });

  it('leaves long strings (prompts, terminal messages) out of the pool', () => {
    const interner = new StringInterner();
    const long = 'p'.repeat(257);
    expect(interner.internAll({ prompt: long, reason: 'Done' })).toEqual({ prompt: long, reason: 'Done' });
    expect(interner.size).toBe(1);
  });

  it('starts over when full, so unique values cannot grow it without end', () => {
    const interner = new StringInterner(10);
    for (let i = 0; i < 1_000; i++) interner.intern(`uid-${i}`);
    expect(interner.size).toBeLessThanOrEqual(10);
    expect(interner.intern('uid-999')).toBe('uid-999');
  });

  it('changes no value it replaces (arrays, nesting, numbers, nulls)', () => {
    const value = { a: [1, 'x', null, { b: ['y', true] }], c: null, d: 0 };
    expect(new StringInterner().internAll(structuredClone(value))).toEqual(value);
  });
});
