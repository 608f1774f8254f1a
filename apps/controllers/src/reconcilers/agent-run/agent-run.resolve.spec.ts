import type { AgentRun, VersionControlProvider, WorkflowStep } from '@agents/api';
import {
  makeAgent,
  makeImplementationSpec,
  makeMemory,
  makeProvider,
  makeRun,
  testConfig,
} from '../../../test/builders.js';
import { resolveRun, type RunLookup, type SystemPromptRead } from './agent-run.resolve.js';
import { readOnly, withAppToken } from './agent-run.vcs.js';

interface World {
  agent?: ReturnType<typeof makeAgent>;
  provider?: ReturnType<typeof makeProvider>;
  spec?: ReturnType<typeof makeImplementationSpec>;
  memories?: ReturnType<typeof makeMemory>[];
  vcp?: VersionControlProvider;
}

const lookup = (w: World): RunLookup => ({
  agent: (n) => (w.agent?.metadata.name === n ? w.agent : undefined),
  provider: (n) => (w.provider?.metadata.name === n ? w.provider : undefined),
  implementationSpec: (n) => (w.spec?.metadata.name === n ? w.spec : undefined),
  memory: (n) => w.memories?.find((m) => m.metadata.name === n),
  memories: () => w.memories ?? [],
  versionControlProvider: (n) => (w.vcp?.metadata.name === n ? w.vcp : undefined),
});

const complete = (): World => ({ agent: makeAgent(), provider: makeProvider(), spec: makeImplementationSpec() });
const inline: SystemPromptRead = { kind: 'inline', text: 'be careful' };

function reasonOf(run: AgentRun, world = complete(), prompt = inline, env: Record<string, string> = {}): string {
  const r = resolveRun(run, lookup(world), prompt, testConfig(env));
  return r.ok === true ? 'ok' : r.ok === 'hold' ? `hold:${r.hold.reason}` : r.failure.reason;
}

