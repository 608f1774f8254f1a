import type { GetControlPlaneStatusResponse } from '@agents/proto/client';
import type { KubeObj } from '../resources/kube-object.js';
import { resolveResource } from '../resources/resource-kinds.js';
import { abbreviate, describeResource } from './describe-printer.util.js';
import { printResources, printStreamed, resourceTable } from './resource-printer.util.js';
import { describeStatus } from './status-printer.util.js';

const now = new Date('2025-06-01T12:00:00Z');

function makeRun(
  name: string,
  mods: { phase?: string; reason?: string; started?: string; created?: string } = {},
): KubeObj {
  return {
    apiVersion: 'agents.proompteng.ai/v1alpha1',
    kind: 'AgentRun',
    metadata: { name, namespace: 'agents', creationTimestamp: mods.created ?? '2025-06-01T11:00:00Z' },
    spec: { agentRef: { name: 'demo' }, runtime: { type: 'job' } },
    status: {
      ...(mods.phase ? { phase: mods.phase } : {}),
      ...(mods.started ? { startedAt: mods.started } : {}),
      conditions: mods.reason ? [{ type: 'Succeeded', status: 'False', reason: mods.reason }] : [],
    },
  };
}

describe('resource tables', () => {
  it("uses the kind's printer columns, date columns as ages, NAME first and AGE last", () => {
    const rows = resourceTable(
      resolveResource('runs'),
      [makeRun('a', { phase: 'Failed', reason: 'Timeout', started: '2025-06-01T11:58:00Z' }), makeRun('bb')],
      now,
    );
    expect(rows).toEqual([
      'NAME   PHASE    AGENT   SUCCEEDED   REASON    STARTTIME   COMPLETIONTIME   RUNTIME   AGE',
      'a      Failed   demo    False       Timeout   2m                           job       60m',
      'bb              demo                                                       job       60m',
    ]);
  });

  it('prints a single object or a List as JSON and YAML', () => {
    const kind = resolveResource('run');
    const [json] = printResources('json', kind, [makeRun('a')], { now, single: true });
    expect(JSON.parse(json!)).toMatchObject({ kind: 'AgentRun' });
    const [list] = printResources('json', kind, [makeRun('a')], { now });
    expect(JSON.parse(list!)).toMatchObject({ apiVersion: 'v1', kind: 'List', items: [{ kind: 'AgentRun' }] });
    const [yaml] = printResources('yaml', kind, [], { now });
    expect(yaml).toBe('apiVersion: v1\nkind: List\nitems: []');
    expect(printStreamed('json', { a: 1 })).toBe('{"a":1}');
    expect(printStreamed('yaml', { a: 1 })).toBe('---\na: 1');
  });
});

describe('describe', () => {
  it('abbreviates long and multi-line strings', () => {
    expect(abbreviate({ a: ['short', `${'y'.repeat(130)}`], b: 'one\ntwo', c: 3 })).toEqual({
      a: ['short', `${'y'.repeat(120)}… (10 more characters)`],
      b: 'one… (4 more characters)',
      c: 3,
    });
  });

  it('prints identity, phase, spec, status and conditions', () => {
    const run = makeRun('r', { phase: 'Failed', reason: 'Timeout', started: '2025-06-01T11:58:00Z' });
    run.status!.reason = 'Timeout';
    run.status!.message = 'deadline exceeded';
    run.status!.specHash = 'abc';
    expect(describeResource(resolveResource('run'), run, now)).toEqual([
      'Name:         r',
      'Namespace:    agents',
      'Kind:         AgentRun (agents.proompteng.ai/v1alpha1)',
      'Labels:       <none>',
      'Annotations:  <none>',
      'Created:      2025-06-01T11:00:00Z (60m ago)',
      'Phase:        Failed',
      'Reason:       Timeout',
      'Message:      deadline exceeded',
      'Started:      2025-06-01T11:58:00Z (2m ago)',
      'Spec:',
      '  agentRef:',
      '    name: demo',
      '  runtime:',
      '    type: job',
      'Status:',
      '  specHash: abc',
      'Conditions:',
      '  TYPE        STATUS   REASON    AGE   MESSAGE',
      '  Succeeded   False    Timeout',
    ]);
  });

  it('says <none> for no spec and no conditions', () => {
    const lines = describeResource(resolveResource('tool'), { kind: 'Tool', metadata: { name: 't' } }, now);
    expect(lines.slice(-4)).toEqual(['Spec:', '  <none>', 'Conditions:', '  <none>']);
  });
});

describe('describeStatus', () => {
  it('renders each part of the control plane status', () => {
    const status: GetControlPlaneStatusResponse = {
      service: 'agents-control-plane',
      generatedAt: '2025-06-01T12:00:00Z',
      controllers: [
        {
          name: 'agentrun',
          enabled: true,
          started: true,
          crdsReady: true,
          missingCrds: [],
          lastCheckedAt: '',
          status: 'healthy',
          message: '',
        },
      ],
      runtimeAdapters: [],
      database: { configured: true, connected: false, status: 'down', message: 'connection refused', latencyMs: 0 },
      grpc: undefined,
      namespaces: [{ namespace: 'agents', status: 'healthy', degradedComponents: [] }],
    };
    expect(describeStatus(status, 'cp:50051')).toEqual([
      'Control plane:  agents-control-plane at cp:50051',
      'Generated:      2025-06-01T12:00:00Z',
      'Database:       down (configured: yes, connected: no): connection refused',
      'gRPC:           unknown',
      '',
      'Controllers:',
      '  NAME       STATUS    ENABLED   STARTED   CRDS READY   MESSAGE',
      '  agentrun   healthy   yes       yes       yes',
      '',
      'Runtime adapters:',
      '  <none>',
      '',
      'Namespaces:',
      '  NAMESPACE   STATUS    DEGRADED COMPONENTS',
      '  agents      healthy   -',
    ]);
  });
});
