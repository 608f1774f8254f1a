import { evaluateJsonPath, parseJsonPath } from './jsonpath.util.js';

const run = {
  metadata: { name: 'r', labels: { 'app.kubernetes.io/name': 'x' } },
  spec: { runtime: { type: 'job' }, steps: [{ name: 'a' }, { name: 'b' }] },
  status: {
    phase: 'Running',
    ready: false,
    count: 0,
    conditions: [
      { type: 'Ready', status: 'True', reason: 'Up' },
      { type: 'Succeeded', status: 'Unknown' },
    ],
  },
};

describe('evaluateJsonPath', () => {
  it.each<[string, unknown[]]>([
    ['.spec.runtime.type', ['job']],
    ['{.status.phase}', ['Running']],
    ['$.metadata.name', ['r']],
    ['.status.conditions[?(@.type=="Ready")].status', ['True']],
    [".status.conditions[?(@.type=='Succeeded')].status", ['Unknown']],
    ['.status.conditions[?(@.type!="Ready")].type', ['Succeeded']],
    ['.status.conditions[?(@.type=="Missing")].status', []],
    ['.spec.steps[1].name', ['b']],
    ['.spec.steps[-1].name', ['b']],
    ['.spec.steps[*].name', ['a', 'b']],
    [".metadata.labels['app.kubernetes.io/name']", ['x']],
    ['.status.ready', [false]],
    ['.status.count', [0]],
    ['.status.missing.deeper', []],
    ['.spec.runtime.type.length', []],
  ])('%s', (path, want) => expect(evaluateJsonPath(run, path)).toEqual(want));

  it.each(['status', '.a[?(@.x > 1)]', '.a[', '.a..b'])('refuses unsupported syntax %j', (path) =>
    expect(() => parseJsonPath(path)).toThrow(/JSONPath|field name/),
  );
});
