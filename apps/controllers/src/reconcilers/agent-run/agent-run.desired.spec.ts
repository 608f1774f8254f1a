import { makeAgent, makeImplementationSpec, makeProvider, makeRun, testConfig } from '../../../test/builders.js';
import { desiredConfigMap, desiredJob, jobName, mergeResources, runMetadata } from './agent-run.desired.js';
import { resolveRun, type RunLookup } from './agent-run.resolve.js';

const world: RunLookup = {
  agent: () => makeAgent('ns', { env: [{ name: 'LOG_LEVEL', value: 'debug' }] }),
  provider: () => makeProvider('ns', { secretEnv: [{ name: 'OPENAI_API_KEY', secretName: 'openai', key: 'k' }] }),
  implementationSpec: () => makeImplementationSpec(),
  memory: () => undefined,
  memories: () => [],
  versionControlProvider: () => undefined,
};

function resolved(run = makeRun().build(), env: Record<string, string> = {}) {
  const r = resolveRun(run, world, { kind: 'inline', text: 'be careful' }, testConfig(env));
  if (r.ok !== true) throw new Error(JSON.stringify(r));
  return r.resolved;
}

type Job = {
  metadata: { name: string; labels: Record<string, string>; ownerReferences: { uid: string; controller: boolean }[] };
  spec: {
    backoffLimit: number;
    ttlSecondsAfterFinished?: number;
    activeDeadlineSeconds?: number;
    template: {
      metadata: { annotations?: Record<string, string> };
      spec: Record<string, unknown> & { containers: Record<string, unknown>[] };
    };
  };
};

describe('desiredJob', () => {
  const run = makeRun('fix-1')
    .spec({ secrets: ['openai'] })
    .build();
  const job = desiredJob(run, resolved(run), testConfig(), { natsUrl: 'nats://nats:4222' }) as unknown as Job;
  const container = job.spec.template.spec.containers[0]!;

  it('has a deterministic name, the run labels and a controller ownerReference', () => {
    expect(job.metadata.name).toBe('fix-1-job');
    expect(jobName(run)).toBe('fix-1-job');
    expect(job.metadata.labels).toEqual({
      'agents.proompteng.ai/agent-run': 'fix-1',
      'agents.proompteng.ai/agent': 'agent',
      'agents.proompteng.ai/provider': 'shell',
      'agents.proompteng.ai/implementation': 'task',
    });
    expect(job.metadata.ownerReferences).toEqual([expect.objectContaining({ uid: 'fix-1-uid', controller: true })]);
  });

  it('never retries by default and is cleaned up after it finishes', () => {
    expect(job.spec.backoffLimit).toBe(0);
    expect(job.spec.ttlSecondsAfterFinished).toBe(600);
  });

  it('hands the runner its terminal status as the termination message', () => {
    expect(container).toMatchObject({
      name: 'agent-runner',
      image: 'runner:1',
      terminationMessagePath: '/workspace/.agent/status.json',
      terminationMessagePolicy: 'File',
    });
  });

  it('mounts run.json and agent-runner.json from the run ConfigMap into /workspace', () => {
    expect(container.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'run-spec', mountPath: '/workspace/run.json', subPath: 'run.json', readOnly: true },
        { name: 'run-spec', mountPath: '/workspace/agent-runner.json', subPath: 'agent-runner.json', readOnly: true },
      ]),
    );
    expect(job.spec.template.spec.volumes).toEqual(
      expect.arrayContaining([{ name: 'run-spec', configMap: { name: 'fix-1-spec' } }]),
    );
  });

  it('passes agent env, provider secret env, run secrets and NATS to the runner', () => {
    expect(container.env).toEqual(
      expect.arrayContaining([
        { name: 'LOG_LEVEL', value: 'debug' },
        { name: 'OPENAI_API_KEY', valueFrom: { secretKeyRef: { name: 'openai', key: 'k' } } },
        { name: 'NATS_URL', value: 'nats://nats:4222' },
      ]),
    );
    expect(container.envFrom).toEqual([{ secretRef: { name: 'openai' } }]);
  });

  it('takes pod settings from runtime.config over the controller defaults', () => {
    const custom = makeRun()
      .config({
        backoffLimit: 2,
        nodeSelector: { pool: 'agents' },
        podAnnotations: { a: 'b' },
        ttlSecondsAfterFinished: 5,
      })
      .build();
    const j = desiredJob(
      custom,
      resolved(custom),
      testConfig({ JANGAR_AGENT_RUNNER_NODE_SELECTOR: '{"pool":"default"}' }),
      { natsUrl: undefined },
    ) as unknown as Job;
    expect(j.spec.backoffLimit).toBe(2);
    expect(j.spec.template.spec.nodeSelector).toEqual({ pool: 'agents' });
    expect(j.spec.template.metadata.annotations).toEqual({ a: 'b' });
    expect(j.spec.ttlSecondsAfterFinished).toBe(30);
  });

  it('sets a deadline a minute past the run timeout', () => {
    const timed = makeRun().config({ timeoutSeconds: 600 }).build();
    expect(
      (desiredJob(timed, resolved(timed), testConfig(), { natsUrl: undefined }) as unknown as Job).spec
        .activeDeadlineSeconds,
    ).toBe(660);
  });

  it('is identical for identical inputs', () => {
    expect(desiredJob(run, resolved(run), testConfig(), { natsUrl: undefined })).toEqual(
      desiredJob(run, resolved(run), testConfig(), { natsUrl: undefined }),
    );
  });
});

describe('desiredConfigMap', () => {
  it('carries run.json with the rendered prompt and agent-runner.json with the provider', () => {
    const run = makeRun('fix-1')
      .spec({ parameters: { repo: 'acme/app', branch: 'main' } })
      .build();
    const cm = desiredConfigMap(run, resolved(run), testConfig());
    const runJson = JSON.parse(cm.data['run.json']!);
    const runnerJson = JSON.parse(cm.data['agent-runner.json']!);
    expect(runJson).toMatchObject({
      prompt: 'Fix acme/app on main',
      agentRun: { name: 'fix-1', uid: 'fix-1-uid' },
      systemPrompt: 'be careful',
    });
    expect(runnerJson).toMatchObject({
      schemaVersion: 'agents.proompteng.ai/runner/v1',
      provider: { binary: '/bin/sh', argsTemplate: ['-c', 'echo {{agentRun.name}}'] },
      events: { subjectPrefix: 'workflow.ns.fix-1.fix-1-uid.agent.agent.', agentId: 'agent' },
    });
  });
});

describe('helpers', () => {
  it('merges resources per key, later layers winning', () => {
    expect(
      mergeResources({ requests: { cpu: '1', memory: '1Gi' } }, undefined, {
        requests: { cpu: '2' },
        limits: { memory: '4Gi' },
      }),
    ).toEqual({
      requests: { cpu: '2', memory: '1Gi' },
      limits: { memory: '4Gi' },
    });
  });

  it('adds metadata aliases without overriding canonical keys', () => {
    expect(runMetadata({ repo: 'a/b', baseRef: 'main', base: 'dev' })).toMatchObject({
      repository: 'a/b',
      base: 'dev',
    });
  });
});
