import { auditLogPath, createTestDatabase, PrivateNats, readAuditEvents, type TestDatabase } from '@agents/testing';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { agentctl, runRunnerLocally, waitForRunSpec } from '../src/runs.js';
import { EXAMPLES_DIR, kubectl, simulatedNode, Stack, tail } from '../src/stack.js';

// The main job as a test: the chart installed with Helm, both apps running under the chart's ServiceAccounts,
// agentctl driving runs, the agent runner's events through NATS → Postgres → agentctl and SSE. Runs against the
// local cluster, or any cluster with AGENTS_CLUSTER=existing (then the audit-log check relies on the apps' logs).
const stamp = Date.now().toString(36);
const NS = `e2e-${stamp}`;
let db: TestDatabase;
let nats: PrivateNats;
let stack: Stack;
let stateDir: string;
const ctl = (args: string[]) => agentctl(stack.grpcAddress, NS, args);

interface Run {
  metadata: { name: string; uid: string };
  status?: { phase?: string; reason?: string; message?: string };
}

const getRun = (ns: string, name: string) =>
  JSON.parse(kubectl(['get', 'agentrun', name, '-n', ns, '-o', 'json'])) as Run;

async function waitForPhase(ns: string, name: string, phases: string[], timeoutMs = 120_000): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = getRun(ns, name);
    if (phases.includes(run.status?.phase ?? '')) return run;
    if (Date.now() > deadline)
      throw new Error(`${ns}/${name} is ${run.status?.phase ?? 'without phase'}, not ${phases.join('|')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Reads the SSE stream until `done` says so; returns the data of each event. */
async function readSse(url: string, done: (events: string[]) => boolean, timeoutMs = 30_000): Promise<string[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const events: string[] = [];
  try {
    const res = await fetch(url, { headers: { Accept: 'text/event-stream' }, signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body!) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const data = buffer
          .slice(0, end)
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        buffer = buffer.slice(end + 2);
        if (data) events.push(data);
      }
      if (done(events)) return events;
    }
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  throw new Error(
    `the SSE stream ${url} did not deliver what was expected in ${timeoutMs / 1000} s; got:\n${events.join('\n')}`,
  );
}

beforeAll(async () => {
  stateDir = mkdtempSync(path.join(tmpdir(), 'agents-e2e-'));
  db = await createTestDatabase('e2e');
  nats = await PrivateNats.start();
  stack = await Stack.up({ release: 'e2e', namespace: NS, stateDir, databaseUrl: db.url, natsUrl: nats.url });
}, 600_000);

afterAll(async () => {
  await stack?.destroy();
  await nats?.stop();
  await db?.drop();
}, 180_000);

it('installs the chart healthy and brings both apps up, ready, under the chart ServiceAccounts', async () => {
  const status = JSON.parse(kubectl(['get', 'secret', '-n', NS, '-l', 'owner=helm,name=e2e', '-o', 'json'])) as {
    items: { metadata: { labels: Record<string, string> } }[];
  };
  expect(status.items.map((s) => s.metadata.labels.status)).toContain('deployed');
  for (const app of Object.values(stack.apps)) {
    expect((await fetch(`${app.url}${app.readyPath}`)).status).toBe(200);
    expect(app.user).toMatch(new RegExp(`^system:serviceaccount:${NS}:`));
  }
  const info = await ctl(['version', '-o', 'json']);
  expect(info.code).toBe(0);
  expect(info.stdout).toContain('agents-control-plane');
});

it('reports the controllers healthy in agentctl status (the control plane reads their Lease with its own token)', async () => {
  const res = await ctl(['status', '-o', 'json']);
  expect(res.code).toBe(0);
  const status = JSON.parse(res.stdout) as {
    controllers: { status: string; message: string }[];
    database: { status: string };
    namespaces: { namespace: string; degradedComponents: string[] }[];
  };
  expect(status.controllers.map((c) => [c.status, c.message])).toEqual([
    ['healthy', expect.stringMatching(/^leader /)],
  ]);
  expect(status.database.status).toBe('healthy');
  expect(status.namespaces).toEqual([{ namespace: NS, status: 'healthy', degradedComponents: [] }]);
});

it('applies every example of charts/agents/examples through agentctl', async () => {
  const files = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.yaml'));
  expect(files.length).toBeGreaterThanOrEqual(18);
  for (const file of files) {
    const res = await ctl(['apply', '-f', path.join(EXAMPLES_DIR, file)]);
    expect({ file, code: res.code, stderr: res.stderr }).toEqual({ file, code: 0, stderr: '' });
  }
  // Every kind has its example object in the namespace now.
  const kinds = new Set(
    files.map((f) => readFileSync(path.join(EXAMPLES_DIR, f), 'utf8').match(/^kind: (\w+)$/m)?.[1]).filter(Boolean),
  );
  const empty = [...kinds].filter(
    (kind) =>
      (JSON.parse(kubectl(['get', kind!.toLowerCase(), '-n', NS, '-o', 'json'])) as { items: unknown[] }).items
        .length === 0,
  );
  expect(kinds.size).toBeGreaterThanOrEqual(18);
  expect(empty).toEqual([]);
}, 180_000);

it('runs the workflow example to Succeeded: its steps in order, one Job each', async () => {
  // demo-workflow came with the examples: plan, then implement (charts/agents/examples/agentrun-workflow.yaml).
  const run = await waitForPhase(NS, 'demo-workflow', ['Succeeded', 'Failed']);
  expect({ phase: run.status?.phase, reason: run.status?.reason }).toEqual({ phase: 'Succeeded', reason: 'Completed' });
  const jobs = JSON.parse(
    kubectl(['get', 'jobs', '-n', NS, '-l', 'agents.proompteng.ai/agent-run=demo-workflow', '-o', 'json']),
  ) as { items: { metadata: { name: string; labels: Record<string, string> } }[] };
  expect(jobs.items.map((j) => [j.metadata.name, j.metadata.labels['agents.proompteng.ai/step']]).sort()).toEqual([
    ['demo-workflow-step-1-attempt-1', 'plan'],
    ['demo-workflow-step-2-attempt-1', 'implement'],
  ]);
  // Deleting it cleans up every attempt's Job and ConfigMap under the chart's RBAC (checked by the audit test below).
  expect((await ctl(['delete', 'agentrun', 'demo-workflow'])).code).toBe(0);
  const deadline = Date.now() + 60_000;
  const selector = 'agents.proompteng.ai/agent-run=demo-workflow';
  const left = () =>
    kubectl(['get', 'agentrun', 'demo-workflow', '-n', NS, '--ignore-not-found', '-o', 'name']) +
    kubectl(['get', 'jobs,configmaps', '-n', NS, '-l', selector, '-o', 'name']);
  while (left().trim() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  expect(left().trim()).toBe('');
}, 180_000);

it('runs a job AgentRun to Succeeded, with the runner events in agentctl run logs and on the SSE endpoint', async () => {
  const submitted = await ctl([
    'run',
    'submit',
    '--agent',
    'demo-agent',
    '--impl',
    'demo-task',
    '--runtime',
    'job',
    '-o',
    'json',
  ]);
  expect(submitted.code).toBe(0);
  const name = (JSON.parse(submitted.stdout) as Run).metadata.name;
  await waitForRunSpec(NS, name);
  const runner = await runRunnerLocally({
    namespace: NS,
    run: name,
    natsUrl: nats.url,
    workDir: stateDir,
    runnerId: 'e2e',
  });
  expect({ code: runner.code, status: runner.status?.status }).toEqual({ code: 0, status: 'succeeded' });

  const wait = await ctl(['run', 'wait', name]);
  expect(wait.code).toBe(0);
  expect(getRun(NS, name).status?.phase).toBe('Succeeded');

  let logs = '';
  const deadline = Date.now() + 30_000;
  while (!logs.includes('the provider exited with code 0') && Date.now() < deadline) {
    logs = (await ctl(['run', 'logs', name])).stdout;
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(logs).toContain(`run ${name}: Add a health endpoint`);
  expect(logs).toContain('the provider exited with code 0');

  const events = await readSse(
    `${stack.controlPlaneUrl}/v1/agent-events?agentRunNamespace=${NS}&agentRunName=${name}`,
    (e) => e.some((d) => d.includes('the provider exited with code 0')),
  );
  expect(events.some((d) => d.includes(`run ${name}: Add a health endpoint`))).toBe(true);
}, 240_000);

it('ends a run whose pod fails Failed, with the reason', async () => {
  // A provider that exits 3: a real kubelet runs it (kind: the runner then reports the exit in its terminal status),
  // kwok fails the pod as annotated (the Job's failure is then the reason). The pod's node tells which.
  const provider = {
    apiVersion: 'agents.proompteng.ai/v1alpha1',
    kind: 'AgentProvider',
    metadata: { name: 'failing-shell', namespace: NS },
    spec: { binary: '/bin/sh', argsTemplate: ['-c', 'echo about to fail; exit 3'] },
  };
  const agent = {
    apiVersion: 'agents.proompteng.ai/v1alpha1',
    kind: 'Agent',
    metadata: { name: 'failing-agent', namespace: NS },
    spec: { providerRef: { name: 'failing-shell' }, defaults: { systemPrompt: 'Fail on purpose.' } },
  };
  const manifest = {
    apiVersion: 'agents.proompteng.ai/v1alpha1',
    kind: 'AgentRun',
    metadata: { name: 'failing', namespace: NS },
    spec: {
      agentRef: { name: 'failing-agent' },
      implementationSpecRef: { name: 'demo-task' },
      runtime: { type: 'job', config: { podAnnotations: { 'sim.agents.dev/exit-code': '3' }, backoffLimit: 0 } },
    },
  };
  for (const m of [provider, agent, manifest]) expect((await agentctlApply(m)).code).toBe(0);
  const wait = await ctl(['run', 'wait', 'failing']);
  expect(wait.code).toBe(1);
  const run = await waitForPhase(NS, 'failing', ['Failed']);
  const node = kubectl([
    '-n',
    NS,
    'get',
    'pods',
    '-l',
    'job-name=failing-job',
    '-o',
    'jsonpath={.items[0].spec.nodeName}',
  ]);
  if (!simulatedNode(node.trim())) {
    expect(run.status?.reason).toBe('RunnerFailed');
    expect(run.status?.message).toMatch(/code 3/);
  } else {
    expect(run.status?.reason).toBe('JobFailed');
    expect(run.status?.message).toBeTruthy();
  }
}, 180_000);

it('never needed more than the chart RBAC: no request of either app was refused', () => {
  for (const app of Object.values(stack.apps)) {
    expect({
      app: app.component,
      forbidden: tail(app.logFile, 100_000).match(/.*(forbidden|\b403\b).*/gi) ?? [],
    }).toEqual({
      app: app.component,
      forbidden: [],
    });
    if (auditLogPath()) {
      const events = readAuditEvents(app.user);
      expect(events.length).toBeGreaterThan(0);
      expect(events.filter((e) => e.responseStatus?.code === 403).map((e) => `${e.verb} ${e.requestURI}`)).toEqual([]);
    }
  }
});

describe('cluster-scoped RBAC watching two namespaces', () => {
  const namespaces = [`e2e-a-${stamp}`, `e2e-b-${stamp}`];
  let scoped: Stack;
  let scopedDb: TestDatabase;

  beforeAll(async () => {
    for (const ns of namespaces) kubectl(['create', 'namespace', ns]);
    scopedDb = await createTestDatabase('e2e_cs');
    scoped = await Stack.up({
      release: 'e2e-cs',
      namespace: `e2e-cs-${stamp}`,
      stateDir,
      databaseUrl: scopedDb.url,
      natsUrl: nats.url,
      values: {
        rbac: { clusterScoped: true },
        controller: { namespaces },
        controlPlane: { env: { vars: { JANGAR_AGENT_COMMS_CONSUMER: `agents-e2e-cs-${stamp}` } } },
      },
    });
  }, 600_000);

  afterAll(async () => {
    await scoped?.destroy();
    for (const ns of namespaces) kubectl(['delete', 'namespace', ns, '--ignore-not-found', '--wait=false']);
    await scopedDb?.drop();
  }, 180_000);

  it('reconciles runs in both namespaces to Succeeded', async () => {
    for (const ns of namespaces) {
      for (const file of ['agentprovider.yaml', 'agent.yaml', 'implementationspec.yaml', 'agentrun-job.yaml']) {
        kubectl(['apply', '-n', ns, '-f', path.join(EXAMPLES_DIR, file)]);
      }
    }
    for (const ns of namespaces)
      expect((await waitForPhase(ns, 'demo-run', ['Succeeded', 'Failed'])).status?.phase).toBe('Succeeded');
    const logs = tail(scoped.apps.controllers.logFile, 100_000);
    expect(logs).not.toMatch(/forbidden/i);
  }, 240_000);
});

async function agentctlApply(manifest: unknown) {
  const file = path.join(stateDir, `manifest-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(manifest));
  return ctl(['apply', '-f', file]);
}
