import { makeAgent, makeImplementationSpec, makeProvider, makeRun, testConfig } from '../../../test/builders.js';
import type { AgentProvider } from '@agents/api';
import {
  adapterType,
  desiredConfigMaps,
  desiredJob,
  jobName,
  mergeResources,
  runMetadata,
  runnerSpecFile,
} from './agent-run.desired.js';
import { forStep, resolveRun, type RunLookup } from './agent-run.resolve.js';

const world: RunLookup = {
  agent: () => makeAgent('ns', { env: [{ name: 'LOG_LEVEL', value: 'debug' }] }),
  provider: () => makeProvider('ns', { secretEnv: [{ name: 'OPENAI_API_KEY', secretName: 'openai', key: 'k' }] }),
  implementationSpec: () => makeImplementationSpec(),
  memory: () => undefined,
  memories: () => [],
  versionControlProvider: () => undefined,
};

function resolved(
  run = makeRun().build(),
  env: Record<string, string> = {},
  provider?: AgentProvider,
  prompt: Parameters<typeof resolveRun>[2] = { kind: 'inline', text: 'be careful' },
) {
  const lookup = provider ? { ...world, provider: () => provider } : world;
  const r = resolveRun(run, lookup, prompt, testConfig(env));
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

  it('leaves the runner image pull policy to Kubernetes unless the controller sets one', () => {
    expect(container).not.toHaveProperty('imagePullPolicy');
    const pinned = desiredJob(run, resolved(run), testConfig({ JANGAR_AGENT_RUNNER_IMAGE_PULL_POLICY: 'Always' }), {
      natsUrl: undefined,
    }) as unknown as Job;
    expect(pinned.spec.template.spec.containers[0]!.imagePullPolicy).toBe('Always');
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

describe('desiredConfigMaps', () => {
  it('carries run.json with the rendered prompt and agent-runner.json with the exec adapter', () => {
    const run = makeRun('fix-1')
      .spec({ parameters: { repo: 'acme/app', branch: 'main' } })
      .build();
    const cms = desiredConfigMaps(run, resolved(run), testConfig());
    expect(cms.map((c) => c.metadata.name)).toEqual(['fix-1-spec']);
    const runJson = JSON.parse(cms[0]!.data['run.json']!);
    const runnerJson = JSON.parse(cms[0]!.data['agent-runner.json']!);
    expect(runJson).toMatchObject({
      prompt: 'Fix acme/app on main',
      agentRun: { name: 'fix-1', uid: 'fix-1-uid' },
      systemPrompt: 'be careful',
    });
    expect(runnerJson).toMatchObject({
      schemaVersion: 'agents.proompteng.ai/runner/v1',
      provider: 'shell',
      inputs: { repo: 'acme/app', branch: 'main' },
      payloads: { eventFilePath: '/workspace/run.json' },
      artifacts: { statusPath: '/workspace/.agent/status.json', logPath: '/workspace/.agent/runner.log' },
      providerSpec: { outputArtifacts: [] },
      adapter: { type: 'exec', exec: { binary: '/bin/sh', argsTemplate: ['-c', 'echo {{agentRun.name}}'] } },
      events: { subjectPrefix: 'workflow.ns.fix-1.fix-1-uid.agent.agent.', agentId: 'agent' },
    });
  });

  it('puts provider input files, raw, in a <run>-inputs ConfigMap mounted by subPath at each path', () => {
    const provider = makeProvider('ns', {
      inputFiles: [
        { path: '/etc/tool/config.toml', content: 'model = "{{ parameters.model }}"' },
        { path: 'notes/task.md', content: 'do it' },
      ],
    });
    const run = makeRun('fix-1').build();
    const cms = desiredConfigMaps(run, resolved(run, {}, provider), testConfig());
    expect(cms[1]).toMatchObject({
      metadata: { name: 'fix-1-inputs', ownerReferences: [{ uid: 'fix-1-uid', controller: true }] },
      data: { 'input-0': 'model = "{{ parameters.model }}"', 'input-1': 'do it' },
    });
    const job = desiredJob(run, resolved(run, {}, provider), testConfig(), { natsUrl: undefined }) as unknown as Job;
    const spec = job.spec.template.spec;
    expect(spec.volumes).toContainEqual({ name: 'provider-inputs', configMap: { name: 'fix-1-inputs' } });
    expect(spec.containers[0]!.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'provider-inputs', mountPath: '/etc/tool/config.toml', subPath: 'input-0', readOnly: true },
        { name: 'provider-inputs', mountPath: '/workspace/notes/task.md', subPath: 'input-1', readOnly: true },
      ]),
    );
  });
});

