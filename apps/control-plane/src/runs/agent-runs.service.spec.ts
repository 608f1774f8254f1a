import { jest } from '@jest/globals';
import type { AgentRun } from '@agents/api';
import type { KubeApi, ScopedCache } from '@agents/kube';
import { createHash } from 'node:crypto';
import { AgentsError } from '../errors.js';
import type { EventHub } from '../events/event-hub.js';
import type { StoredEvent } from '../events/events.repository.js';
import type { ResourcesService } from '../kube/resources.service.js';
import {
  AgentRunsService,
  idempotencyLabel,
  logLine,
  runManifest,
  typedValue,
  type SubmitRequest,
} from './agent-runs.service.js';

const request = (o: Partial<SubmitRequest> = {}): SubmitRequest => ({
  namespace: 'team',
  agentName: 'coder',
  implementationName: 'fix-bug',
  runtimeType: 'job',
  runtimeConfig: [],
  parameters: [],
  idempotencyKey: '',
  workload: undefined,
  memoryRef: '',
  vcsRef: '',
  vcsPolicyMode: '',
  vcsPolicyRequired: false,
  name: '',
  ...o,
});

describe('idempotencyLabel', () => {
  it('is the first 40 hex digits of sha256("<agent>/<key>"), as the controllers compute it', () => {
    const want = createHash('sha256').update('coder/ticket-1').digest('hex').slice(0, 40);
    expect(idempotencyLabel('coder', 'ticket-1')).toBe(want);
    expect(want).toMatch(/^[0-9a-f]{40}$/);
  });

  it('differs by agent and by key', () => {
    const labels = new Set([
      idempotencyLabel('coder', 'k'),
      idempotencyLabel('reviewer', 'k'),
      idempotencyLabel('coder', 'k2'),
      idempotencyLabel('code', 'r/k'),
    ]);
    expect(labels.size).toBe(4);
  });
});

describe('typedValue', () => {
  it.each<[string, unknown]>([
    ['2', 2],
    ['-7', -7],
    ['true', true],
    ['false', false],
    ['2.5', '2.5'],
    ['True', 'True'],
    ['fast', 'fast'],
    ['', ''],
    ['{"sim.agents.dev/run-for":"5s"}', { 'sim.agents.dev/run-for': '5s' }],
    [' ["a",1]', ['a', 1]],
    ['{not json', '{not json'],
  ])('reads %j as %j', (raw, want) => {
    expect(typedValue(raw)).toEqual(want);
  });
});

describe('logLine', () => {
  const event = (o: Partial<StoredEvent>): StoredEvent => ({
    id: 7,
    kind: 'output',
    role: 'assistant',
    content: 'hello',
    agentRunUid: 'u',
    agentRunName: 'r',
    agentRunNamespace: 'team',
    agentId: 'a',
    stepId: null,
    seq: 1,
    attrs: null,
    timestamp: '2026-01-01T00:00:00.000Z',
    subject: 's',
    ...o,
  });

  it.each<[string, Partial<StoredEvent>, string]>([
    ['output without a stream attribute is stdout', {}, 'stdout'],
    ['output names its stream', { attrs: { stream: 'stderr' } }, 'stderr'],
    ['a status event is the status stream', { kind: 'status', attrs: { stream: 'stderr' } }, 'status'],
    ['any other kind is its own stream', { kind: 'tool' }, 'tool'],
  ])('%s', (_case, o, stream) => {
    expect(logLine(event(o))).toEqual({
      stream,
      message: 'hello',
      id: 7,
      timestamp: '2026-01-01T00:00:00.000Z',
      kind: o.kind ?? 'output',
    });
  });
});

