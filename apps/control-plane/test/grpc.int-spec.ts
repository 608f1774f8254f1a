import type { AgentRun } from '@agents/api';
import { CUSTOM, type KubeApi, type KubeObjectLike } from '@agents/kube';
import type {
  AgentctlServiceClient,
  DeleteResponse,
  GetControlPlaneStatusResponse,
  GetServerInfoResponse,
  ResourceResponse,
  StreamAgentRunLogsResponse,
  StreamAgentRunStatusResponse,
  SubmitAgentRunRequest,
  SubmitAgentRunResponse,
} from '@agents/proto/client';
import {
  PrivateNats,
  TcpProxy,
  TestNamespace,
  createTestDatabase,
  eventually,
  testKubeConfig,
  type TestDatabase,
} from '@agents/testing';
import { Metadata, status } from '@grpc/grpc-js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { stringify } from 'yaml';
import {
  message,
  Publisher,
  SseReader,
  startControlPlane,
  subjectOf,
  type ControlPlaneProcess,
  type RunRef,
} from './harness.js';
import {
  adminApi,
  example,
  examples,
  failure,
  KIND_NAMES,
  kubeconfigFile,
  readStream,
  rpc,
  submitRequest,
  type Example,
} from './int-support.js';

// Every RPC of AgentctlService (proto/proompteng/agents/v1/agentctl.proto) over the wire, against a control plane
// process on the local kube-apiserver, Postgres and a private NATS. No controllers run here: run phases are written
// to the status subresource by the test, as the controllers would.
const TOKEN = 'grpc-int-secret';
let db: TestDatabase;
let nats: PrivateNats;
let ns: TestNamespace;
let other: TestNamespace;
let api: KubeApi;
let cp: ControlPlaneProcess;
let client: AgentctlServiceClient;
let publisher: Publisher;
/** The control plane's audit sink (JANGAR_AUDIT_SINK_TYPE=http): every document it POSTs, with its headers. */
let auditSink: Server;
const audited: { authorization: string | undefined; doc: { action: string; kind: string; name: string } }[] = [];

/** The RPC names of each kind (ListMemories, GetMemory, …) and the example applied through them. */
const KINDS: { kind: string; plural: string; file: string }[] = [
  { kind: 'Agent', plural: 'Agents', file: 'agent.yaml' },
  { kind: 'AgentRun', plural: 'AgentRuns', file: 'agentrun-job.yaml' },
  { kind: 'AgentProvider', plural: 'AgentProviders', file: 'agentprovider.yaml' },
  { kind: 'ImplementationSpec', plural: 'ImplementationSpecs', file: 'implementationspec.yaml' },
  { kind: 'ImplementationSource', plural: 'ImplementationSources', file: 'implementationsource.yaml' },
  { kind: 'VersionControlProvider', plural: 'VersionControlProviders', file: 'versioncontrolprovider.yaml' },
  { kind: 'Memory', plural: 'Memories', file: 'memory.yaml' },
  { kind: 'Orchestration', plural: 'Orchestrations', file: 'orchestration.yaml' },
  { kind: 'OrchestrationRun', plural: 'OrchestrationRuns', file: 'orchestrationrun.yaml' },
  { kind: 'ApprovalPolicy', plural: 'ApprovalPolicies', file: 'approvalpolicy.yaml' },
  { kind: 'Budget', plural: 'Budgets', file: 'budget.yaml' },
  { kind: 'SecretBinding', plural: 'SecretBindings', file: 'secretbinding.yaml' },
  { kind: 'Signal', plural: 'Signals', file: 'signal.yaml' },
  { kind: 'SignalDelivery', plural: 'SignalDeliveries', file: 'signaldelivery.yaml' },
  { kind: 'Schedule', plural: 'Schedules', file: 'schedule.yaml' },
  { kind: 'Artifact', plural: 'Artifacts', file: 'artifact.yaml' },
  { kind: 'Workspace', plural: 'Workspaces', file: 'workspace.yaml' },
  { kind: 'Tool', plural: 'Tools', file: 'tool.yaml' },
  { kind: 'ToolRun', plural: 'ToolRuns', file: 'toolrun.yaml' },
];

const parseJson = <T = KubeObjectLike>(r: { json: string }): T => JSON.parse(r.json) as T;
const itemsOf = (r: ResourceResponse) => parseJson<{ items: KubeObjectLike[] }>(r).items;

function manifest(ex: Example, changes: { name?: string; labels?: Record<string, string>; spec?: object } = {}) {
  return stringify({
    ...ex.object,
    metadata: {
      ...ex.object.metadata,
      name: changes.name ?? ex.name,
      ...(changes.labels ? { labels: changes.labels } : {}),
    },
    ...(changes.spec ? { spec: { ...(ex.object.spec as object), ...changes.spec } } : {}),
  });
}

const apply = (kind: string, yaml: string, dryRun = false, namespace = ns.name) =>
  rpc<ResourceResponse>(client, `apply${kind}`, { namespace, manifestYaml: yaml, dryRun });
const get = (kind: string, name: string, namespace = ns.name) =>
  rpc<ResourceResponse>(client, `get${kind}`, { namespace, name });
const stored = (kind: string, name: string, namespace = ns.name) =>
  api.get<KubeObjectLike>(CUSTOM[kind]!, namespace, name);

async function submit(o: Partial<SubmitAgentRunRequest>) {
  const res = await rpc<SubmitAgentRunResponse>(client, 'submitAgentRun', submitRequest({ namespace: ns.name, ...o }));
  return { ...res, run: JSON.parse(res.resourceJson) as AgentRun };
}

