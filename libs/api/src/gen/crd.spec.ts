import { DEFINITIONS } from '../definitions.js';
import { ALL_KINDS } from '../kinds.js';
import { buildCrd, renderCrdFiles, type JsonObject } from './crd.js';

type Node = Record<string, unknown>;

function schemaOf(crd: JsonObject): Node {
  const versions = (crd.spec as Node).versions as Node[];
  return (versions[0]!.schema as Node).openAPIV3Schema as Node;
}

/** Every node below `node` with its path. */
function* nodes(node: Node, path = ''): Generator<[string, Node]> {
  yield [path, node];
  for (const [k, v] of Object.entries((node.properties as Record<string, Node>) ?? {})) yield* nodes(v, `${path}.${k}`);
  if (node.items) yield* nodes(node.items as Node, `${path}[]`);
  if (node.additionalProperties && typeof node.additionalProperties === 'object')
    yield* nodes(node.additionalProperties as Node, `${path}{}`);
}

describe('generated CRDs', () => {
  const crds = DEFINITIONS.map((d) => [d.info.kind, buildCrd(d)] as const);

  it('cover every kind of the registry, in its order', () => {
    expect(DEFINITIONS.map((d) => d.info)).toEqual(ALL_KINDS);
  });

  it('render identically every time', () => {
    expect(renderCrdFiles(DEFINITIONS)).toEqual(renderCrdFiles(DEFINITIONS));
  });

  it.each(renderCrdFiles(DEFINITIONS).map((f) => [f.name, f.content] as const))(
    '%s stays under 256 KiB',
    (_n, content) => {
      expect(Buffer.byteLength(content)).toBeLessThanOrEqual(256 * 1024);
      expect(Buffer.byteLength(JSON.stringify(JSON.parse(JSON.stringify(content))))).toBeLessThanOrEqual(256 * 1024);
    },
  );

  it.each(crds)('%s has a status subresource, the sync-wave annotation and printer columns', (_k, crd) => {
    const version = ((crd.spec as Node).versions as Node[])[0]!;
    expect(version.subresources).toEqual({ status: {} });
    expect((crd.metadata as Node).annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '-10' });
    expect((version.additionalPrinterColumns as unknown[]).length).toBeGreaterThan(0);
    expect((crd.spec as Node).scope).toBe('Namespaced');
  });

  it.each(crds)('%s status has conditions, observedGeneration and updatedAt', (_k, crd) => {
    const status = (schemaOf(crd).properties as Record<string, Node>).status!;
    const props = status.properties as Record<string, Node>;
    expect(props.observedGeneration).toMatchObject({ type: 'integer', format: 'int64' });
    expect(props.updatedAt).toMatchObject({ type: 'string', format: 'date-time' });
    const condition = (props.conditions!.items as Node).properties as Node;
    expect(Object.keys(condition).sort()).toEqual([
      'lastTransitionTime',
      'message',
      'observedGeneration',
      'reason',
      'status',
      'type',
    ]);
    expect(props.conditions!['x-kubernetes-list-map-keys']).toEqual(['type']);
  });

  it.each(crds)('%s is structural: every node typed, no preserve-unknown-fields at the top', (_k, crd) => {
    const root = schemaOf(crd);
    expect(root['x-kubernetes-preserve-unknown-fields']).toBeUndefined();
    for (const [path, node] of nodes(root)) {
      if (node['x-kubernetes-int-or-string']) continue;
      expect({ path, type: node.type }).toEqual({ path, type: expect.any(String) });
      expect(node).not.toHaveProperty('oneOf');
    }
  });

  it('marks as schemaless only the subtrees the reference names', () => {
    const schemaless: string[] = [];
    for (const [kind, crd] of crds) {
      for (const [path, node] of nodes(schemaOf(crd)))
        if (node['x-kubernetes-preserve-unknown-fields']) schemaless.push(`${kind}${path}`);
    }
    expect(schemaless.sort()).toEqual(
      [
        'Agent.spec.config',
        'AgentProvider.spec.adapter',
        'AgentRun.spec.runtime.config',
        'AgentRun.status.runner',
        'AgentRun.status.runtimeRef',
        'AgentRun.status.workflow.steps[].loop.lastControl',
        'ApprovalPolicy.spec',
        'Budget.spec.limits',
        'Orchestration.spec.policies',
        'Orchestration.spec.steps[]',
        'OrchestrationRun.status.stepStatuses[]',
        'OrchestrationRun.status.stepStatuses[].outputs',
        'OrchestrationRun.status.stepStatuses[].resourceRef',
        'Signal.spec',
        'Signal.spec.payload',
        'SignalDelivery.spec.payload',
        'ToolRun.spec.runtime',
        'ToolRun.status.runtimeRef',
      ].sort(),
    );
  });

  it('carries the CEL rules the reference names', () => {
    const rules = crds.flatMap(([kind, crd]) =>
      [...nodes(schemaOf(crd))].flatMap(([path, node]) =>
        ((node['x-kubernetes-validations'] as { rule: string }[]) ?? []).map((r) => `${kind}${path}: ${r.rule}`),
      ),
    );
    expect(rules).toEqual(
      expect.arrayContaining([
        'Agent.spec.defaults: !(has(self.systemPrompt) && has(self.systemPromptRef))',
        'AgentRun.spec: !(has(self.implementationSpecRef) && has(self.implementation))',
        "AgentRun.spec.parameters: self.all(k, k.lowerAscii() != 'prompt')",
        "AgentRun.spec.workflow.steps[].parameters: self.all(k, k.lowerAscii() != 'prompt')",
        'AgentRun.spec: !has(self.systemPrompt)',
        'AgentRun.spec: !has(self.systemPromptRef)',
      ]),
    );
  });
});
