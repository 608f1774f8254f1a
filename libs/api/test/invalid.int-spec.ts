import { CustomObjectsApi } from '@kubernetes/client-node';
import { TestNamespace, testKubeConfig } from '@agents/testing';
import { findKind } from '../src/index.js';
import { examples, installCrds, rejection } from './crds.js';

// Invalid manifests per kind, rejected by the API server itself (schema, bounds, enums, CEL, strict field validation),
// each naming the rejected field. Every case starts from the kind's shipped example and breaks one thing.
const kc = testKubeConfig();
const api = kc.makeApiClient(CustomObjectsApi);
let ns: TestNamespace;

type Obj = Record<string, unknown>;
type Mutate = (o: Obj) => void;

function walk(o: Obj, path: string, create: boolean): [Obj, string] {
  const keys = path.split('.');
  let node = o;
  for (const k of keys.slice(0, -1)) {
    const [name, index] = k.match(/^([^[]+)(?:\[(\d+)\])?$/)!.slice(1);
    let next = node[name!] as Obj | Obj[] | undefined;
    if (next === undefined && create) next = node[name!] = {};
    node = (index !== undefined ? (next as Obj[])[Number(index)] : next) as Obj;
  }
  return [node, keys[keys.length - 1]!];
}
const set =
  (path: string, value: unknown): Mutate =>
  (o) => {
    const [node, key] = walk(o, path, true);
    node[key] = value;
  };
const unset =
  (path: string): Mutate =>
  (o) => {
    const [node, key] = walk(o, path, false);
    delete node[key];
  };
const all =
  (...ms: Mutate[]): Mutate =>
  (o) =>
    ms.forEach((m) => m(o));
const many = (n: number, item: unknown) => Array.from({ length: n }, () => structuredClone(item));
const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));