/** Writes a run's phase as the controllers do (status subresource). */
const setPhase = (name: string, phase: string) =>
  api.mergePatch(CUSTOM.AgentRun!, ns.name, name, { status: { phase } }, { subresource: 'status' });

const refOf = (run: AgentRun): RunRef => ({
  namespace: run.metadata.namespace!,
  name: run.metadata.name!,
  uid: run.metadata.uid!,
});

beforeAll(async () => {
  db = await createTestDatabase('cp_grpc');
  nats = await PrivateNats.start();
  ns = await TestNamespace.create(testKubeConfig(), 'cp-grpc');
  other = await TestNamespace.create(testKubeConfig(), 'cp-grpc-other');
  api = await adminApi();
  auditSink = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      audited.push({ authorization: req.headers.authorization, doc: JSON.parse(body) as (typeof audited)[0]['doc'] });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => auditSink.listen(0, '127.0.0.1', resolve));
  cp = await startControlPlane({
    databaseUrl: db.url,
    natsUrl: nats.url,
    namespaces: [ns.name],
    env: {
      JANGAR_VERSION: '9.8.7-test',
      JANGAR_COMMIT: 'abc1234',
      JANGAR_BUILD_TIME: '2026-11-23T00:00:00Z',
      JANGAR_AUDIT_SINK_TYPE: 'http',
      JANGAR_AUDIT_SINK_HTTP_URL: `http://127.0.0.1:${(auditSink.address() as AddressInfo).port}/audit`,
      JANGAR_AUDIT_SINK_HTTP_HEADERS_JSON: JSON.stringify({ Authorization: 'Bearer audit-token' }),
    },
  });
  client = cp.client();
  publisher = await Publisher.connect(nats.url);
  // What runs need: a provider, an agent and a task (the examples, applied by the admin).
  for (const file of ['agentprovider.yaml', 'agent.yaml', 'implementationspec.yaml']) {
    const ex = example(file);
    await api.create(CUSTOM[ex.kind]!, { ...ex.object, metadata: { name: `run-${ex.name}`, namespace: ns.name } });
  }
  await api.mergePatch(CUSTOM.Agent!, ns.name, 'run-demo-agent', { spec: { providerRef: { name: 'run-shell' } } });
}, 90_000);

afterAll(async () => {
  client?.close();
  await publisher?.close().catch(() => undefined);
  await cp?.kill();
  auditSink?.closeAllConnections();
  auditSink?.close();
  await nats?.stop();
  await ns?.delete();
  await other?.delete();
  api?.close();
  await db?.drop();
});

describe('server', () => {
  it('GetServerInfo answers the build identity of the process', async () => {
    expect(await rpc<GetServerInfoResponse>(client, 'getServerInfo', {})).toEqual({
      version: '9.8.7-test',
      buildSha: 'abc1234',
      buildTime: '2026-11-23T00:00:00Z',
      service: 'agents-control-plane',
    });
  });

  it('GetControlPlaneStatus reports the database, gRPC, the CRDs and, with no controllers running, a degraded namespace', async () => {
    // NATS ingest connects in the background after start: wait until it is not reported degraded.
    const s = await eventually(async () => {
      const r = await rpc<GetControlPlaneStatusResponse>(client, 'getControlPlaneStatus', { namespace: ns.name });
      expect(r.namespaces[0]?.degradedComponents).toEqual(['controllers']);
      return r;
    });
    expect(Date.now() - Date.parse(s.generatedAt)).toBeLessThan(60_000);
    expect(s).toMatchObject({
      service: 'agents-control-plane',
      database: { configured: true, connected: true, status: 'healthy' },
      grpc: { enabled: true, address: `127.0.0.1:${cp.grpcPort}`, status: 'serving', message: '' },
      runtimeAdapters: [{ name: 'job', available: true }],
      controllers: [
        { name: 'agents-controllers', crdsReady: true, missingCrds: [], started: false, status: 'unknown' },
      ],
      namespaces: [{ namespace: ns.name, status: 'degraded', degradedComponents: ['controllers'] }],
    });
    // A namespace filter that matches no served namespace lists none.
    const none = await rpc<GetControlPlaneStatusResponse>(client, 'getControlPlaneStatus', { namespace: other.name });
    expect(none.namespaces).toEqual([]);
  });

  it('the CRUD table below covers every kind of the API exactly once', () => {
    expect(KINDS.map((k) => k.kind).sort()).toEqual([...KIND_NAMES].sort());
    for (const { kind, file } of KINDS) expect(example(file).kind).toBe(kind);
  });
});

