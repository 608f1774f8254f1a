import { BUILTIN, CUSTOM, type KubeApi } from '@agents/kube';
import { TestNamespace, connectTestNats, eventually, testKubeConfig } from '@agents/testing';
import { AckPolicy, DeliverPolicy, type NatsConnection } from 'nats';
import { generateKeyPairSync, verify } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  adminApi,
  condition,
  create,
  createRunnableSet,
  getRun,
  runManifest,
  startControllers,
  waitForPhase,
  type ControllersProcess,
} from './harness.js';

// The controllers as a child process against the local cluster: AgentRuns on Jobs end to end.
let api: KubeApi;
let ns: TestNamespace;
let controllers: ControllersProcess;
let nc: NatsConnection;

beforeAll(async () => {
  api = await adminApi();
  ns = await TestNamespace.create(testKubeConfig(), 'ctl-runs');
  await createRunnableSet(api, ns.name);
  await createRunnableSet(api, ns.name, 'limited');
  nc = await connectTestNats('controllers-test');
  controllers = await startControllers({
    namespaces: [ns.name],
    env: {
      JANGAR_AGENTS_CONTROLLER_CONCURRENCY_AGENT: '2',
      JANGAR_AGENTS_CONTROLLER_IMAGES_DENIED: 'evil.example/*',
      JANGAR_AGENTRUN_ARTIFACTS_MAX: '3',
      JANGAR_AGENTRUN_ARTIFACTS_STRICT: 'true',
      NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    },
  });
}, 60_000);

afterAll(async () => {
  await controllers?.kill();
  await nc?.drain();
  await ns?.delete();
  api?.close();
});

it('runs an AgentRun as a ConfigMap and a Job that kwok completes, and marks it Succeeded', async () => {
  await create(api, runManifest(ns.name, 'ok'));
  const run = await waitForPhase(api, ns.name, 'ok', 'Succeeded');
  expect(condition(run, 'Succeeded')).toMatchObject({ status: 'True', reason: 'Completed' });
  expect(condition(run, 'Accepted')).toMatchObject({ status: 'True', reason: 'Submitted' });
  const job = await api.get<{ metadata: { ownerReferences: { uid: string }[]; labels: Record<string, string> } }>(
    BUILTIN.job,
    ns.name,
    'ok-job',
  );
  expect(job?.metadata.ownerReferences[0]?.uid).toBe(run.metadata.uid);
  expect(job?.metadata.labels['agents.proompteng.ai/agent-run']).toBe('ok');
  const cm = await api.get<{ data: Record<string, string> }>(BUILTIN.configMap, ns.name, 'ok-spec');
  expect(JSON.parse(cm!.data['run.json']!)).toMatchObject({
    prompt: 'Say hi',
    agentRun: { name: 'ok', uid: run.metadata.uid },
  });
  expect(run.metadata.finalizers).toEqual(['agents.proompteng.ai/runtime-cleanup']);
});

it("delivers the provider's input files in a <run>-inputs ConfigMap mounted at their paths", async () => {
  const g = 'agents.proompteng.ai/v1alpha1';
  await create(api, {
    apiVersion: g,
    kind: 'AgentProvider',
    metadata: { name: 'with-inputs', namespace: ns.name },
    spec: {
      binary: '/bin/sh',
      argsTemplate: ['-c', 'cat /etc/tool/config.toml'],
      inputFiles: [{ path: '/etc/tool/config.toml', content: 'model = "{{ parameters.model }}"' }],
    },
  });
  await create(api, {
    apiVersion: g,
    kind: 'Agent',
    metadata: { name: 'inputs-agent', namespace: ns.name },
    spec: { providerRef: { name: 'with-inputs' }, defaults: { systemPrompt: 'be brief' } },
  });
  await create(api, runManifest(ns.name, 'with-inputs', { agent: 'inputs-agent' }));
  const run = await waitForPhase(api, ns.name, 'with-inputs', 'Succeeded');
  const cm = await api.get<{ data: Record<string, string>; metadata: { ownerReferences: { uid: string }[] } }>(
    BUILTIN.configMap,
    ns.name,
    'with-inputs-inputs',
  );
  expect(cm?.data).toEqual({ 'input-0': 'model = "{{ parameters.model }}"' });
  expect(cm?.metadata.ownerReferences[0]?.uid).toBe(run.metadata.uid);
  const job = await api.get<{
    spec: { template: { spec: { containers: { volumeMounts: Record<string, unknown>[] }[] } } };
  }>(BUILTIN.job, ns.name, 'with-inputs-job');
  expect(job?.spec.template.spec.containers[0]?.volumeMounts).toContainEqual({
    name: 'provider-inputs',
    mountPath: '/etc/tool/config.toml',
    subPath: 'input-0',
    readOnly: true,
  });
  const runner = JSON.parse(
    (await api.get<{ data: Record<string, string> }>(BUILTIN.configMap, ns.name, 'with-inputs-spec'))!.data[
      'agent-runner.json'
    ]!,
  );
  expect(runner).toMatchObject({ provider: 'with-inputs', adapter: { type: 'exec', exec: { binary: '/bin/sh' } } });
});

