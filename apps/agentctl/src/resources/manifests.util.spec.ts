import { parseManifests } from './manifests.util.js';

const obj = (kind: string, name: string, extra = '') =>
  `apiVersion: agents.proompteng.ai/v1alpha1\nkind: ${kind}\nmetadata:\n  name: ${name}\n${extra}`;

describe('parseManifests', () => {
  it('returns one manifest per document with its kind, skipping empty documents', () => {
    const text = `${obj('Agent', 'a')}---\n# only a comment\n---\n${obj('AgentRun', 'r', '  namespace: team\n')}`;
    const got = parseManifests(text, 'f.yaml');
    expect(got.map((m) => [m.source, m.kind.info.kind, m.name, m.namespace])).toEqual([
      ['f.yaml (document 1)', 'Agent', 'a', undefined],
      ['f.yaml (document 3)', 'AgentRun', 'r', 'team'],
    ]);
    expect(got[1]?.object).toMatchObject({ kind: 'AgentRun', metadata: { name: 'r', namespace: 'team' } });
  });

  it('reads JSON and expands a List', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'agents.proompteng.ai/v1alpha1', kind: 'Tool', metadata: { name: 't1' } },
        { apiVersion: 'agents.proompteng.ai/v1alpha1', kind: 'Tool', metadata: { name: 't2' } },
      ],
    };
    expect(parseManifests(JSON.stringify(list), 'l.json').map((m) => `${m.source}: ${m.name}`)).toEqual([
      'l.json item 1: t1',
      'l.json item 2: t2',
    ]);
  });

  it.each([
    ['- a\n- b\n', 'x.yaml: expected a Kubernetes object'],
    ['kind: Agent\n', 'x.yaml: missing "apiVersion" (Agent)'],
    ['apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n', 'x.yaml: agentctl cannot apply kind "ConfigMap"'],
    ['apiVersion: v1\nkind: agent\nmetadata: {name: c}\n', 'x.yaml: agentctl cannot apply kind "agent"'],
    [obj('Agent', "''"), 'x.yaml: Agent has no metadata.name'],
    ['a: [\n', 'x.yaml: invalid YAML'],
  ])('refuses %j', (text, message) => expect(() => parseManifests(text, 'x.yaml')).toThrow(message));
});