describe.each(KINDS)('$kind (List$plural, Get$kind, Apply$kind, Delete$kind)', ({ kind, plural, file }) => {
  const ex = example(file);
  const name = `crud-${ex.name}`.slice(0, 63);

  it('apply creates the object, a second apply updates the same object, and list and get return it', async () => {
    const created = parseJson(await apply(kind, manifest(ex, { name })));
    expect(created).toMatchObject({ kind, metadata: { name, namespace: ns.name } });
    expect((await stored(kind, name))?.metadata?.uid).toBe(created.metadata?.uid);

    const updated = parseJson(await apply(kind, manifest(ex, { name, labels: { revision: 'two' } })));
    expect(updated.metadata).toMatchObject({ uid: created.metadata?.uid, labels: { revision: 'two' } });
    expect((await stored(kind, name))?.metadata?.labels).toEqual({ revision: 'two' });

    // Reads may come from a watch cache: they see the update shortly, not necessarily at once.
    await eventually(async () => {
      expect(parseJson(await get(kind, name)).metadata?.labels).toEqual({ revision: 'two' });
      const selected = await rpc<ResourceResponse>(client, `list${plural}`, {
        namespace: ns.name,
        labelSelector: 'revision=two',
        ...(kind === 'AgentRun' ? { phase: '', runtime: '' } : {}),
      });
      expect(itemsOf(selected).map((o) => o.metadata?.name)).toEqual([name]);
    });
    const unselected = await rpc<ResourceResponse>(client, `list${plural}`, {
      namespace: ns.name,
      labelSelector: 'revision=three',
      ...(kind === 'AgentRun' ? { phase: '', runtime: '' } : {}),
    });
    expect(itemsOf(unselected)).toEqual([]);
    expect(parseJson(unselected)).toMatchObject({ apiVersion: 'v1', kind: 'List' });
  });

  it('a dry-run apply answers the object as it would be stored and stores nothing', async () => {
    const dryName = `dry-${name}`.slice(0, 63);
    const answered = parseJson(await apply(kind, manifest(ex, { name: dryName }), true));
    expect(answered).toMatchObject({ kind, metadata: { name: dryName, namespace: ns.name } });
    expect(await stored(kind, dryName)).toBeUndefined();
  });

  it('get and delete of a missing object are NOT_FOUND naming the kind, the name and the namespace', async () => {
    const want = {
      code: status.NOT_FOUND,
      details: `${kind.toLowerCase()} missing-one not found in namespace ${ns.name}`,
    };
    expect(await failure(get(kind, 'missing-one'))).toMatchObject(want);
    expect(await failure(rpc(client, `delete${kind}`, { namespace: ns.name, name: 'missing-one' }))).toMatchObject(
      want,
    );
  });

  it('apply with an undeclared field or a spec of the wrong type is INVALID_ARGUMENT naming it, and stores nothing', async () => {
    const badName = `bad-${name}`.slice(0, 63);
    const undeclared = stringify({ ...ex.object, metadata: { name: badName }, notAField: 1 });
    const err = await failure(apply(kind, undeclared));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toContain(`applying ${kind.toLowerCase()} ${badName}`);
    expect(err.details).toContain('.notAField: field not declared in schema');
    const wrongType = stringify({ ...ex.object, metadata: { name: badName }, spec: 'oops' });
    expect(await failure(apply(kind, wrongType))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining('.spec: expected map'),
    });
    expect(await stored(kind, badName)).toBeUndefined();
  });

  it('every call in a namespace this control plane does not serve is PERMISSION_DENIED, and stores nothing', async () => {
    const want = {
      code: status.PERMISSION_DENIED,
      details: `namespace ${other.name} is not served by this control plane (it serves ${ns.name})`,
    };
    expect(await failure(apply(kind, manifest(ex, { name }), false, other.name))).toMatchObject(want);
    expect(await failure(get(kind, name, other.name))).toMatchObject(want);
    expect(await failure(rpc(client, `list${plural}`, { namespace: other.name, labelSelector: '' }))).toMatchObject(
      want,
    );
    expect(await failure(rpc(client, `delete${kind}`, { namespace: other.name, name }))).toMatchObject(want);
    expect((await api.listAll(CUSTOM[kind]!, other.name)).items).toEqual([]);
  });

  it('delete removes the object and answers it', async () => {
    const res = await rpc<DeleteResponse>(client, `delete${kind}`, { namespace: ns.name, name });
    expect(res).toMatchObject({ ok: true, message: `${kind.toLowerCase()} ${name} deleted` });
    expect(parseJson(res).metadata?.name).toBe(name);
    await eventually(async () => expect(await stored(kind, name)).toBeUndefined());
    await eventually(async () => expect((await failure(get(kind, name))).code).toBe(status.NOT_FOUND));
  });
});