it('marks a run whose pod fails Failed with the Job failure as reason', async () => {
  await create(api, runManifest(ns.name, 'boom', { exitCode: 3 }));
  const run = await waitForPhase(api, ns.name, 'boom', 'Failed');
  expect(run.status).toMatchObject({ reason: 'JobFailed' });
  expect(run.status?.message).toMatch(/Job boom-job failed: .*backoff limit/i);
  expect(condition(run, 'Succeeded')).toMatchObject({ status: 'False', reason: 'JobFailed' });
});

/** The runner's terminal status JSON, as kwok puts it in the pod's termination message. */
const terminalMessage = (fields: Record<string, unknown>) =>
  JSON.stringify({ startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:05Z', ...fields });

it('takes the outcome from the runner terminal status in the termination message', async () => {
  const terminal = terminalMessage({ status: 'failed', exitCode: 2, error: 'provider exited with code 2' });
  await create(api, runManifest(ns.name, 'runner-failed', { exitCode: 2, terminationMessage: terminal }));
  const run = await waitForPhase(api, ns.name, 'runner-failed', 'Failed');
  expect(run.status).toMatchObject({ reason: 'RunnerFailed', message: 'provider exited with code 2' });
  expect(run.status?.runner).toMatchObject({ status: 'failed', exitCode: 2 });
});

it('fails a run whose artifacts break the limits when JANGAR_AGENTRUN_ARTIFACTS_STRICT is on', async () => {
  const terminal = terminalMessage({
    status: 'succeeded',
    exitCode: 0,
    artifacts: ['a', 'b', 'c', 'd'].map((name) => ({ name, path: `/workspace/${name}` })),
  });
  await create(api, runManifest(ns.name, 'too-many-artifacts', { terminationMessage: terminal }));
  const run = await waitForPhase(api, ns.name, 'too-many-artifacts', 'Failed');
  expect(run.status).toMatchObject({ reason: 'ArtifactsLimitExceeded' });
  expect(run.status?.message).toMatch(/4 artifacts, more than the limit of 3/);
  expect(condition(run, 'ArtifactsLimitExceeded')).toMatchObject({ status: 'True' });
});

it('on delete, removes the Job and then its finalizer', async () => {
  await create(api, runManifest(ns.name, 'doomed', { runFor: '60s' }));
  await waitForPhase(api, ns.name, 'doomed', 'Running');
  expect(await api.get(BUILTIN.job, ns.name, 'doomed-job')).toBeDefined();
  await api.delete(CUSTOM.AgentRun!, ns.name, 'doomed');
  await eventually(async () => expect(await getRun(api, ns.name, 'doomed')).toBeUndefined(), {
    what: 'the run to be gone',
  });
  const job = await api.get<{ metadata: { deletionTimestamp?: string } }>(BUILTIN.job, ns.name, 'doomed-job');
  expect(job === undefined || job.metadata.deletionTimestamp !== undefined).toBe(true);
});

it('cancels a running run on request', async () => {
  await create(api, runManifest(ns.name, 'cancel-me', { runFor: '60s' }));
  await waitForPhase(api, ns.name, 'cancel-me', 'Running');
  await api.mergePatch(CUSTOM.AgentRun!, ns.name, 'cancel-me', {
    metadata: { annotations: { 'agents.proompteng.ai/cancel-requested': 'true' } },
  });
  const run = await waitForPhase(api, ns.name, 'cancel-me', 'Cancelled');
  expect(run.status?.reason).toBe('Cancelled');
});

it.each([
  ['an agent without a system prompt', 'no-prompt', { agent: 'silent' }, 'MissingSystemPromptConfiguration'],
  ['a denied image', 'bad-image', { spec: { workload: { image: 'evil.example/x:1' } } }, 'ImageBlocked'],
  ['an unknown agent (no grace in tests)', 'no-agent', { agent: 'nobody' }, 'MissingAgent'],
  ['an unsupported runtime', 'temporal', { spec: { runtime: { type: 'temporal' } } }, 'UnsupportedRuntime'],
])('fails a run with %s as InvalidSpec naming the reason', async (_case, name, opts, reason) => {
  if (name === 'no-prompt') {
    await create(api, {
      apiVersion: 'agents.proompteng.ai/v1alpha1',
      kind: 'Agent',
      metadata: { name: 'silent', namespace: ns.name },
      spec: { providerRef: { name: 'shell' } },
    });
  }
  await create(api, runManifest(ns.name, name, opts));
  const run = await waitForPhase(api, ns.name, name, 'Failed');
  expect(condition(run, 'InvalidSpec')).toMatchObject({ status: 'True', reason });
  expect(await api.get(BUILTIN.job, ns.name, `${name}-job`)).toBeUndefined();
});

it('fails a run whose Job the API server refuses SubmitFailed, with the API server message, and never retries', async () => {
  await create(
    api,
    runManifest(ns.name, 'bad-cpu', { spec: { workload: { resources: { requests: { cpu: 'lots' } } } } }),
  );
  const run = await waitForPhase(api, ns.name, 'bad-cpu', 'Failed');
  // A quantity the API server cannot even decode: 400 with its message (a decodable invalid value is 422 with causes).
  expect(run.status).toMatchObject({
    reason: 'SubmitFailed',
    message: expect.stringMatching(/^the API server refused the run's Job: .*quantities must match/),
  });
  expect(condition(run, 'Failed')).toMatchObject({ status: 'True', reason: 'SubmitFailed' });
  expect(await api.get(BUILTIN.job, ns.name, 'bad-cpu-job')).toBeUndefined();
});

it('holds runs over the per-agent concurrency limit Blocked, then admits them when capacity frees', async () => {
  for (const n of ['l1', 'l2', 'l3']) await create(api, runManifest(ns.name, n, { agent: 'limited', runFor: '3s' }));
  const held = await eventually(
    async () => {
      const r = await getRun(api, ns.name, 'l3');
      expect(condition(r, 'Blocked')).toMatchObject({ status: 'True', reason: 'ConcurrencyLimit' });
      return r;
    },
    { what: 'l3 to be held' },
  );
  expect(held?.status?.phase).toBe('Pending');
  for (const n of ['l1', 'l2', 'l3']) await waitForPhase(api, ns.name, n, 'Succeeded', 40_000);
  expect(condition(await getRun(api, ns.name, 'l3'), 'Blocked')).toMatchObject({
    status: 'False',
    reason: 'NotBlocked',
  });
});

it('marks a second run with the same idempotency key Duplicate', async () => {
  await create(api, runManifest(ns.name, 'first', { spec: { idempotencyKey: 'issue-42' }, runFor: '2s' }));
  await waitForPhase(api, ns.name, 'first', 'Running');
  await create(api, runManifest(ns.name, 'second', { spec: { idempotencyKey: 'issue-42' } }));
  const dup = await waitForPhase(api, ns.name, 'second', 'Failed');
  expect(condition(dup, 'Duplicate')).toMatchObject({ status: 'True', reason: 'IdempotencyKeyInUse' });
  expect(dup.status?.message).toContain('AgentRun first');
  await waitForPhase(api, ns.name, 'first', 'Succeeded');
});

it('publishes every phase change to NATS on the run subject, once: Pending (Job created), Running (pod started), Succeeded', async () => {
  await create(api, runManifest(ns.name, 'evented', { runFor: '3s' }));
  const run = await waitForPhase(api, ns.name, 'evented', 'Succeeded');
  const subject = `workflow.${ns.name}.evented.${run.metadata.uid}.agent.agent.status`;
  const jsm = await nc.jetstreamManager();
  const durable = `test-${Date.now()}`;
  await jsm.consumers.add('agent-comms', {
    durable_name: durable,
    filter_subject: subject,
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
  });
  const consumer = await nc.jetstream().consumers.get('agent-comms', durable);
  const phases = await eventually(
    async () => {
      const info = await consumer.info();
      expect(info.num_pending).toBeGreaterThanOrEqual(3);
      const got: string[] = [];
      const batch = await consumer.fetch({ max_messages: 10, expires: 1000 });
      for await (const m of batch) got.push((m.json() as { attrs: { phase: string } }).attrs.phase);
      return got;
    },
    { what: 'the phase events' },
  );
  await jsm.consumers.delete('agent-comms', durable);
  expect(phases).toEqual(['Pending', 'Running', 'Succeeded']);
});

it('serves Prometheus metrics of reconciles, queue depth, API requests and leadership', async () => {
  const { status, body } = await controllers.get('/metrics');
  expect(status).toBe(200);
  expect(body).toMatch(/agents_reconcile_duration_ms_count\{kind="agentrun",outcome="success"\} \d+/);
  expect(body).toMatch(/agents_controller_queue_depth\{controller="agentrun",lane="main"\} \d+/);
  expect(body).toMatch(/agents_controller_queue_depth\{controller="agentrun",lane="resync"\} \d+/);
  expect(body).toMatch(/agents_kube_api_requests_total\{verb="POST",resource="jobs",code="201"\} \d+/);
  expect(body).toMatch(/^agents_leader_election_is_leader 1$/m);
  expect(body).toMatch(/agents_agent_run_outcomes_total\{namespace="[^"]+",phase="Succeeded",reason="Completed"\} \d+/);
});

it('deletes a finished run once its ttlSecondsAfterFinished has passed (retention)', async () => {
  await create(api, runManifest(ns.name, 'short-lived', { spec: { ttlSecondsAfterFinished: 2 } }));
  await waitForPhase(api, ns.name, 'short-lived', 'Succeeded');
  await eventually(async () => expect(await getRun(api, ns.name, 'short-lived')).toBeUndefined(), {
    timeoutMs: 15_000,
    what: 'retention to delete the run',
  });
});

it('fails a running run whose spec was changed (runs are immutable) and stops its Job', async () => {
  await create(api, runManifest(ns.name, 'mutated', { runFor: '60s' }));
  await waitForPhase(api, ns.name, 'mutated', 'Running');
  await api.mergePatch(CUSTOM.AgentRun!, ns.name, 'mutated', {
    spec: { implementation: { inline: { text: 'something else' } }, implementationSpecRef: null },
  });
  const run = await waitForPhase(api, ns.name, 'mutated', 'Failed');
  expect(run.status?.reason).toBe('SpecImmutableViolation');
  await eventually(async () => {
    const job = await api.get<{ metadata: { deletionTimestamp?: string } }>(BUILTIN.job, ns.name, 'mutated-job');
    expect(job === undefined || job.metadata.deletionTimestamp !== undefined).toBe(true);
  });
});

it('resolves the Git context of a run from its VersionControlProvider into the Job', async () => {
  await api.create(BUILTIN.secret, {
    metadata: { name: 'gh-token', namespace: ns.name },
    stringData: { token: 't0ken' },
  });
  await create(api, {
    apiVersion: 'agents.proompteng.ai/v1alpha1',
    kind: 'VersionControlProvider',
    metadata: { name: 'github', namespace: ns.name },
    spec: {
      provider: 'github',
      auth: { method: 'token', token: { secretRef: { name: 'gh-token' } } },
      defaults: { baseBranch: 'main' },
    },
  });
  await create(
    api,
    runManifest(ns.name, 'with-git', { spec: { vcsRef: { name: 'github' }, parameters: { repository: 'acme/app' } } }),
  );
  const run = await waitForPhase(api, ns.name, 'with-git', 'Succeeded');
  expect((run.status as { vcs?: unknown }).vcs).toEqual({
    provider: 'github',
    repository: 'acme/app',
    baseBranch: 'main',
    headBranch: 'agents/with-git',
    mode: 'read-write',
  });
  const job = await api.get<{
    spec: { template: { spec: { containers: { env: { name: string; value?: string; valueFrom?: unknown }[] }[] } } };
  }>(BUILTIN.job, ns.name, 'with-git-job');
  const env = job!.spec.template.spec.containers[0]!.env;
  expect(env).toEqual(
    expect.arrayContaining([
      { name: 'VCS_REPOSITORY', value: 'acme/app' },
      { name: 'GITHUB_TOKEN', valueFrom: { secretKeyRef: { name: 'gh-token', key: 'token' } } },
    ]),
  );
});

it('mints a GitHub App installation token for a run and passes it to the Job; a refused App fails a required run', async () => {
  // GitHub's App API is outside this machine: a local server stands in for its access_tokens endpoint, and checks
  // the App JWT's signature with the App's public key as GitHub does.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const minted: string[] = [];
  const github = createServer((req, res) => {
    const [header, payload, signature] = (req.headers.authorization ?? '').replace(/^Bearer /, '').split('.');
    const signed =
      !!signature &&
      verify('sha256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url'));
    const iss = signed ? (JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { iss: string }).iss : '';
    if (req.method === 'POST' && req.url === '/app/installations/42/access_tokens' && iss === '1234') {
      minted.push(req.url);
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token: 'ghs_minted', expires_at: new Date(Date.now() + 3_600_000).toISOString() }));
    } else {
      res.writeHead(signed ? 404 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: signed ? 'Not Found' : 'A JSON web token could not be decoded' }));
    }
  });
  await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve));
  const apiBaseUrl = `http://127.0.0.1:${(github.address() as AddressInfo).port}`;
  try {
    await api.create(BUILTIN.secret, {
      metadata: { name: 'gh-app', namespace: ns.name },
      stringData: { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
    });
    for (const [name, installationId] of [
      ['github-app', 42],
      ['github-app-gone', 99],
    ] as const) {
      await create(api, {
        apiVersion: 'agents.proompteng.ai/v1alpha1',
        kind: 'VersionControlProvider',
        metadata: { name, namespace: ns.name },
        spec: {
          provider: 'github',
          apiBaseUrl,
          auth: { method: 'app', app: { appId: 1234, installationId, privateKeySecretRef: { name: 'gh-app' } } },
        },
      });
    }
    const gitRun = (name: string, vcp: string) =>
      runManifest(ns.name, name, {
        spec: { vcsRef: { name: vcp }, parameters: { repository: 'acme/app' }, vcsPolicy: { required: true } },
      });
    await create(api, gitRun('with-app', 'github-app'));
    await create(api, gitRun('with-app-too', 'github-app'));
    await create(api, gitRun('with-app-gone', 'github-app-gone'));

    for (const name of ['with-app', 'with-app-too']) {
      const run = await waitForPhase(api, ns.name, name, 'Succeeded');
      expect((run.status as { vcs?: { mode: string } }).vcs?.mode).toBe('read-write');
      const job = await api.get<{
        spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } };
      }>(BUILTIN.job, ns.name, `${name}-job`);
      expect(job!.spec.template.spec.containers[0]!.env).toEqual(
        expect.arrayContaining(
          ['VCS_TOKEN', 'GITHUB_TOKEN', 'GH_TOKEN'].map((env) => ({ name: env, value: 'ghs_minted' })),
        ),
      );
    }
    expect(minted).toHaveLength(1); // the second run took the cached token

    const gone = await waitForPhase(api, ns.name, 'with-app-gone', 'Failed');
    expect(gone.status?.reason).toBe('VcsAuthUnavailable');
    expect(gone.status?.message).toContain('GitHub App token of installation 99');
    expect(gone.status?.message).toContain('answered 404: Not Found');
    expect(await api.get(BUILTIN.job, ns.name, 'with-app-gone-job')).toBeUndefined();
  } finally {
    github.close();
  }
});

