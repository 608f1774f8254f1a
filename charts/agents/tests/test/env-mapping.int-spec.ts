// Every row of tests/env-mapping.yaml (the README's "Values → env vars" table), rendered for real.
import { COMPONENTS, ciValuesFiles, envOf, readChartFile, render, type Component } from '../src/chart.js';
import { envRows } from '../scripts/generate.js';

const rows = envRows(readChartFile('tests/env-mapping.yaml'));

describe('values → env mapping', () => {
  it.each(rows.map((r) => [`${r.env} from ${r.values}`, r] as const))('renders %s', (_title, row) => {
    const objects = render(row.set ?? {});
    for (const component of COMPONENTS) {
      const entry = envOf(objects, component).get(row.env);
      const want = row.want[component];
      const got = entry === undefined ? undefined : (entry.value ?? entry.valueFrom);
      expect({ component, env: row.env, got }).toEqual({ component, env: row.env, got: want });
    }
  });

  it('documents every variable the chart renders (defaults and every ci/ values file)', () => {
    const documented = new Set(rows.map((r) => r.env));
    const rendered = new Set<string>();
    for (const files of [[], ...ciValuesFiles().map((f) => [f])]) {
      const objects = render(undefined, { files });
      for (const component of COMPONENTS as Component[]) {
        if (
          !objects.some(
            (o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === component,
          )
        )
          continue;
        for (const name of envOf(objects, component).keys()) rendered.add(name);
      }
    }
    // Variables the ci/ files set themselves through env.vars, env.secrets and env.config.
    const userSet = [
      'JANGAR_HTTP_IDLE_TIMEOUT_SECONDS',
      'JANGAR_CONTROLLER_DEBUG_LOGS',
      'GITHUB_TOKEN',
      'JANGAR_FEATURE_FLAGS_URL',
      'PORT',
      'JANGAR_HTTP_KEEPALIVE_HINT',
      'JANGAR_REGION',
    ];
    expect([...rendered].filter((n) => !documented.has(n) && !userSet.includes(n)).sort()).toEqual([]);
  });
});