describe('Apply validation', () => {
  it.each(examples().map((e) => [e.file, e] as const))('the example %s passes a dry-run apply', async (_f, ex) => {
    const answered = parseJson(await apply(ex.kind, ex.yaml, true));
    expect(answered).toMatchObject({ kind: ex.kind, metadata: { name: ex.name, namespace: ns.name } });
  });

  const agent = () => example('agent.yaml');
  it.each<[string, () => string, RegExp]>([
    ['no document', () => '', /^manifest_yaml: expected exactly one object, got 0$/],
    [
      'two documents',
      () => `${agent().yaml}\n---\n${agent().yaml}`,
      /^manifest_yaml: expected exactly one object, got 2$/,
    ],
    ['YAML that does not parse', () => 'spec: [unclosed', /^manifest_yaml: not valid YAML/],
    ['a list instead of an object', () => '- a\n- b', /^manifest_yaml: must be one object$/],
    ['another kind than the RPC', () => example('budget.yaml').yaml, /^kind: expected Agent, got "Budget"/],
    [
      'a wrong apiVersion',
      () => agent().yaml.replace('/v1alpha1', '/v9'),
      /^apiVersion: expected agents\.proompteng\.ai\/v1alpha1/,
    ],
    [
      'no metadata.name',
      () => 'apiVersion: agents.proompteng.ai/v1alpha1\nkind: Agent\nspec: {}',
      /^metadata\.name: is required$/,
    ],
    [
      'a manifest namespace other than the request namespace',
      () => agent().yaml.replace('name: demo-agent', 'name: demo-agent\n  namespace: elsewhere'),
      /^metadata\.namespace: elsewhere differs from the request namespace/,
    ],
    [
      'a spec field the schema does not declare',
      () => agent().yaml.replace('  providerRef:', '  notAField: 1\n  providerRef:'),
      /\.spec\.notAField: field not declared in schema/,
    ],
    [
      'a field of the wrong type',
      () => agent().yaml.replace('timeoutSeconds: 1800', 'timeoutSeconds: soon'),
      /\.spec\.defaults\.timeoutSeconds: expected numeric/,
    ],
    [
      'a missing required field',
      () => 'apiVersion: agents.proompteng.ai/v1alpha1\nkind: Agent\nmetadata:\n  name: no-provider\nspec: {}',
      /spec\.providerRef: Required value/,
    ],
  ])('apply with %s is INVALID_ARGUMENT naming what is wrong', async (_case, yaml, details) => {
    const err = await failure(apply('Agent', yaml()));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toMatch(details);
    expect(await stored('Agent', 'demo-agent')).toBeUndefined();
    expect(await stored('Agent', 'no-provider')).toBeUndefined();
  });

  it('an AgentRun runtime outside its enum is INVALID_ARGUMENT naming spec.runtime.type', async () => {
    const yaml = example('agentrun-job.yaml')
      .yaml.replace('name: demo-run', 'name: enum-run')
      .replace('type: job', 'type: x');
    const err = await failure(apply('AgentRun', yaml));
    expect(err).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining('spec.runtime.type: Unsupported value: "x"'),
    });
    expect(await stored('AgentRun', 'enum-run')).toBeUndefined();
  });

  it('an object larger than the API server takes (4 MiB) is INVALID_ARGUMENT, not an internal error', async () => {
    const big = stringify({
      ...example('implementationspec.yaml').object,
      metadata: { name: 'too-big' },
      spec: { text: 'x'.repeat(4 * 1024 * 1024) },
    });
    const err = await failure(apply('ImplementationSpec', big));
    expect(err).toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/too large/i) });
    expect(await stored('ImplementationSpec', 'too-big')).toBeUndefined();
  });

  it('apply of a stale resourceVersion is ABORTED (someone changed the object since it was read)', async () => {
    const ex = example('budget.yaml');
    const first = parseJson(await apply('Budget', manifest(ex, { name: 'stale' })));
    await apply('Budget', manifest(ex, { name: 'stale', labels: { touched: 'yes' } }));
    const stale = stringify({
      ...ex.object,
      metadata: { name: 'stale', resourceVersion: first.metadata?.resourceVersion },
    });
    const err = await failure(apply('Budget', stale));
    expect(err).toMatchObject({
      code: status.ABORTED,
      details: expect.stringContaining('the object has been modified'),
    });
  });

  it('an object in a namespace the control plane does not serve is neither read, listed, cancelled nor deleted', async () => {
    const ex = example('budget.yaml');
    await api.create(CUSTOM.Budget!, { ...ex.object, metadata: { name: 'outside', namespace: other.name } });
    const denied = { code: status.PERMISSION_DENIED };
    expect(await failure(get('Budget', 'outside', other.name))).toMatchObject(denied);
    expect(await failure(rpc(client, 'deleteBudget', { namespace: other.name, name: 'outside' }))).toMatchObject(
      denied,
    );
    expect(await failure(rpc(client, 'cancelAgentRun', { namespace: other.name, name: 'outside' }))).toMatchObject(
      denied,
    );
    expect(
      await failure(
        rpc(
          client,
          'submitAgentRun',
          submitRequest({ namespace: other.name, agentName: 'a', implementationName: 'b' }),
        ),
      ),
    ).toMatchObject(denied);
    expect(await stored('Budget', 'outside', other.name)).toBeDefined();
  });

  it('a namespace that is not a namespace name is INVALID_ARGUMENT', async () => {
    expect(await failure(get('Agent', 'x', 'Not_A_Namespace'))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'namespace: "Not_A_Namespace" is not a namespace name',
    });
  });

  it('a Get without a name is INVALID_ARGUMENT', async () => {
    expect(await failure(get('Budget', ''))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'name: is required',
    });
  });
});

describe('CreateImplementationSpec', () => {
  it('creates a spec from text, summary and source, with the name asked for', async () => {
    const res = await rpc<ResourceResponse>(client, 'createImplementationSpec', {
      namespace: ns.name,
      name: 'from-text',
      text: 'Fix the flaky test',
      summary: 'flaky test',
      source: {
        provider: 'github',
        externalId: 'proompteng/lab#12',
        url: 'https://github.com/proompteng/lab/issues/12',
      },
    });
    const spec = parseJson<{ metadata: { name: string }; spec: Record<string, unknown> }>(res);
    expect(spec.metadata.name).toBe('from-text');
    expect((await stored('ImplementationSpec', 'from-text')) as unknown).toMatchObject({
      spec: {
        text: 'Fix the flaky test',
        summary: 'flaky test',
        source: {
          provider: 'github',
          externalId: 'proompteng/lab#12',
          url: 'https://github.com/proompteng/lab/issues/12',
        },
      },
    });
  });

  it('generates a name and defaults the source to manual', async () => {
    const res = await rpc<ResourceResponse>(client, 'createImplementationSpec', {
      namespace: ns.name,
      name: '',
      text: 'Anything',
      summary: '',
      source: undefined,
    });
    const spec = parseJson<{ metadata: { name: string }; spec: { source: unknown } }>(res);
    expect(spec.metadata.name).toMatch(/^impl-[a-z0-9]{5}$/);
    expect(spec.spec.source).toEqual({ provider: 'manual' });
  });

  it('is INVALID_ARGUMENT without text, and ALREADY_EXISTS for a name in use', async () => {
    const req = { namespace: ns.name, name: 'from-text', text: '  ', summary: '', source: undefined };
    expect(await failure(rpc(client, 'createImplementationSpec', req))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^text: is required/),
    });
    expect(await failure(rpc(client, 'createImplementationSpec', { ...req, text: 'again' }))).toMatchObject({
      code: status.ALREADY_EXISTS,
      details: expect.stringContaining('"from-text" already exists'),
    });
  });
});

