import { readChartFile } from '../src/chart.js';
import { envRows } from '../scripts/generate.js';
import { defaultValues, schemaPropertyPaths, valuesSchema } from '../src/schema.js';

const rows = envRows(readChartFile('tests/env-mapping.yaml'));
const schemaPaths = new Set(schemaPropertyPaths(valuesSchema()));

describe('tests/env-mapping.yaml', () => {
  it('names only value paths that exist in values.yaml', () => {
    const known = (p: string) => schemaPaths.has(p.replace(/\.\*$/, '')) || p === '-';
    const unknown = rows.flatMap((r) =>
      r.values
        .split(', ')
        .map((v) => v.replace(/ \(.*\)$/, ''))
        .filter((v) => !known(v)),
    );
    expect(unknown).toEqual([]);
    expect(defaultValues()).toHaveProperty('controller.leaderElection.leaseName');
  });

  it('uses the JANGAR_ prefix for every app variable (the apps do not read AGENTS_*)', () => {
    const others = ['DATABASE_URL', 'PGSSLROOTCERT', 'NATS_URL', 'NATS_USER', 'NATS_PASSWORD', 'NODE_ENV'];
    // Read by @kubernetes/client-node's in-cluster config, not by our code.
    others.push('KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT');
    expect(rows.filter((r) => !r.env.startsWith('JANGAR_') && !others.includes(r.env)).map((r) => r.env)).toEqual([]);
  });

  it('says for every row which component gets the variable', () => {
    const bad = rows.filter(
      (r) =>
        Object.keys(r.want).length === 0 ||
        Object.keys(r.want).some((c) => !['control-plane', 'controllers'].includes(c)),
    );
    expect(bad).toEqual([]);
  });
});
