// files/dashboards/agents-observability.json (metrics.dashboards): it may only chart metrics the apps export.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CHART_DIR, REPO_ROOT } from '../src/chart.js';

interface Panel {
  id: number;
  type: string;
  title: string;
  targets?: { expr: string }[];
}

const dashboard = JSON.parse(
  readFileSync(path.join(CHART_DIR, 'files/dashboards/agents-observability.json'), 'utf8'),
) as {
  uid: string;
  panels: Panel[];
};

/** Every metric name the two apps register (the string literals of their metrics files). */
function exportedMetrics(): Set<string> {
  const files = ['apps/controllers/src/runtime/metrics.ts', 'apps/control-plane/src/health/metrics.ts'];
  const names = files.flatMap((f) => [
    ...readFileSync(path.join(REPO_ROOT, f), 'utf8').matchAll(/'(agents_[a-z_]+)'/g),
  ]);
  return new Set(names.map((m) => m[1]!));
}

describe('the Grafana dashboard', () => {
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

  it('charts only metrics the apps export (histograms through _bucket)', () => {
    const exported = exportedMetrics();
    const used = exprs.flatMap((e) => [...e.matchAll(/\b(agents_[a-z_]+)/g)].map((m) => m[1]!));
    const unknown = used.map((m) => m.replace(/_(bucket|sum|count)$/, '')).filter((m) => !exported.has(m));
    expect(used.length).toBeGreaterThan(20);
    expect([...new Set(unknown)]).toEqual([]);
  });

  it('has a stable uid, unique panel ids and a query in every chart', () => {
    expect(dashboard.uid).toBe('agents-observability');
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(dashboard.panels.filter((p) => p.type !== 'row' && !p.targets?.length).map((p) => p.title)).toEqual([]);
  });
});