describe('resolveRun', () => {
  it.each<
    [string, AgentRun, World | undefined, SystemPromptRead | undefined, Record<string, string> | undefined, string]
  >([
    ['a complete run resolves', makeRun().build(), undefined, undefined, undefined, 'ok'],
    [
      'a temporal run is not available in this version',
      makeRun()
        .spec({ runtime: { type: 'temporal' } })
        .build(),
      undefined,
      undefined,
      undefined,
      'UnsupportedRuntime',
    ],
    [
      'a prompt parameter is forbidden in any case',
      makeRun()
        .spec({ parameters: { PROMPT: 'x' } })
        .build(),
      undefined,
      undefined,
      undefined,
      'ForbiddenParameterKey',
    ],
    [
      'a parameter over 2048 bytes',
      makeRun()
        .spec({ parameters: { big: 'é'.repeat(1025) } })
        .build(),
      undefined,
      undefined,
      undefined,
      'ParameterValueTooLarge',
    ],
    [
      'a missing required label',
      makeRun().build(),
      undefined,
      undefined,
      { JANGAR_AGENTS_CONTROLLER_LABELS_REQUIRED: 'team' },
      'MissingRequiredLabels',
    ],
    [
      'a denied label',
      makeRun().labels({ 'tier/prod': 'x' }).build(),
      undefined,
      undefined,
      { JANGAR_AGENTS_CONTROLLER_LABELS_DENIED: 'tier/*' },
      'LabelBlocked',
    ],
    [
      'a label outside the allowed list',
      makeRun().labels({ other: 'x' }).build(),
      undefined,
      undefined,
      { JANGAR_AGENTS_CONTROLLER_LABELS_ALLOWED: 'team' },
      'LabelNotAllowed',
    ],
    [
      'an unknown agent',
      makeRun()
        .spec({ agentRef: { name: 'nobody' } })
        .build(),
      undefined,
      undefined,
      undefined,
      'MissingAgent',
    ],
    [
      'an agent whose provider is gone',
      makeRun().build(),
      { ...complete(), provider: undefined },
      undefined,
      undefined,
      'MissingProvider',
    ],
    [
      'no image anywhere',
      makeRun().build(),
      undefined,
      undefined,
      { JANGAR_AGENT_RUNNER_IMAGE: '' },
      'MissingWorkloadImage',
    ],
    [
      'a denied image',
      makeRun()
        .spec({ workload: { image: 'evil.io/x:1' } })
        .build(),
      undefined,
      undefined,
      { JANGAR_AGENTS_CONTROLLER_IMAGES_DENIED: 'evil.io/*' },
      'ImageBlocked',
    ],
    [
      'an image outside the allowed list',
      makeRun().build(),
      undefined,
      undefined,
      { JANGAR_AGENTS_CONTROLLER_IMAGES_ALLOWED: 'ghcr.io/acme/*' },
      'ImageNotAllowed',
    ],
    [
      'a secret the agent does not allow',
      makeRun()
        .spec({ secrets: ['root'] })
        .build(),
      { ...complete(), agent: makeAgent('ns', { security: { allowedSecrets: ['openai'] } }) },
      undefined,
      undefined,
      'SecretNotAllowed',
    ],
    [
      'a blocked secret',
      makeRun()
        .spec({ secrets: ['cloud-admin'] })
        .build(),
      undefined,
      undefined,
      { JANGAR_AGENTS_CONTROLLER_BLOCKED_SECRETS: 'cloud-admin' },
      'SecretBlocked',
    ],
    [
      'a service account the agent does not allow',
      makeRun().config({ serviceAccount: 'admin' }).build(),
      { ...complete(), agent: makeAgent('ns', { security: { allowedServiceAccounts: ['runner'] } }) },
      undefined,
      undefined,
      'ServiceAccountNotAllowed',
    ],
    [
      'an unknown implementation spec',
      makeRun()
        .spec({ implementationSpecRef: { name: 'nope' } })
        .build(),
      undefined,
      undefined,
      undefined,
      'MissingImplementation',
    ],
    [
      'a source provider the agent does not allow',
      makeRun().build(),
      {
        ...complete(),
        spec: makeImplementationSpec('ns', { source: { provider: 'linear' } }),
        agent: makeAgent('ns', { security: { allowedImplementationSourceProviders: ['github'] } }),
      },
      undefined,
      undefined,
      'ImplementationSourceProviderNotAllowed',
    ],
    [
      'missing required metadata',
      makeRun().build(),
      { ...complete(), spec: makeImplementationSpec('ns', { contract: { requiredKeys: ['repository'] } }) },
      undefined,
      undefined,
      'MissingRequiredMetadata',
    ],
    [
      'required metadata present through a mapping',
      makeRun()
        .spec({ parameters: { repo: 'a/b' } })
        .build(),
      {
        ...complete(),
        spec: makeImplementationSpec('ns', {
          contract: { requiredKeys: ['repository'], mappings: [{ from: 'repo', to: 'repository' }] },
        }),
      },
      undefined,
      undefined,
      'ok',
    ],
    [
      'a named memory that does not exist',
      makeRun()
        .spec({ memoryRef: { name: 'mem' } })
        .build(),
      undefined,
      undefined,
      undefined,
      'MissingMemory',
    ],
    [
      'a default memory whose secret the agent does not allow',
      makeRun().build(),
      {
        ...complete(),
        memories: [makeMemory('ns', { default: true })],
        agent: makeAgent('ns', { security: { allowedSecrets: ['openai'] } }),
      },
      undefined,
      undefined,
      'SecretNotAllowed',
    ],
    ['no system prompt', makeRun().build(), undefined, { kind: 'none' }, undefined, 'MissingSystemPromptConfiguration'],
    [
      'a system prompt ref to a missing object',
      makeRun().build(),
      undefined,
      { kind: 'ref', ref: { kind: 'ConfigMap', name: 'p', key: 'k' }, exists: false, text: undefined },
      undefined,
      'MissingSystemPromptRef',
    ],
    [
      'a system prompt ref without its key',
      makeRun().build(),
      undefined,
      { kind: 'ref', ref: { kind: 'ConfigMap', name: 'p', key: 'k' }, exists: true, text: undefined },
      undefined,
      'InvalidSystemPromptRef',
    ],
    [
      'a system prompt over 16384 characters',
      makeRun().build(),
      undefined,
      { kind: 'inline', text: 'x'.repeat(16385) },
      undefined,
      'SystemPromptTooLong',
    ],
    [
      'an unreadable system prompt ref',
      makeRun().build(),
      undefined,
      { kind: 'error', ref: { kind: 'Secret', name: 'p', key: 'k' }, message: 'timeout' },
      undefined,
      'SystemPromptRefReadFailed',
    ],
    [
      'a provider out of capacity holds the run',
      makeRun().build(),
      {
        ...complete(),
        provider: {
          ...makeProvider(),
          status: {
            conditions: [
              {
                type: 'Ready',
                status: 'False',
                reason: 'ProviderCapacityExhausted',
                message: 'quota',
                lastTransitionTime: 'x',
              },
            ],
          },
        },
      },
      undefined,
      undefined,
      'hold:ProviderCapacityExhausted',
    ],
    [
      'a required VCS without a provider fails',
      makeRun()
        .spec({ vcsPolicy: { required: true } })
        .build(),
      undefined,
      undefined,
      undefined,
      'MissingVcsProvider',
    ],
  ])('%s', (_case, run, world, prompt, env, want) => {
    expect(reasonOf(run, world ?? complete(), prompt ?? inline, env ?? {})).toBe(want);
  });

  it('resolves image, service account and timeout by precedence', () => {
    const run = makeRun().config({ serviceAccountName: 'runner', timeoutSeconds: 600 }).build();
    const world = {
      ...complete(),
      provider: makeProvider('ns', { workload: { image: 'provider:2', serviceAccountName: 'p-sa' } }),
    };
    const r = resolveRun(run, lookup(world), inline, testConfig());
    expect(r.ok === true && [r.resolved.image, r.resolved.serviceAccount, r.resolved.timeoutSeconds]).toEqual([
      'provider:2',
      'runner',
      600,
    ]);
    const own = resolveRun(
      makeRun()
        .spec({ workload: { image: 'mine:3' } })
        .build(),
      lookup(world),
      inline,
      testConfig(),
    );
    expect(own.ok === true && own.resolved.image).toBe('mine:3');
  });

  it('resolves the Git context from a VersionControlProvider and backfills base and head', () => {
    const vcp: VersionControlProvider = {
      apiVersion: 'x',
      kind: 'VersionControlProvider',
      metadata: { name: 'github' },
      spec: {
        provider: 'github',
        auth: { method: 'token', token: { secretRef: { name: 'gh' } } },
        defaults: { baseBranch: 'develop', branchTemplate: 'agents/{{agentRun.name}}' },
      },
    };
    const run = makeRun('fix-1')
      .spec({ vcsRef: { name: 'github' }, parameters: { repository: 'acme/app' } })
      .build();
    const r = resolveRun(run, lookup({ ...complete(), vcp }), inline, testConfig());
    if (r.ok !== true) throw new Error(JSON.stringify(r));
    expect(r.resolved.vcs).toMatchObject({
      repository: 'acme/app',
      baseBranch: 'develop',
      headBranch: 'agents/fix-1',
      mode: 'read-write',
    });
    expect(r.resolved.parameters).toMatchObject({ base: 'develop', head: 'agents/fix-1' });
    expect(r.resolved.vcs!.env).toEqual(
      expect.arrayContaining([{ name: 'GITHUB_TOKEN', valueFrom: { secretKeyRef: { name: 'gh', key: 'token' } } }]),
    );
  });

  describe('GitHub App auth', () => {
    const appProvider = (app: Record<string, unknown>): VersionControlProvider => ({
      apiVersion: 'x',
      kind: 'VersionControlProvider',
      metadata: { name: 'github' },
      spec: { provider: 'github', apiBaseUrl: 'https://ghe.example/api/v3', auth: { method: 'app', app } },
    });
    const complete_app = { appId: 1234, installationId: '42', privateKeySecretRef: { name: 'gh-app' } };
    const gitRun = (policy?: AgentRun['spec']['vcsPolicy']) =>
      makeRun('fix-1')
        .spec({ vcsRef: { name: 'github' }, parameters: { repository: 'acme/app' }, vcsPolicy: policy })
        .build();

    it('resolves the installation the token is minted for, read-write, with its key Secret checked like a token secret', () => {
      const r = resolveRun(gitRun(), lookup({ ...complete(), vcp: appProvider(complete_app) }), inline, testConfig());
      if (r.ok !== true) throw new Error(JSON.stringify(r));
      expect(r.resolved.vcs).toMatchObject({
        mode: 'read-write',
        required: false,
        app: {
          apiBaseUrl: 'https://ghe.example/api/v3',
          appId: '1234',
          installationId: '42',
          tokenTtlSeconds: 0,
          privateKey: { name: 'gh-app', key: 'privateKey' },
        },
        secrets: ['gh-app'],
      });
      const denied = resolveRun(
        gitRun(),
        lookup({
          ...complete(),
          agent: makeAgent('ns', { security: { allowedSecrets: ['openai'] } }),
          vcp: appProvider(complete_app),
        }),
        inline,
        testConfig(),
      );
      expect(denied.ok === false && denied.failure.reason).toBe('SecretNotAllowed');
    });

    it('fails a required read-write run whose App lacks its installation, and lets an optional one go on read-only', () => {
      const incomplete = appProvider({ appId: 1234, privateKeySecretRef: { name: 'gh-app' } });
      const required = resolveRun(
        gitRun({ required: true }),
        lookup({ ...complete(), vcp: incomplete }),
        inline,
        testConfig(),
      );
      expect(required.ok === false && required.failure).toMatchObject({
        reason: 'UnsupportedVcsAuth',
        message: expect.stringContaining('installationId'),
      });
      const optional = resolveRun(gitRun(), lookup({ ...complete(), vcp: incomplete }), inline, testConfig());
      if (optional.ok !== true) throw new Error(JSON.stringify(optional));
      expect(optional.resolved.vcs).toMatchObject({ mode: 'read-only', app: undefined });
    });

    it('puts a minted token into the env as GitHub tools read it, and going read-only turns writes and PRs off', () => {
      const r = resolveRun(gitRun(), lookup({ ...complete(), vcp: appProvider(complete_app) }), inline, testConfig());
      if (r.ok !== true) throw new Error(JSON.stringify(r));
      const env = (e: { name: string; value?: string }[]) => Object.fromEntries(e.map((v) => [v.name, v.value]));
      expect(env(withAppToken(r.resolved.vcs!, 'ghs_minted').env)).toMatchObject({
        VCS_TOKEN: 'ghs_minted',
        GITHUB_TOKEN: 'ghs_minted',
        GH_TOKEN: 'ghs_minted',
        VCS_MODE: 'read-write',
      });
      const ro = readOnly(r.resolved.vcs!);
      expect(ro.mode).toBe('read-only');
      expect(env(ro.env)).toMatchObject({
        VCS_MODE: 'read-only',
        VCS_WRITE_ENABLED: 'false',
        VCS_PULL_REQUESTS_ENABLED: 'false',
      });
      expect(env(ro.env).GITHUB_TOKEN).toBeUndefined();
    });
  });
});

