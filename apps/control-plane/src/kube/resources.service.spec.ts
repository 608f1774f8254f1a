import { KubeApiError, type KubeApi, type ResourceType } from '@agents/kube';
import { AgentsError } from '../errors.js';
import { kindInfo, ResourcesService } from './resources.service.js';

/** Records what the service asks the Kubernetes API; answers from a small in-memory store. */
class FakeKubeApi {
  readonly calls: {
    verb: string;
    resource: string;
    namespace?: string;
    name?: string;
    body?: unknown;
    opts?: unknown;
  }[] = [];
  readonly objects = new Map<string, Record<string, unknown>>();
  failWith: unknown;

  private check(): void {
    if (this.failWith) throw this.failWith;
  }

  async get(r: ResourceType, namespace: string, name: string) {
    this.calls.push({ verb: 'get', resource: r.plural, namespace, name });
    this.check();
    return this.objects.get(`${r.plural}/${namespace}/${name}`);
  }

  async listAll(r: ResourceType, namespace: string, opts: unknown) {
    this.calls.push({ verb: 'list', resource: r.plural, namespace, opts });
    this.check();
    return { items: [...this.objects.values()], metadata: {} };
  }

  async apply(
    r: ResourceType,
    body: { metadata: { name: string; namespace: string } },
    fieldManager: string,
    opts: unknown,
  ) {
    this.calls.push({ verb: 'apply', resource: r.plural, body, opts: { fieldManager, ...(opts as object) } });
    this.check();
    return body;
  }

  async create(r: ResourceType, body: unknown, opts: unknown) {
    this.calls.push({ verb: 'create', resource: r.plural, body, opts });
    this.check();
    return body;
  }

  async delete(r: ResourceType, namespace: string, name: string, opts: unknown) {
    this.calls.push({ verb: 'delete', resource: r.plural, namespace, name, opts });
    this.check();
    return true;
  }
}

const AGENT = `apiVersion: agents.proompteng.ai/v1alpha1
kind: Agent
metadata:
  name: demo
spec:
  providerRef:
    name: shell
`;

function service(served: readonly string[] | '*' = ['team', 'other']) {
  const api = new FakeKubeApi();
  return { api, svc: new ResourcesService(api as unknown as KubeApi, 'team', served) };
}

async function rejection(p: Promise<unknown>): Promise<AgentsError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof AgentsError)) throw new Error(`expected an AgentsError, got ${String(err)}`);
  return err;
}

describe('kindInfo', () => {
  it('knows our kinds and refuses others as INVALID_ARGUMENT', () => {
    expect(kindInfo('Memory')).toMatchObject({ plural: 'memories', apiVersion: 'agents.proompteng.ai/v1alpha1' });
    expect(() => kindInfo('Pod')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'unknown kind Pod' }),
    );
  });
});

describe('ResourcesService.namespaceOf', () => {
  it('defaults an empty namespace to the pod namespace', () => {
    expect(service().svc.namespaceOf('')).toBe('team');
    expect(service().svc.namespaceOf(undefined)).toBe('team');
  });

  it.each(['Team', 'a_b', '-a', 'a'.repeat(64), 'a/b', '../x'])('refuses %j as not a namespace name', (ns) => {
    expect(() => service().svc.namespaceOf(ns)).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        violations: [expect.objectContaining({ field: 'namespace' })],
      }),
    );
  });

  it('refuses a namespace the control plane does not serve as PERMISSION_DENIED, naming the served ones', () => {
    expect(() => service().svc.namespaceOf('kube-system')).toThrow(
      expect.objectContaining({
        code: 'PERMISSION_DENIED',
        message: 'namespace kube-system is not served by this control plane (it serves team, other)',
      }),
    );
    expect(service().svc.namespaceOf('other')).toBe('other');
  });

  it('serves every namespace when configured with *', () => {
    expect(service('*').svc.namespaceOf('kube-system')).toBe('kube-system');
  });
});