it('records a Warning event when a run fails', async () => {
  const events = await api.list<{ reason: string; type: string; involvedObject: { name: string } }>(
    BUILTIN.event,
    ns.name,
  );
  expect(events.items.filter((e) => e.involvedObject.name === 'boom').map((e) => [e.type, e.reason])).toContainEqual([
    'Warning',
    'JobFailed',
  ]);
});

it('keeps the core primitives statuses: agent and provider ready, memory waiting for its secret', async () => {
  await create(api, {
    apiVersion: 'agents.proompteng.ai/v1alpha1',
    kind: 'Memory',
    metadata: { name: 'mem', namespace: ns.name },
    spec: { type: 'redis', connection: { secretRef: { name: 'redis-url', key: 'url' } } },
  });
  await eventually(
    async () => {
      const agent = await api.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
        CUSTOM.Agent!,
        ns.name,
        'agent',
      );
      const provider = await api.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
        CUSTOM.AgentProvider!,
        ns.name,
        'shell',
      );
      const memory = await api.get<{ status?: { conditions?: { type: string; status: string; reason: string }[] } }>(
        CUSTOM.Memory!,
        ns.name,
        'mem',
      );
      expect(agent?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(provider?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(memory?.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
        status: 'False',
        reason: 'SecretNotFound',
      });
    },
    { what: 'core statuses' },
  );
});