// [kind, what is wrong, the field the API server must name, mutation]
const CASES: [string, string, string, Mutate][] = [
  ['Agent', 'no providerRef', 'spec.providerRef', unset('spec.providerRef')],
  ['Agent', 'an empty providerRef name', 'spec.providerRef.name', set('spec.providerRef.name', '')],
  ['Agent', 'a negative default timeout', 'spec.defaults.timeoutSeconds', set('spec.defaults.timeoutSeconds', -1)],
  [
    'Agent',
    'a system prompt over 16384 characters',
    'spec.defaults.systemPrompt',
    set('spec.defaults.systemPrompt', 'x'.repeat(16385)),
  ],
  [
    'Agent',
    'both systemPrompt and systemPromptRef (CEL)',
    'spec.defaults.systemPromptRef',
    set('spec.defaults.systemPromptRef', { kind: 'Secret', name: 's', key: 'k' }),
  ],
  [
    'Agent',
    'a systemPromptRef of kind Pod',
    'spec.defaults.systemPromptRef.kind',
    all(
      unset('spec.defaults.systemPrompt'),
      set('spec.defaults.systemPromptRef', { kind: 'Pod', name: 's', key: 'k' }),
    ),
  ],
  ['Agent', 'an env entry without value', 'spec.env[0].value', set('spec.env', [{ name: 'A' }])],
  ['Agent', 'an unknown field under defaults', 'spec.defaults.temperature', set('spec.defaults.temperature', 1)],

  ['AgentRun', 'no agentRef', 'spec.agentRef', unset('spec.agentRef')],
  ['AgentRun', 'an unknown runtime type', 'spec.runtime.type', set('spec.runtime.type', 'lambda')],
  [
    'AgentRun',
    'both implementationSpecRef and implementation (CEL)',
    'spec.implementation',
    set('spec.implementation', { inline: { text: 't' } }),
  ],
  [
    'AgentRun',
    'neither implementationSpecRef nor implementation (CEL)',
    'spec.implementationSpecRef',
    unset('spec.implementationSpecRef'),
  ],
  ['AgentRun', 'a prompt parameter (CEL)', 'spec.parameters', set('spec.parameters.prompt', 'do it')],
  ['AgentRun', 'a Prompt parameter in another case (CEL)', 'spec.parameters', set('spec.parameters.Prompt', 'do it')],
  ['AgentRun', 'a run-level system prompt (CEL)', 'spec.systemPrompt', set('spec.systemPrompt', 'be nice')],
  [
    'AgentRun',
    'a run-level systemPromptRef (CEL)',
    'spec.systemPromptRef',
    set('spec.systemPromptRef', { kind: 'Secret', name: 's', key: 'k' }),
  ],
  [
    'AgentRun',
    'a negative ttlSecondsAfterFinished',
    'spec.ttlSecondsAfterFinished',
    set('spec.ttlSecondsAfterFinished', -1),
  ],
  [
    'AgentRun',
    'a goal objective over 8192 characters',
    'spec.goal.objective',
    set('spec.goal', { objective: 'x'.repeat(8193) }),
  ],
  ['AgentRun', 'a zero token budget', 'spec.goal.tokenBudget', set('spec.goal', { objective: 'o', tokenBudget: 0 })],
  ['AgentRun', 'more than 100 parameters', 'spec.parameters', set('spec.parameters', keys(101))],
  [
    'AgentRun',
    'two workflow steps with one name',
    'spec.workflow.steps[1]',
    set('spec.workflow', { steps: [{ name: 'a' }, { name: 'a' }] }),
  ],
  [
    'AgentRun',
    'a workflow step prompt parameter (CEL)',
    'spec.workflow.steps[0].parameters',
    set('spec.workflow', { steps: [{ name: 'a', parameters: { prompt: 'x' } }] }),
  ],
  ['AgentRun', 'an unknown vcsPolicy mode', 'spec.vcsPolicy.mode', set('spec.vcsPolicy', { mode: 'write-only' })],
  ['AgentRun', 'an unknown field under runtime', 'spec.runtime.image', set('spec.runtime.image', 'x')],

  ['AgentProvider', 'no binary', 'spec.binary', unset('spec.binary')],
  [
    'AgentProvider',
    'a token that expires in under 10 minutes',
    'spec.workload.serviceAccountToken.expirationSeconds',
    set('spec.workload', { serviceAccountToken: { audience: 'a', expirationSeconds: 599, mountPath: '/t' } }),
  ],
  [
    'AgentProvider',
    'a relative token mount path',
    'spec.workload.serviceAccountToken.mountPath',
    set('spec.workload', { serviceAccountToken: { audience: 'a', expirationSeconds: 600, mountPath: 'tok' } }),
  ],
  [
    'AgentProvider',
    'an unknown capacity failure policy',
    'spec.health.capacityFailurePolicy',
    set('spec.health', { capacityFailurePolicy: 'panic' }),
  ],
  [
    'AgentProvider',
    'a secretEnv entry without key',
    'spec.secretEnv[0].key',
    set('spec.secretEnv', [{ name: 'A', secretName: 's' }]),
  ],
  ['AgentProvider', 'an unknown field', 'spec.entrypoint', set('spec.entrypoint', 'x')],

  ['ImplementationSpec', 'no text', 'spec.text', unset('spec.text')],
  ['ImplementationSpec', 'a summary over 256 characters', 'spec.summary', set('spec.summary', 's'.repeat(257))],
  [
    'ImplementationSpec',
    '51 acceptance criteria',
    'spec.acceptanceCriteria',
    set('spec.acceptanceCriteria', many(51, 'c')),
  ],
  ['ImplementationSpec', 'an unknown source provider', 'spec.source.provider', set('spec.source.provider', 'jira')],
  [
    'ImplementationSpec',
    'a contract mapping without target',
    'spec.contract.mappings[0].to',
    set('spec.contract', { mappings: [{ from: 'a' }] }),
  ],
  ['ImplementationSpec', 'an unknown field', 'spec.priority', set('spec.priority', 'high')],

  ['ImplementationSource', 'an unsupported provider', 'spec.provider', set('spec.provider', 'gitlab')],
  ['ImplementationSource', 'no auth', 'spec.auth', unset('spec.auth')],
  ['ImplementationSource', 'a secretRef without name', 'spec.auth.secretRef.name', unset('spec.auth.secretRef.name')],
  ['ImplementationSource', 'a webhook flag as a string', 'spec.webhook.enabled', set('spec.webhook.enabled', 'yes')],
  ['ImplementationSource', 'an unknown field under scope', 'spec.scope.milestone', set('spec.scope.milestone', 'x')],

  ['VersionControlProvider', 'an unknown provider', 'spec.provider', set('spec.provider', 'svn')],
  ['VersionControlProvider', 'an unknown auth method', 'spec.auth.method', set('spec.auth.method', 'password')],
  ['VersionControlProvider', 'an unknown token type', 'spec.auth.token.type', set('spec.auth.token.type', 'classic')],
  [
    'VersionControlProvider',
    '201 allowed repositories',
    'spec.repositoryPolicy.allow',
    set('spec.repositoryPolicy.allow', many(201, 'a/b')),
  ],
  [
    'VersionControlProvider',
    'a negative app token TTL',
    'spec.auth.app.tokenTtlSeconds',
    set('spec.auth.app', { tokenTtlSeconds: -1 }),
  ],
  ['VersionControlProvider', 'an unknown clone protocol', 'spec.cloneProtocol', set('spec.cloneProtocol', 'git')],

  ['Memory', 'an unsupported type', 'spec.type', set('spec.type', 'mysql')],
  ['Memory', 'no connection', 'spec.connection', unset('spec.connection')],
  ['Memory', 'a secretRef without name', 'spec.connection.secretRef.name', unset('spec.connection.secretRef.name')],
  ['Memory', 'default as a string', 'spec.default', set('spec.default', 'true')],
  ['Memory', 'an unknown field', 'spec.ttl', set('spec.ttl', 3)],

  ['Orchestration', 'no steps', 'spec.steps', unset('spec.steps')],
  ['Orchestration', 'an empty step list', 'spec.steps', set('spec.steps', [])],
  ['Orchestration', 'a step without kind', 'spec.steps[0].kind', unset('spec.steps[0].kind')],
  ['Orchestration', 'negative step retries', 'spec.steps[0].retries', set('spec.steps[0].retries', -1)],
  ['Orchestration', 'a number in a step with map', 'spec.steps[1].with.path', set('spec.steps[1].with.path', 3)],
  ['Orchestration', 'an unknown field', 'spec.concurrency', set('spec.concurrency', 2)],

  ['OrchestrationRun', 'no orchestrationRef', 'spec.orchestrationRef', unset('spec.orchestrationRef')],
  [
    'OrchestrationRun',
    'an orchestrationRef without name',
    'spec.orchestrationRef.name',
    unset('spec.orchestrationRef.name'),
  ],
  ['OrchestrationRun', 'a number parameter', 'spec.parameters.branch', set('spec.parameters.branch', 3)],
  ['OrchestrationRun', 'a numeric deliveryId', 'spec.deliveryId', set('spec.deliveryId', 42)],
  ['OrchestrationRun', 'an unknown field', 'spec.priority', set('spec.priority', 1)],

  ['ApprovalPolicy', 'a subject without name', 'spec.subjects[0].name', unset('spec.subjects[0].name')],
  ['ApprovalPolicy', 'a subject with an empty kind', 'spec.subjects[0].kind', set('spec.subjects[0].kind', '')],
  ['ApprovalPolicy', 'a numeric mode', 'spec.mode', set('spec.mode', 1)],
  ['ApprovalPolicy', 'subjects as a string', 'spec.subjects', set('spec.subjects', 'everyone')],
  ['ApprovalPolicy', 'a boolean default decision', 'spec.defaultDecision', set('spec.defaultDecision', true)],

  ['Budget', 'a numeric token limit', 'spec.limits.tokens', set('spec.limits.tokens', 5)],
  ['Budget', 'limits as a string', 'spec.limits', set('spec.limits', 'lots')],
  ['Budget', 'a boolean dollar limit', 'spec.limits.dollars', set('spec.limits.dollars', true)],
  ['Budget', 'a numeric cpu limit', 'spec.limits.cpu', set('spec.limits.cpu', 4)],
  ['Budget', 'an unknown field', 'spec.period', set('spec.period', 'month')],

  ['SecretBinding', 'a subject without kind', 'spec.subjects[0].kind', unset('spec.subjects[0].kind')],
  ['SecretBinding', 'allowedSecrets as a string', 'spec.allowedSecrets', set('spec.allowedSecrets', 'openai')],
  ['SecretBinding', 'a numeric secret name', 'spec.allowedSecrets[0]', set('spec.allowedSecrets[0]', 7)],
  ['SecretBinding', 'a numeric subject namespace', 'spec.subjects[0].namespace', set('spec.subjects[0].namespace', 7)],
  ['SecretBinding', 'an unknown field', 'spec.expires', set('spec.expires', 'never')],

  ['Signal', 'a numeric channel', 'spec.channel', set('spec.channel', 1)],
  ['Signal', 'a boolean description', 'spec.description', set('spec.description', false)],
  ['Signal', 'a string payload', 'spec.payload', set('spec.payload', 'data')],
  ['Signal', 'spec as a string', 'spec', set('spec', 'signal')],
  ['Signal', 'spec as a list', 'spec', set('spec', ['signal'])],

  ['SignalDelivery', 'no signalRef', 'spec.signalRef', unset('spec.signalRef')],
  ['SignalDelivery', 'an empty signalRef name', 'spec.signalRef.name', set('spec.signalRef.name', '')],
  ['SignalDelivery', 'a numeric deliveryId', 'spec.deliveryId', set('spec.deliveryId', 1)],
  ['SignalDelivery', 'a string payload', 'spec.payload', set('spec.payload', 'data')],
  ['SignalDelivery', 'an unknown field', 'spec.priority', set('spec.priority', 1)],

  ['Tool', 'a command as a string', 'spec.command', set('spec.command', 'sh')],
  ['Tool', 'an env entry without name', 'spec.env[0].name', set('spec.env', [{ value: 'v' }])],
  ['Tool', 'a negative timeout', 'spec.timeoutSeconds', set('spec.timeoutSeconds', -5)],
  ['Tool', 'a string TTL', 'spec.ttlSecondsAfterFinished', set('spec.ttlSecondsAfterFinished', 'long')],
  ['Tool', 'an unknown field', 'spec.entrypoint', set('spec.entrypoint', 'x')],

  ['ToolRun', 'no toolRef', 'spec.toolRef', unset('spec.toolRef')],
  ['ToolRun', 'a toolRef without name', 'spec.toolRef.name', unset('spec.toolRef.name')],
  ['ToolRun', 'a number parameter', 'spec.parameters.path', set('spec.parameters.path', 3)],
  ['ToolRun', 'a numeric deliveryId', 'spec.deliveryId', set('spec.deliveryId', 3)],
  ['ToolRun', 'an unknown field', 'spec.retries', set('spec.retries', 3)],

  ['Schedule', 'no cron', 'spec.cron', unset('spec.cron')],
  ['Schedule', 'an empty cron', 'spec.cron', set('spec.cron', '')],
  ['Schedule', 'a targetRef without kind', 'spec.targetRef.kind', unset('spec.targetRef.kind')],
  ['Schedule', 'no targetRef', 'spec.targetRef', unset('spec.targetRef')],
  ['Schedule', 'suspend as a string', 'spec.suspend', set('spec.suspend', 'no')],
  ['Schedule', 'an unknown field', 'spec.jitter', set('spec.jitter', '5m')],

  ['Artifact', 'a negative TTL', 'spec.lifecycle.ttlDays', set('spec.lifecycle.ttlDays', -1)],
  ['Artifact', 'a string TTL', 'spec.lifecycle.ttlDays', set('spec.lifecycle.ttlDays', '30')],
  ['Artifact', 'a numeric storage name', 'spec.storageRef.name', set('spec.storageRef.name', 1)],
  ['Artifact', 'storageRef as a string', 'spec.storageRef', set('spec.storageRef', 'bucket')],
  ['Artifact', 'an unknown field', 'spec.checksum', set('spec.checksum', 'x')],

  ['Workspace', 'a negative TTL', 'spec.ttlSeconds', set('spec.ttlSeconds', -1)],
  ['Workspace', 'accessModes as a string', 'spec.accessModes', set('spec.accessModes', 'ReadWriteOnce')],
  ['Workspace', 'a numeric size', 'spec.size', set('spec.size', 10)],
  ['Workspace', 'a numeric storage class', 'spec.storageClassName', set('spec.storageClassName', 1)],
  ['Workspace', 'an unknown field', 'spec.mountPath', set('spec.mountPath', '/w')],
];