describe('the runner adapter', () => {
  it.each([
    ['an explicit valid type wins over the binary', '/usr/local/bin/agent-runner', { type: 'exec' }, 'exec'],
    ['an unknown explicit type falls back to the binary rule', '/bin/sh', { type: 'temporal' }, 'exec'],
    ['the runner binary means the Codex app server', '/usr/local/bin/agent-runner', undefined, 'codex-app-server'],
    ['an empty binary means the Codex app server', '', undefined, 'codex-app-server'],
    ['any other binary is run as is', '/usr/local/bin/codex', undefined, 'exec'],
  ])('%s', (_case, binary, adapter, want) => {
    expect(adapterType(binary, adapter)).toBe(want);
  });

  it('passes an explicit adapter map through without its secretEnv', () => {
    const provider = makeProvider('ns', {
      adapter: { type: 'exec', mode: 'strict', secretEnv: [{ name: 'X', secretName: 's', key: 'k' }] },
    });
    const run = makeRun().build();
    const adapter = runnerSpecFile(run, resolved(run, {}, provider), testConfig()).adapter;
    expect(adapter).toMatchObject({ type: 'exec', mode: 'strict', exec: { binary: '/bin/sh' } });
    expect(adapter).not.toHaveProperty('secretEnv');
  });

  it('gives a runner-binary provider codex settings with defaults, rendered strings and the prompt hash', () => {
    const provider = makeProvider('ns', {
      binary: '/usr/local/bin/agent-runner',
      adapter: { codex: { model: 'gpt-x', cwd: '/workspace/{{ parameters.repo }}', secretEnv: [] } },
    });
    const run = makeRun()
      .spec({ parameters: { repo: 'app', branch: 'main' } })
      .build();
    const r = resolved(run, {}, provider, {
      kind: 'ref',
      text: 'p',
      exists: true,
      ref: { kind: 'Secret', name: 'sp', key: 'k' },
    });
    const adapter = runnerSpecFile(run, r, testConfig()).adapter;
    expect(adapter.type).toBe('codex-app-server');
    expect(adapter.exec).toBeUndefined();
    expect(adapter.codex).toMatchObject({
      binaryPath: 'codex',
      model: 'gpt-x',
      effort: 'high',
      sandbox: 'danger-full-access',
      approval: 'never',
      cwd: '/workspace/app',
      prompt: 'Fix app on main',
      systemPromptPath: '/workspace/.codex/system-prompt.txt',
      systemPromptExpectedHash: r.systemPrompt.sha256,
      threadConfig: { mcp_servers: {}, web_search: 'live' },
    });
    expect(adapter.codex).not.toHaveProperty('secretEnv');
  });
});