describe('runManifest', () => {
  it('maps every field of a full request', () => {
    const m = runManifest(
      request({
        runtimeType: 'workflow',
        runtimeConfig: [
          { key: 'backoffLimit', value: '1' },
          { key: 'podAnnotations', value: '{"a":"b"}' },
        ],
        parameters: [{ key: 'branch', value: 'main' }],
        idempotencyKey: 'ticket-1',
        workload: { image: 'img:1', cpu: '1', memory: '' },
        memoryRef: 'mem',
        vcsRef: 'github',
        vcsPolicyMode: 'read-write',
        vcsPolicyRequired: false,
      }),
      'team',
    );
    const label = idempotencyLabel('coder', 'ticket-1');
    expect(m).toEqual({
      apiVersion: 'agents.proompteng.ai/v1alpha1',
      kind: 'AgentRun',
      metadata: {
        name: `coder-${label.slice(0, 10)}`,
        namespace: 'team',
        labels: { 'agents.proompteng.ai/idempotency-key': label },
      },
      spec: {
        agentRef: { name: 'coder' },
        implementationSpecRef: { name: 'fix-bug' },
        runtime: { type: 'workflow', config: { backoffLimit: 1, podAnnotations: { a: 'b' } } },
        parameters: { branch: 'main' },
        idempotencyKey: 'ticket-1',
        workload: { image: 'img:1', resources: { requests: { cpu: '1' } } },
        memoryRef: { name: 'mem' },
        vcsRef: { name: 'github' },
        vcsPolicy: { mode: 'read-write', required: false },
      },
    });
  });

  it('leaves out what was not asked for, and generates a name from the agent', () => {
    expect(runManifest(request({ runtimeType: '' }), 'team')).toEqual({
      apiVersion: 'agents.proompteng.ai/v1alpha1',
      kind: 'AgentRun',
      metadata: { generateName: 'coder-', namespace: 'team' },
      spec: { agentRef: { name: 'coder' }, implementationSpecRef: { name: 'fix-bug' }, runtime: { type: 'job' } },
    });
  });

  it('uses the name asked for, even with an idempotency key; keeps generated names within 63 characters', () => {
    expect(runManifest(request({ name: 'mine', idempotencyKey: 'k' }), 'team').metadata.name).toBe('mine');
    const long = runManifest(request({ agentName: 'a'.repeat(80), idempotencyKey: 'k' }), 'team').metadata;
    expect(long.name).toHaveLength(63);
    expect(runManifest(request({ agentName: 'a'.repeat(80) }), 'team').metadata.generateName).toBe(
      `${'a'.repeat(50)}-`,
    );
  });

  it('sets the VCS policy when only "required" is asked for', () => {
    expect(runManifest(request({ vcsPolicyRequired: true }), 'team').spec.vcsPolicy).toEqual({ required: true });
  });

  const invalid: Record<string, { req: Partial<SubmitRequest>; field: string }> = {
    'no agent': { req: { agentName: '' }, field: 'agent_name' },
    'no implementation': { req: { implementationName: '' }, field: 'implementation_name' },
    'an unknown runtime': { req: { runtimeType: 'lambda' }, field: 'runtime_type' },
    'a prompt parameter (any case)': { req: { parameters: [{ key: 'PROMPT', value: 'x' }] }, field: 'parameters' },
    'a parameter without a key': { req: { parameters: [{ key: '', value: 'x' }] }, field: 'parameters[0].key' },
    'a runtime setting without a key': {
      req: {
        runtimeConfig: [
          { key: 'a', value: '1' },
          { key: '', value: '2' },
        ],
      },
      field: 'runtime_config[1].key',
    },
    'an unknown VCS mode': { req: { vcsPolicyMode: 'admin' }, field: 'vcs_policy_mode' },
  };
  it.each(Object.entries(invalid))('refuses %s as INVALID_ARGUMENT naming the field', (_case, { req, field }) => {
    expect(() => runManifest(request(req), 'team')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', violations: [expect.objectContaining({ field })] }),
    );
  });
});