describe('ResourcesService.apply', () => {
  const cases: Record<
    string,
    { manifest: string; kind?: string; ns?: string; wantField: string; wantMessage: RegExp }
  > = {
    'an empty manifest': { manifest: '', wantField: 'manifest_yaml', wantMessage: /exactly one object, got 0/ },
    'only comments': { manifest: '# nothing\n', wantField: 'manifest_yaml', wantMessage: /got 0/ },
    'two documents': { manifest: `${AGENT}---\n${AGENT}`, wantField: 'manifest_yaml', wantMessage: /got 2/ },
    'YAML that does not parse': { manifest: 'a: [b', wantField: 'manifest_yaml', wantMessage: /not valid YAML/ },
    'an alias without its anchor': {
      manifest: 'a: *nowhere',
      wantField: 'manifest_yaml',
      wantMessage: /cannot be read/,
    },
    'a scalar': { manifest: '42', wantField: 'manifest_yaml', wantMessage: /must be one object/ },
    'a list': { manifest: '- a', wantField: 'manifest_yaml', wantMessage: /must be one object/ },
    'another kind': { manifest: AGENT, kind: 'Budget', wantField: 'kind', wantMessage: /expected Budget, got "Agent"/ },
    'a kind we do not have': { manifest: AGENT.replace('Agent', 'Pod'), wantField: 'kind', wantMessage: /got "Pod"/ },
    'the wrong apiVersion': {
      manifest: AGENT.replace('v1alpha1', 'v2'),
      wantField: 'apiVersion',
      wantMessage: /expected agents\.proompteng\.ai\/v1alpha1, got "agents\.proompteng\.ai\/v2"/,
    },
    'no name': {
      manifest: AGENT.replace('name: demo', 'labels: {}'),
      wantField: 'metadata.name',
      wantMessage: /required/,
    },
    'another namespace than the request': {
      manifest: AGENT.replace('name: demo', 'name: demo\n  namespace: other'),
      ns: 'team',
      wantField: 'metadata.namespace',
      wantMessage: /other differs from the request namespace team/,
    },
  };

  it.each(Object.entries(cases))('refuses %s, naming the field, without calling the API', async (_c, tc) => {
    const { api, svc } = service();
    const err = await rejection(svc.apply(tc.kind ?? 'Agent', tc.ns ?? 'team', tc.manifest));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.violations[0]?.field).toBe(tc.wantField);
    expect(err.message).toMatch(tc.wantMessage);
    expect(api.calls.filter((c) => c.verb === 'apply')).toEqual([]);
  });

  it('server-side applies as agentctl into the request namespace, without status, passing dry run', async () => {
    const { api, svc } = service();
    await svc.apply('Agent', '', `${AGENT}status:\n  phase: Ready\n`, true);
    expect(api.calls).toEqual([
      {
        verb: 'apply',
        resource: 'agents',
        body: {
          apiVersion: 'agents.proompteng.ai/v1alpha1',
          kind: 'Agent',
          metadata: { name: 'demo', namespace: 'team' },
          spec: { providerRef: { name: 'shell' } },
        },
        opts: { fieldManager: 'agentctl', dryRun: true },
      },
    ]);
  });

  it('takes the namespace of the manifest when the request has none, and refuses it when not served', async () => {
    const { api, svc } = service();
    await svc.apply('Agent', '', AGENT.replace('name: demo', 'name: demo\n  namespace: other'));
    expect((api.calls[0]?.body as { metadata: { namespace: string } }).metadata.namespace).toBe('other');
    const err = await rejection(svc.apply('Agent', '', AGENT.replace('name: demo', 'name: demo\n  namespace: secret')));
    expect(err.code).toBe('PERMISSION_DENIED');
  });

  it('accepts JSON as well as YAML', async () => {
    const { svc } = service();
    const json = JSON.stringify({
      apiVersion: 'budgets.proompteng.ai/v1alpha1',
      kind: 'Budget',
      metadata: { name: 'b' },
    });
    await expect(svc.apply('Budget', 'team', json)).resolves.toMatchObject({
      metadata: { name: 'b', namespace: 'team' },
    });
  });

  it('maps an API server refusal to an error naming the object', async () => {
    const { api, svc } = service();
    api.failWith = new KubeApiError(
      422,
      'Invalid',
      'Agent "demo" is invalid: spec.providerRef: Required value',
      'PATCH',
      '/x',
      [{ field: 'spec.providerRef', message: 'Required value' }],
    );
    const err = await rejection(svc.apply('Agent', 'team', AGENT));
    expect(err).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'applying agent demo: Agent "demo" is invalid: spec.providerRef: Required value',
      violations: [{ field: 'spec.providerRef', message: 'Required value' }],
    });
  });
});

describe('ResourcesService reads and deletes', () => {
  it('get of a missing object is NOT_FOUND naming kind, name and namespace; an empty name is INVALID_ARGUMENT', async () => {
    const { svc } = service();
    expect(await rejection(svc.get('ToolRun', 'team', 'x'))).toMatchObject({
      code: 'NOT_FOUND',
      message: 'toolrun x not found in namespace team',
    });
    expect(await rejection(svc.get('ToolRun', 'team', ''))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'name: is required',
    });
  });

  it('list passes the label selector (none when empty) and answers a v1 List', async () => {
    const { api, svc } = service();
    expect(await svc.list('Tool', 'team', '')).toEqual({ apiVersion: 'v1', kind: 'List', items: [] });
    await svc.list('Tool', 'team', 'a=b');
    expect(api.calls.map((c) => c.opts)).toEqual([{ labelSelector: undefined }, { labelSelector: 'a=b' }]);
  });

  it('delete answers the deleted object; AgentRuns are deleted with their children in the background', async () => {
    const { api, svc } = service();
    api.objects.set('agentruns/team/r', { metadata: { name: 'r' } });
    api.objects.set('tools/team/t', { metadata: { name: 't' } });
    expect(await svc.delete('AgentRun', 'team', 'r')).toEqual({
      ok: true,
      message: 'agentrun r deleted',
      json: '{"metadata":{"name":"r"}}',
    });
    await svc.delete('Tool', 'team', 't');
    expect(api.calls.filter((c) => c.verb === 'delete').map((c) => c.opts)).toEqual([
      { propagationPolicy: 'Background' },
      { propagationPolicy: undefined },
    ]);
  });

  it('delete of a missing object is NOT_FOUND and deletes nothing', async () => {
    const { api, svc } = service();
    expect((await rejection(svc.delete('Tool', 'team', 'gone'))).code).toBe('NOT_FOUND');
    expect(api.calls.filter((c) => c.verb === 'delete')).toEqual([]);
  });

  it('an unreachable API server is UNAVAILABLE', async () => {
    const { api, svc } = service();
    api.failWith = new Error('connect ECONNREFUSED 127.0.0.1:6443');
    expect(await rejection(svc.list('Tool', 'team'))).toMatchObject({
      code: 'UNAVAILABLE',
      message: 'listing tools in team: the Kubernetes API is unreachable: connect ECONNREFUSED 127.0.0.1:6443',
    });
  });
});