describe('provider auth and system prompt delivery', () => {
  const codex = makeProvider('ns', { binary: '/usr/local/bin/codex' });

  it('mounts the auth secret item under CODEX_HOME for a Codex provider when the secret is configured', () => {
    const run = makeRun().build();
    const env = { JANGAR_AGENTS_CONTROLLER_AUTH_SECRET_NAME: 'codex-auth' };
    const job = desiredJob(run, resolved(run, env, codex), testConfig(env), { natsUrl: undefined }) as unknown as Job;
    const spec = job.spec.template.spec;
    const container = spec.containers[0]!;
    expect(spec.volumes).toEqual(
      expect.arrayContaining([
        { name: 'codex-home', emptyDir: {} },
        {
          name: 'provider-auth',
          secret: { secretName: 'codex-auth', items: [{ key: 'auth.json', path: 'auth.json' }] },
        },
      ]),
    );
    expect(container.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'codex-home', mountPath: '/root/.codex' },
        { name: 'provider-auth', mountPath: '/root/.codex/auth.json', subPath: 'auth.json', readOnly: true },
      ]),
    );
    expect(container.env).toEqual(
      expect.arrayContaining([
        { name: 'CODEX_HOME', value: '/root/.codex' },
        { name: 'CODEX_AUTH', value: '/root/.codex/auth.json' },
      ]),
    );
  });

  it('mounts no auth secret for a provider that needs none, or when none is configured', () => {
    const run = makeRun().build();
    const env = { JANGAR_AGENTS_CONTROLLER_AUTH_SECRET_NAME: 'codex-auth' };
    for (const [provider, e] of [
      [undefined, env],
      [codex, {}],
    ] as const) {
      const job = desiredJob(run, resolved(run, e, provider), testConfig(e), { natsUrl: undefined }) as unknown as Job;
      expect(JSON.stringify(job)).not.toContain('provider-auth');
      expect(JSON.stringify(job)).not.toContain('CODEX_AUTH');
    }
  });

  it('mounts a referenced system prompt at /workspace/.codex and names it and its hash in the env', () => {
    const run = makeRun().build();
    const r = resolved(run, {}, undefined, {
      kind: 'ref',
      text: 'p',
      exists: true,
      ref: { kind: 'ConfigMap', name: 'sp', key: 'k' },
    });
    const job = desiredJob(run, r, testConfig(), { natsUrl: undefined }) as unknown as Job;
    const container = job.spec.template.spec.containers[0]!;
    expect(container.volumeMounts).toContainEqual({
      name: 'system-prompt',
      mountPath: '/workspace/.codex',
      readOnly: true,
    });
    expect(container.env).toEqual(
      expect.arrayContaining([
        { name: 'CODEX_SYSTEM_PROMPT_PATH', value: '/workspace/.codex/system-prompt.txt' },
        { name: 'CODEX_SYSTEM_PROMPT_EXPECTED_HASH', value: r.systemPrompt.sha256 },
        { name: 'CODEX_SYSTEM_PROMPT_REQUIRED', value: 'true' },
      ]),
    );
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

describe('a workflow step attempt', () => {
  const run = makeRun('ship')
    .spec({
      runtime: { type: 'workflow' },
      workload: { image: 'runner:1', volumes: [{ name: 'cache', type: 'emptyDir', mountPath: '/cache' }] },
      workflow: {
        steps: [
          { name: 'plan' },
          {
            name: 'Build It',
            workload: { image: 'builder:2' },
            implementation: { inline: { text: 'build' } },
            timeoutSeconds: 120,
          },
        ],
      },
    })
    .build();
  const r = resolved(run);
  const step = r.steps![1]!;
  const unit = {
    suffix: 'step-2-iter-3-attempt-2',
    step: { name: step.name, index: 2, attempt: 2, iteration: 3 },
    loopControlPath: '/workspace/.agentrun/loop-control.json',
  };
  const stepResolved = forStep(r, step);
  const job = desiredJob(run, stepResolved, testConfig(), { natsUrl: undefined }, unit) as unknown as Job;
  const container = job.spec.template.spec.containers[0]!;
  const configMaps = desiredConfigMaps(run, stepResolved, testConfig(), unit);

  it('names its Job and ConfigMaps after the run and the attempt', () => {
    expect(job.metadata.name).toBe('ship-step-2-iter-3-attempt-2');
    expect(configMaps.map((c) => c.metadata.name)).toEqual(['ship-spec-step-2-iter-3-attempt-2']);
    expect(job.spec.template.spec.volumes).toEqual(
      expect.arrayContaining([{ name: 'run-spec', configMap: { name: 'ship-spec-step-2-iter-3-attempt-2' } }]),
    );
  });

  it('carries the step labels on the Job, its pods and its ConfigMaps', () => {
    const stepLabels = {
      'agents.proompteng.ai/agent-run': 'ship',
      'agents.proompteng.ai/step': 'build-it',
      'agents.proompteng.ai/step-index': '2',
      'agents.proompteng.ai/step-attempt': '2',
      'agents.proompteng.ai/step-iteration': '3',
      'agents.proompteng.ai/implementation': 'inline',
    };
    expect(job.metadata.labels).toMatchObject(stepLabels);
    expect((job.spec.template.metadata as { labels: object }).labels).toMatchObject(stepLabels);
    expect(configMaps[0]!.metadata.labels).toMatchObject(stepLabels);
  });

  it("uses the step's workload whole: its image, without the run's volumes", () => {
    expect(container.image).toBe('builder:2');
    expect(JSON.stringify(job.spec.template.spec.volumes)).not.toContain('cache');
    expect(job.spec.activeDeadlineSeconds).toBe(180);
  });

  it('tells the runner which step and attempt it is, and where the loop control goes', () => {
    expect(container.env).toEqual(
      expect.arrayContaining([
        { name: 'AGENT_WORKFLOW_STEP', value: 'Build It' },
        { name: 'AGENT_WORKFLOW_STEP_INDEX', value: '2' },
        { name: 'AGENT_WORKFLOW_STEP_ATTEMPT', value: '2' },
        { name: 'AGENT_WORKFLOW_STEP_ITERATION', value: '3' },
      ]),
    );
    const runJson = JSON.parse(configMaps[0]!.data['run.json']!) as Record<string, unknown>;
    expect(runJson.workflowStep).toEqual({ name: 'Build It', index: 2, attempt: 2, iteration: 3 });
    expect(runJson.prompt).toBe('build');
    const runner = JSON.parse(configMaps[0]!.data['agent-runner.json']!) as Record<string, unknown>;
    expect(runner.loop).toEqual({ controlPath: '/workspace/.agentrun/loop-control.json' });
  });

  it('the first step inherits the run workload', () => {
    const first = desiredJob(
      run,
      forStep(r, r.steps![0]!),
      testConfig(),
      { natsUrl: undefined },
      {
        suffix: 'step-1-attempt-1',
        step: { name: 'plan', index: 1, attempt: 1 },
      },
    ) as unknown as Job;
    expect(first.spec.template.spec.containers[0]!.image).toBe('runner:1');
    expect(JSON.stringify(first.spec.template.spec.volumes)).toContain('cache');
    expect(first.metadata.labels['agents.proompteng.ai/step-iteration']).toBeUndefined();
  });
});