// The example each kind's cases start from (the first example of the kind unless named here).
const BASE_NAMES: Record<string, string> = { Agent: 'demo-agent', AgentRun: 'demo-run', AgentProvider: 'shell' };
const bases = new Map<string, Obj>();
for (const { object } of examples()) {
  const kind = object.kind!;
  const wanted = BASE_NAMES[kind];
  if (wanted ? object.metadata?.name === wanted : !bases.has(kind)) bases.set(kind, object as unknown as Obj);
}

beforeAll(async () => {
  await installCrds(kc);
  ns = await TestNamespace.create(kc, 'api-invalid');
}, 60_000);
afterAll(() => ns.delete());

it('has at least five invalid cases for every kind', () => {
  const counts = new Map<string, number>();
  for (const [kind] of CASES) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  expect([...bases.keys()].filter((k) => (counts.get(k) ?? 0) < 5)).toEqual([]);
});

it.each(CASES)('%s: rejects %s, naming %s', async (kind, _what, field, mutate) => {
  const info = findKind(kind)!;
  const body = structuredClone(bases.get(kind)!);
  (body.metadata as Obj).namespace = ns.name;
  mutate(body);
  const request = api.createNamespacedCustomObject({
    group: info.group,
    version: info.version,
    namespace: ns.name,
    plural: info.plural,
    body,
    dryRun: 'All',
    fieldValidation: 'Strict',
  });
  const err = await request.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeDefined();
  const r = rejection(err);
  const named =
    r.causes.some((c) => c.field === field) || r.message.includes(`"${field}"`) || r.message.includes(`${field}:`);
  expect({ field, named, message: r.message }).toEqual({ field, named: true, message: r.message });
  expect([400, 422]).toContain(r.code);
});