describe('AgentRunsService submit and cancel', () => {
  /** A ResourcesService stand-in: the objects it has, what was created and patched. */
  function fakes(objects: Record<string, unknown> = {}) {
    const created: unknown[] = [];
    const patched: unknown[] = [];
    const resources = {
      namespaceOf: (ns: string) => ns || 'team',
      get: jest.fn(async (kind: string, ns: string, name: string) => {
        const obj = objects[`${kind}/${name}`];
        if (!obj) throw new AgentsError('NOT_FOUND', `${kind.toLowerCase()} ${name} not found in namespace ${ns}`);
        return obj;
      }),
      create: jest.fn(async (_kind: string, m: { metadata: { name?: string } }) => {
        if (m.metadata.name && objects[`AgentRun/${m.metadata.name}`])
          throw new AgentsError('ALREADY_EXISTS', `creating agentrun ${m.metadata.name}: already exists`);
        created.push(m);
        return { ...m, metadata: { ...m.metadata, uid: 'new-uid' } };
      }),
      patch: jest.fn(async (_kind: string, _ns: string, _name: string, p: unknown) => {
        patched.push(p);
        return {};
      }),
    };
    const svc = new AgentRunsService(
      resources as unknown as ResourcesService,
      {} as KubeApi,
      {} as ScopedCache<AgentRun>,
      {} as EventHub,
    );
    return { svc, created, patched, resources };
  }
  const agent = { 'Agent/coder': { metadata: { name: 'coder' } } };
  const existingRun = (key: string, agentName = 'coder') => ({
    metadata: { name: `coder-${idempotencyLabel('coder', 'k').slice(0, 10)}`, uid: 'old-uid' },
    spec: { agentRef: { name: agentName }, idempotencyKey: key },
  });

  it('creates the run of an existing agent', async () => {
    const { svc, created } = fakes(agent);
    const { run, idempotent } = await svc.submit(request());
    expect(idempotent).toBe(false);
    expect(run.metadata.uid).toBe('new-uid');
    expect(created).toHaveLength(1);
  });

  it('refuses a run of a missing agent with NOT_FOUND and creates nothing', async () => {
    const { svc, created } = fakes();
    await expect(svc.submit(request({ agentName: 'nobody' }))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'agent nobody not found in namespace team',
    });
    expect(created).toEqual([]);
  });

  it('validates the request before reading anything', async () => {
    const { svc, resources } = fakes(agent);
    await expect(svc.submit(request({ runtimeType: 'lambda' }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(resources.get).not.toHaveBeenCalled();
  });

  it('answers the existing run, marked idempotent, for a key used before', async () => {
    const prior = existingRun('k');
    const { svc, created } = fakes({ ...agent, [`AgentRun/${prior.metadata.name}`]: prior });
    const { run, idempotent } = await svc.submit(request({ idempotencyKey: 'k' }));
    expect(idempotent).toBe(true);
    expect(run.metadata.uid).toBe('old-uid');
    expect(created).toEqual([]);
  });

  it('is ALREADY_EXISTS when the name is taken by a run with another key or agent', async () => {
    const prior = existingRun('other-key');
    const { svc } = fakes({ ...agent, [`AgentRun/${prior.metadata.name}`]: prior });
    await expect(svc.submit(request({ idempotencyKey: 'k' }))).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    const named = fakes({
      ...agent,
      'AgentRun/mine': { metadata: { name: 'mine' }, spec: { agentRef: { name: 'coder' } } },
    });
    await expect(named.svc.submit(request({ name: 'mine' }))).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
  });

  it('cancel of an unfinished run asks for it with the cancel-requested annotation', async () => {
    const { svc, patched } = fakes({ 'AgentRun/r': { metadata: { name: 'r' }, status: { phase: 'Running' } } });
    expect(await svc.cancel('team', 'r')).toEqual({
      ok: true,
      message: expect.stringContaining('cancellation of agentrun r'),
    });
    expect(patched).toEqual([
      { metadata: { annotations: { 'agents.proompteng.ai/cancel-requested': expect.stringMatching(/^\d{4}-/) } } },
    ]);
  });

  it.each(['Succeeded', 'Failed', 'Cancelled'])(
    'cancel of a %s run is FAILED_PRECONDITION and changes nothing',
    async (phase) => {
      const { svc, patched } = fakes({ 'AgentRun/r': { metadata: { name: 'r' }, status: { phase } } });
      await expect(svc.cancel('team', 'r')).rejects.toMatchObject({
        code: 'FAILED_PRECONDITION',
        message: `agentrun r already finished (${phase})`,
      });
      expect(patched).toEqual([]);
    },
  );
});