describe('SubmitAgentRun', () => {
  const base = { agentName: 'run-demo-agent', implementationName: 'run-demo-task' };

  it('creates an AgentRun carrying every field of the request', async () => {
    const { run, idempotent } = await submit({
      ...base,
      runtimeConfig: [
        { key: 'backoffLimit', value: '2' },
        { key: 'debug', value: 'true' },
        { key: 'queue', value: 'fast' },
        { key: 'podLabels', value: '{"team":"a"}' },
        { key: 'note', value: '{not json' },
      ],
      parameters: [{ key: 'branch', value: 'main' }],
      workload: { image: 'ghcr.io/x/runner:1', cpu: '500m', memory: '1Gi' },
      memoryRef: 'team-memory',
      vcsRef: 'github',
      vcsPolicyMode: 'read-only',
      vcsPolicyRequired: true,
    });
    expect(idempotent).toBe(false);
    expect(run.metadata.name).toMatch(/^run-demo-agent-[a-z0-9]{5}$/);
    const saved = (await stored('AgentRun', run.metadata.name!)) as AgentRun;
    expect(saved.metadata.uid).toBe(run.metadata.uid);
    expect(saved.spec).toEqual({
      agentRef: { name: 'run-demo-agent' },
      implementationSpecRef: { name: 'run-demo-task' },
      runtime: {
        type: 'job',
        config: { backoffLimit: 2, debug: true, queue: 'fast', podLabels: { team: 'a' }, note: '{not json' },
      },
      parameters: { branch: 'main' },
      workload: { image: 'ghcr.io/x/runner:1', resources: { requests: { cpu: '500m', memory: '1Gi' } } },
      memoryRef: { name: 'team-memory' },
      vcsRef: { name: 'github' },
      vcsPolicy: { mode: 'read-only', required: true },
    });
  });

  it('answers the same run, marked idempotent, when the idempotency key is used again', async () => {
    const first = await submit({ ...base, idempotencyKey: 'ticket-42' });
    const again = await submit({ ...base, idempotencyKey: 'ticket-42' });
    expect(first.idempotent).toBe(false);
    expect(again.idempotent).toBe(true);
    expect(again.run.metadata.uid).toBe(first.run.metadata.uid);
    expect(again.run.spec.idempotencyKey).toBe('ticket-42');
    const label = first.run.metadata.labels!['agents.proompteng.ai/idempotency-key']!;
    const withKey = await api.listAll(CUSTOM.AgentRun!, ns.name, {
      labelSelector: `agents.proompteng.ai/idempotency-key=${label}`,
    });
    expect(withKey.items).toHaveLength(1);
    // Another key is another run.
    const third = await submit({ ...base, idempotencyKey: 'ticket-43' });
    expect(third.run.metadata.uid).not.toBe(first.run.metadata.uid);
  });

  it('refuses a run of an agent that does not exist with NOT_FOUND naming the agent, and creates nothing', async () => {
    const err = await failure(submit({ ...base, agentName: 'nobody' }));
    expect(err).toMatchObject({ code: status.NOT_FOUND, details: `agent nobody not found in namespace ${ns.name}` });
    const runs = await api.listAll<AgentRun>(CUSTOM.AgentRun!, ns.name);
    expect(runs.items.filter((r) => r.spec.agentRef.name === 'nobody')).toEqual([]);
  });

  it('is ALREADY_EXISTS for a run name in use without the idempotency key that made it', async () => {
    await submit({ ...base, name: 'named-run' });
    expect(await failure(submit({ ...base, name: 'named-run' }))).toMatchObject({
      code: status.ALREADY_EXISTS,
      details: expect.stringContaining('"named-run" already exists'),
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['no agent', { agentName: '' }, 'agent_name: is required'],
    ['no implementation', { implementationName: '' }, 'implementation_name: is required'],
    ['an unknown runtime', { runtimeType: 'lambda' }, 'runtime_type: must be one of workflow, job, temporal, custom'],
    ['a prompt parameter', { parameters: [{ key: 'Prompt', value: 'x' }] }, 'parameters: must not contain prompt'],
    [
      'a runtime setting without a key',
      { runtimeConfig: [{ key: '', value: 'x' }] },
      'runtime_config[0].key: is required',
    ],
    [
      'a parameter without a key',
      {
        parameters: [
          { key: 'a', value: '' },
          { key: '', value: 'b' },
        ],
      },
      'parameters[1].key: is required',
    ],
    ['an unknown VCS mode', { vcsPolicyMode: 'admin' }, 'vcs_policy_mode: must be one of read-write, read-only, none'],
  ])('is INVALID_ARGUMENT for %s, naming the field', async (_case, change, details) => {
    const err = await failure(submit({ ...base, ...change }));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details.startsWith(details)).toBe(true);
  });
});

describe('CancelAgentRun and run reads', () => {
  it('asks the controllers to stop an unfinished run (cancel-requested annotation)', async () => {
    const { run } = await submit({ agentName: 'run-demo-agent', implementationName: 'run-demo-task' });
    const res = await rpc(client, 'cancelAgentRun', { namespace: ns.name, name: run.metadata.name });
    expect(res).toEqual({
      ok: true,
      message: expect.stringContaining(`cancellation of agentrun ${run.metadata.name} requested`),
    });
    const saved = (await stored('AgentRun', run.metadata.name!)) as AgentRun;
    expect(Date.parse(saved.metadata.annotations!['agents.proompteng.ai/cancel-requested']!)).toBeGreaterThan(0);
  });

  it('is FAILED_PRECONDITION for a finished run and NOT_FOUND for a missing one', async () => {
    const { run } = await submit({ agentName: 'run-demo-agent', implementationName: 'run-demo-task' });
    await setPhase(run.metadata.name!, 'Succeeded');
    await eventually(async () =>
      expect(
        await failure(rpc(client, 'cancelAgentRun', { namespace: ns.name, name: run.metadata.name })),
      ).toMatchObject({
        code: status.FAILED_PRECONDITION,
        details: `agentrun ${run.metadata.name} already finished (Succeeded)`,
      }),
    );
    expect(await failure(rpc(client, 'cancelAgentRun', { namespace: ns.name, name: 'no-such-run' }))).toMatchObject({
      code: status.NOT_FOUND,
      details: `agentrun no-such-run not found in namespace ${ns.name}`,
    });
  });

  it('ListAgentRuns filters by phase and runtime', async () => {
    const { run: done } = await submit({
      agentName: 'run-demo-agent',
      implementationName: 'run-demo-task',
      name: 'filter-done',
    });
    await submit({
      agentName: 'run-demo-agent',
      implementationName: 'run-demo-task',
      name: 'filter-flow',
      runtimeType: 'workflow',
    });
    await setPhase(done.metadata.name!, 'Failed');
    const list = (phase: string, runtime: string) =>
      rpc<ResourceResponse>(client, 'listAgentRuns', { namespace: ns.name, labelSelector: '', phase, runtime }).then(
        (r) => itemsOf(r).map((o) => o.metadata?.name),
      );
    await eventually(async () => expect(await list('Failed', '')).toEqual(['filter-done']));
    expect(await list('', 'workflow')).toEqual(['filter-flow']);
    expect(await list('Failed', 'workflow')).toEqual([]);
    expect(await list('', '')).toEqual(expect.arrayContaining(['filter-done', 'filter-flow']));
  });
});

describe('StreamAgentRunStatus', () => {
  it('sends the run now and at every change, and ends at a terminal phase', async () => {
    const { run } = await submit({ agentName: 'run-demo-agent', implementationName: 'run-demo-task' });
    const name = run.metadata.name!;
    const stream = readStream<StreamAgentRunStatusResponse>(client.streamAgentRunStatus({ namespace: ns.name, name }));
    await eventually(() => expect(stream.items).toHaveLength(1));
    await setPhase(name, 'Running');
    await eventually(() => expect(stream.items.map((i) => i.phase)).toEqual(['', 'Running']));
    await setPhase(name, 'Succeeded');
    expect(await stream.ended).toBeUndefined();
    expect(stream.items.map((i) => i.phase)).toEqual(['', 'Running', 'Succeeded']);
    expect(JSON.parse(stream.items[2]!.json)).toMatchObject({ metadata: { name }, status: { phase: 'Succeeded' } });
  });

  it('of a finished run sends it once and ends', async () => {
    const { run } = await submit({ agentName: 'run-demo-agent', implementationName: 'run-demo-task' });
    await setPhase(run.metadata.name!, 'Cancelled');
    await eventually(async () => {
      const stream = readStream<StreamAgentRunStatusResponse>(
        client.streamAgentRunStatus({ namespace: ns.name, name: run.metadata.name! }),
      );
      expect(await stream.ended).toBeUndefined();
      expect(stream.items.map((i) => i.phase)).toEqual(['Cancelled']);
    });
  });

  it('ends when the run is deleted', async () => {
    const { run } = await submit({ agentName: 'run-demo-agent', implementationName: 'run-demo-task' });
    const stream = readStream<StreamAgentRunStatusResponse>(
      client.streamAgentRunStatus({ namespace: ns.name, name: run.metadata.name! }),
    );
    await eventually(() => expect(stream.items).toHaveLength(1));
    await rpc(client, 'deleteAgentRun', { namespace: ns.name, name: run.metadata.name });
    expect(await stream.ended).toBeUndefined();
  });

  it('of a missing run fails with NOT_FOUND', async () => {
    const stream = readStream(client.streamAgentRunStatus({ namespace: ns.name, name: 'no-such-run' }));
    expect(await stream.ended).toMatchObject({
      code: status.NOT_FOUND,
      details: `agentrun no-such-run not found in namespace ${ns.name}`,
    });
    expect(stream.items).toEqual([]);
  });
});

describe('AgentRun history and the audit trail in Postgres', () => {
  async function query<T>(text: string, values: unknown[]): Promise<T[]> {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      return (await c.query(text, values)).rows as T[];
    } finally {
      await c.end();
    }
  }

  it("keeps a run's history after its AgentRun is deleted, and records who submitted and deleted it", async () => {
    const { run } = await submit({ agentName: 'run-demo-agent', implementationName: 'run-demo-task' });
    const name = run.metadata.name!;
    await setPhase(name, 'Succeeded');
    await eventually(async () =>
      expect(
        await query<{ phase: string }>('select phase from agent_run_history where uid = $1', [run.metadata.uid]),
      ).toEqual([{ phase: 'Succeeded' }]),
    );
    await rpc(client, 'deleteAgentRun', { namespace: ns.name, name });
    await eventually(async () => {
      const [row] = await query<{ name: string; phase: string; deleted_at: Date | null }>(
        'select name, phase, deleted_at from agent_run_history where uid = $1',
        [run.metadata.uid],
      );
      expect(row).toMatchObject({ name, phase: 'Succeeded', deleted_at: expect.any(Date) });
    });
    expect(await stored('AgentRun', name)).toBeUndefined();
    // Audit rows are written after the reply (best effort): wait for the second one.
    await eventually(async () =>
      expect(
        await query<{ actor: string; action: string; kind: string }>(
          'select actor, action, kind from audit_events where namespace = $1 and name = $2 order by id',
          [ns.name, name],
        ),
      ).toEqual([
        { actor: 'agentctl', action: 'submit', kind: 'AgentRun' },
        { actor: 'agentctl', action: 'delete', kind: 'AgentRun' },
      ]),
    );
    // …and the audit sink got a copy of each, with the configured header.
    await eventually(() =>
      expect(audited.filter((a) => a.doc.name === name)).toEqual([
        {
          authorization: 'Bearer audit-token',
          doc: expect.objectContaining({ type: 'audit', actor: 'agentctl', action: 'submit', kind: 'AgentRun' }),
        },
        { authorization: 'Bearer audit-token', doc: expect.objectContaining({ action: 'delete', namespace: ns.name }) },
      ]),
    );
  });
});