describe('resolveRun on the workflow runtime', () => {
  const workflow = (steps: WorkflowStep[], patch: Partial<AgentRun['spec']> = {}) =>
    makeRun('wf')
      .spec({ runtime: { type: 'workflow' }, workflow: { steps }, ...patch })
      .build();
  const loops = { JANGAR_AGENTS_CONTROLLER_WORKFLOW_LOOPS_ENABLED: 'true' };
  const pvc = { name: 'state', type: 'pvc' as const, mountPath: '/state', claimName: 'loop-state' };

  it.each<[string, AgentRun, Record<string, string>, string]>([
    ['a workflow of named steps resolves', workflow([{ name: 'plan' }, { name: 'build' }]), {}, 'ok'],
    ['a workflow without steps', workflow([]), {}, 'MissingWorkflowSteps'],
    ['a step without a name', workflow([{ name: ' ' }]), {}, 'WorkflowStepMissingName'],
    ['two steps with one name', workflow([{ name: 'a' }, { name: 'a' }]), {}, 'WorkflowStepDuplicate'],
    [
      'a step whose parameters with the run ones are over 100',
      workflow([{ name: 'a', parameters: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`s${i}`, 'x'])) }], {
        parameters: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`r${i}`, 'x'])),
      }),
      {},
      'ParametersTooLarge',
    ],
    [
      'a step with a prompt parameter',
      workflow([{ name: 'a', parameters: { Prompt: 'x' } }]),
      {},
      'ForbiddenParameterKey',
    ],
    [
      'a step whose ImplementationSpec does not exist',
      workflow([{ name: 'a', implementationSpecRef: { name: 'gone' } }]),
      {},
      'MissingImplementation',
    ],
    [
      'a step with neither an implementation nor the run one',
      workflow([{ name: 'a' }], { implementationSpecRef: undefined }),
      {},
      'MissingImplementation',
    ],
    [
      'a step image the policy denies',
      workflow([{ name: 'a' }, { name: 'b', workload: { image: 'evil.io/x:1' } }]),
      { JANGAR_AGENTS_CONTROLLER_IMAGES_DENIED: 'evil.io/*' },
      'ImageBlocked',
    ],
    [
      'a step missing the metadata its implementation requires',
      workflow([{ name: 'a', implementation: { inline: { text: 'x', contract: { requiredKeys: ['ticket'] } } } }]),
      {},
      'MissingRequiredMetadata',
    ],
    [
      'step parameters satisfy the contract of the step implementation',
      workflow([
        {
          name: 'a',
          parameters: { ticket: 'T-1' },
          implementation: { inline: { text: 'x', contract: { requiredKeys: ['ticket'] } } },
        },
      ]),
      {},
      'ok',
    ],
    [
      'a loop while loops are disabled',
      workflow([{ name: 'a', loop: { maxIterations: 2 } }]),
      {},
      'WorkflowLoopsDisabled',
    ],
    ['a loop once loops are enabled', workflow([{ name: 'a', loop: { maxIterations: 2 } }]), loops, 'ok'],
    [
      'a loop over the iteration limit',
      workflow([{ name: 'a', loop: { maxIterations: 21 } }]),
      loops,
      'WorkflowLoopMaxIterationsExceeded',
    ],
    [
      'a loop condition without an expression',
      workflow([{ name: 'a', loop: { maxIterations: 2, condition: { type: 'cel' } } }]),
      loops,
      'WorkflowLoopConditionExpressionMissing',
    ],
    [
      'a loop condition that is not CEL',
      workflow([{ name: 'a', loop: { maxIterations: 2, condition: { expression: 'iteration.index <' } } }]),
      loops,
      'WorkflowLoopConditionExpressionInvalid',
    ],
    [
      'a loop control file at a relative path',
      workflow([
        { name: 'a', loop: { maxIterations: 2, condition: { expression: 'true', source: { path: 'ctl.json' } } } },
      ]),
      loops,
      'WorkflowLoopConditionSourcePathInvalid',
    ],
    [
      'loop state named twice',
      workflow([
        {
          name: 'a',
          workload: { volumes: [pvc] },
          loop: { maxIterations: 2, state: { volumeNames: ['state', 'state'] } },
        },
      ]),
      loops,
      'WorkflowLoopStateVolumeDuplicate',
    ],
    [
      'required loop state without a volume',
      workflow([{ name: 'a', loop: { maxIterations: 2, state: { required: true } } }]),
      loops,
      'WorkflowLoopStateVolumeRequired',
    ],
    [
      'loop state on a volume the step does not have',
      workflow([{ name: 'a', loop: { maxIterations: 2, state: { volumeNames: ['state'] } } }]),
      loops,
      'WorkflowLoopStateVolumeMissing',
    ],
    [
      'required loop state on an emptyDir',
      workflow([
        {
          name: 'a',
          workload: { volumes: [{ name: 'state', type: 'emptyDir', mountPath: '/state' }] },
          loop: { maxIterations: 2, state: { required: true, volumeNames: ['state'] } },
        },
      ]),
      loops,
      'WorkflowLoopStateVolumeNotPersistent',
    ],
    [
      'required loop state on the run workload PVC',
      workflow([{ name: 'a', loop: { maxIterations: 2, state: { required: true, volumeNames: ['state'] } } }], {
        workload: { volumes: [pvc] },
      }),
      loops,
      'ok',
    ],
  ])('%s', (_case, run, env, want) => {
    expect(reasonOf(run, complete(), inline, env)).toBe(want);
  });

  it('resolves each step: its implementation, parameters over the run ones, workload, image and timeout', () => {
    const run = workflow(
      [
        { name: 'plan', parameters: { stage: 'plan' }, timeoutSeconds: 30 },
        {
          name: 'build',
          implementation: { inline: { text: 'build {{stage}}' } },
          parameters: { stage: 'build' },
          workload: { image: 'builder:2' },
        },
      ],
      { parameters: { repository: 'acme/app', stage: 'none' }, workload: { image: 'runner:1' } },
    );
    const r = resolveRun(run, lookup(complete()), inline, testConfig());
    if (r.ok !== true) throw new Error(JSON.stringify(r));
    expect(
      r.resolved.steps!.map((s) => [
        s.name,
        s.index,
        s.implementationName,
        s.parameters.stage,
        s.image,
        s.timeoutSeconds,
      ]),
    ).toEqual([
      ['plan', 1, 'task', 'plan', 'runner:1', 30],
      ['build', 2, 'inline', 'build', 'builder:2', undefined],
    ]);
    expect(r.resolved.steps![1]!.parameters.repository).toBe('acme/app');
  });
});