describe('GET /v1/control-plane/stream (AgentRun changes as Server-Sent Events)', () => {
  interface ResourceEvent {
    namespace: string;
    name: string;
    action: string;
    phase: string | null;
  }
  /** Reads the stream's events until one matches (the current runs of the namespace come first). */
  async function until(sse: SseReader, match: (e: ResourceEvent) => boolean): Promise<ResourceEvent> {
    for (let i = 0; i < 1000; i++) {
      const [e] = await sse.next(1);
      expect(e!.event).toBe('resource');
      const data = JSON.parse(e!.data) as ResourceEvent;
      expect(data.namespace).toBe(ns.name);
      if (match(data)) return data;
    }
    throw new Error('no matching resource event in 1000');
  }

  it('sends the runs of its namespace now, then every status change and the deletion', async () => {
    const { run } = await submit({ agentName: 'run-demo-agent', implementationName: 'run-demo-task' });
    const name = run.metadata.name!;
    const sse = new SseReader(`${cp.url}/v1/control-plane/stream?namespace=${ns.name}`);
    try {
      expect(await until(sse, (e) => e.name === name)).toMatchObject({ action: 'ADDED', phase: null });
      await setPhase(name, 'Running');
      expect(await until(sse, (e) => e.name === name)).toMatchObject({ action: 'MODIFIED', phase: 'Running' });
      await api.delete(CUSTOM.AgentRun!, ns.name, name);
      expect(await until(sse, (e) => e.name === name)).toMatchObject({ action: 'DELETED' });
    } finally {
      sse.close();
    }
  });

  it('refuses a namespace it does not watch, and a request without one, with 400', async () => {
    const unwatched = await fetch(`${cp.url}/v1/control-plane/stream?namespace=${other.name}`);
    expect(unwatched.status).toBe(400);
    expect(await unwatched.text()).toContain(`namespace ${other.name} is not watched by this control plane`);
    const missing = await fetch(`${cp.url}/v1/control-plane/stream`);
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('namespace is required');
  });
});

describe('StreamAgentRunLogs', () => {
  let run: AgentRun;
  let ref: RunRef;

  beforeAll(async () => {
    ({ run } = await submit({ agentName: 'run-demo-agent', implementationName: 'run-demo-task', name: 'logs-run' }));
    ref = refOf(run);
  });

  const logs = (follow: boolean, afterId = 0, name = 'logs-run') =>
    readStream<StreamAgentRunLogsResponse>(client.streamAgentRunLogs({ namespace: ns.name, name, follow, afterId }));

  it('with follow, sends the events published for the run in order as they arrive, and ends after the run finished', async () => {
    const follow = logs(true);
    for (let i = 1; i <= 3; i++) await publisher.publish(subjectOf(ref), message(ref, i));
    await eventually(() => expect(follow.items.map((e) => e.message)).toEqual(['line 1', 'line 2', 'line 3']));
    await publisher.publish(subjectOf(ref), message(ref, 4, { content: 'oops', attrs: { stream: 'stderr' } }));
    await publisher.publish(
      subjectOf(ref, 'status'),
      message(ref, 5, { kind: 'status', role: 'system', content: 'Running' }),
    );
    await publisher.publish(subjectOf(ref), message(ref, 6, { content: 'last words' }));
    await eventually(() => expect(follow.items).toHaveLength(6));
    expect(follow.items.map((e) => [e.stream, e.kind, e.message])).toEqual([
      ['stdout', 'output', 'line 1'],
      ['stdout', 'output', 'line 2'],
      ['stdout', 'output', 'line 3'],
      ['stderr', 'output', 'oops'],
      ['status', 'status', 'Running'],
      ['stdout', 'output', 'last words'],
    ]);
    const ids = follow.items.map((e) => e.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(6);
    // Open while the run is unfinished; it ends (after a settle time for trailing lines) once the run is finished.
    await setPhase('logs-run', 'Succeeded');
    expect(await follow.ended).toBeUndefined();
    expect(follow.items).toHaveLength(6);
  });

  it('without follow, sends the stored events and ends; after_id resumes after an event', async () => {
    const all = logs(false);
    expect(await all.ended).toBeUndefined();
    expect(all.items.map((e) => e.message)).toEqual(['line 1', 'line 2', 'line 3', 'oops', 'Running', 'last words']);
    const rest = logs(false, all.items[3]!.id);
    expect(await rest.ended).toBeUndefined();
    expect(rest.items.map((e) => e.message)).toEqual(['Running', 'last words']);
  });

  it('of a missing run fails with NOT_FOUND', async () => {
    const missing = logs(false, 0, 'no-such-run');
    expect(await missing.ended).toMatchObject({ code: status.NOT_FOUND });
  });
});

describe('token auth and an unreachable Kubernetes API', () => {
  let kubeProxy: TcpProxy;
  let guarded: ControlPlaneProcess;
  let guardedClient: AgentctlServiceClient;

  beforeAll(async () => {
    const server = new URL(testKubeConfig().getCurrentCluster()!.server);
    kubeProxy = await TcpProxy.start(server.hostname, Number(server.port || 443));
    guarded = await startControlPlane({
      databaseUrl: db.url,
      namespaces: [ns.name],
      env: {
        JANGAR_GRPC_TOKEN: TOKEN,
        KUBECONFIG: kubeconfigFile(testKubeConfig(), `https://${server.hostname}:${kubeProxy.port}`),
      },
    });
    guardedClient = guarded.client();
  }, 90_000);

  afterAll(async () => {
    guardedClient?.close();
    await guarded?.kill();
    await kubeProxy?.close();
  });

  const listBudgets = (token?: string) =>
    rpc<ResourceResponse>(guardedClient, 'listBudgets', { namespace: ns.name, labelSelector: '' }, token);

  it('refuses calls without a token, or with a wrong one, as UNAUTHENTICATED', async () => {
    expect(await failure(listBudgets())).toMatchObject({
      code: status.UNAUTHENTICATED,
      details: expect.stringContaining('missing credentials'),
    });
    expect(await failure(listBudgets('wrong'))).toMatchObject({
      code: status.UNAUTHENTICATED,
      details: 'invalid token',
    });
    expect(await failure(listBudgets(`${TOKEN}x`))).toMatchObject({ code: status.UNAUTHENTICATED });
    const stream = readStream(guardedClient.streamAgentRunStatus({ namespace: ns.name, name: 'whatever' }));
    expect(await stream.ended).toMatchObject({ code: status.UNAUTHENTICATED });
  });

  it('serves calls with the token as a bearer or as x-agents-token', async () => {
    expect(parseJson(await listBudgets(TOKEN))).toMatchObject({ kind: 'List' });
    const md = new Metadata();
    md.set('x-agents-token', TOKEN);
    const info = await new Promise((resolve, reject) =>
      guardedClient.getServerInfo({}, md, (err, res) => (err ? reject(err) : resolve(res))),
    );
    expect(info).toMatchObject({ service: 'agents-control-plane' });
    const s = await rpc<GetControlPlaneStatusResponse>(
      guardedClient,
      'getControlPlaneStatus',
      { namespace: '' },
      TOKEN,
    );
    expect(s.grpc?.message).toBe('bearer token required');
  });

  it('answers UNAVAILABLE while the Kubernetes API is unreachable, and serves again once it is back', async () => {
    kubeProxy.cut();
    try {
      await eventually(async () =>
        expect(await failure(listBudgets(TOKEN))).toMatchObject({
          code: status.UNAVAILABLE,
          details: expect.stringContaining('the Kubernetes API is unreachable'),
        }),
      );
      // Auth still comes first.
      expect((await failure(listBudgets())).code).toBe(status.UNAUTHENTICATED);
    } finally {
      kubeProxy.restore();
    }
    await eventually(async () => expect(parseJson(await listBudgets(TOKEN))).toMatchObject({ kind: 'List' }));
  });
});

// Last in the file: it stops the shared control plane.
describe('shutdown', () => {
  it('on SIGTERM ends its open SSE and gRPC streams and exits at once, so their clients move to another replica', async () => {
    const { run } = await submit({ agentName: 'run-demo-agent', implementationName: 'run-demo-task', name: 'bye-run' });
    const events = new SseReader(`${cp.url}/v1/agent-events?agentRunUid=${run.metadata.uid}`);
    const resources = new SseReader(`${cp.url}/v1/control-plane/stream?namespace=${ns.name}`);
    const statusStream = readStream<StreamAgentRunStatusResponse>(
      client.streamAgentRunStatus({ namespace: ns.name, name: 'bye-run' }),
    );
    const follow = readStream<StreamAgentRunLogsResponse>(
      client.streamAgentRunLogs({ namespace: ns.name, name: 'bye-run', follow: true, afterId: 0 }),
    );
    await publisher.publish(subjectOf(refOf(run)), message(refOf(run), 1));
    await eventually(() => expect(follow.items).toHaveLength(1));
    await eventually(() => expect(statusStream.items.length).toBeGreaterThan(0));
    await resources.next(1);
    await events.next(1);
    const started = performance.now();
    await cp.kill('SIGTERM');
    expect(performance.now() - started).toBeLessThan(5000);
    await Promise.all([events.done, resources.done]);
    for (const s of [statusStream, follow])
      expect(await s.ended).toMatchObject({
        code: status.UNAVAILABLE,
        details: expect.stringContaining('shutting down'),
      });
  }, 30_000);
});
