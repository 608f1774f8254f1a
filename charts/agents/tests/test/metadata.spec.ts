import { ALL_KINDS, crdFileName, crdName } from '@agents/api';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { CHART_DIR, REPO_ROOT, chartYaml, readChartFile } from '../src/chart.js';
import { defaultValues } from '../src/schema.js';

const chart = chartYaml();
const annotation = <T>(name: string): T => parse(chart.annotations[`artifacthub.io/${name}`] ?? 'null') as T;

function exampleObjects(): unknown[] {
  const dir = path.join(CHART_DIR, 'examples');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJS() as unknown));
}

describe('Chart.yaml', () => {
  it('is an application chart named agents with a semver version, appVersion and minimum Kubernetes', () => {
    expect(chart).toMatchObject({
      apiVersion: 'v2',
      name: 'agents',
      type: 'application',
      version: expect.stringMatching(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/),
      appVersion: expect.stringMatching(/^\d+\.\d+\.\d+/),
      kubeVersion: '>=1.29.0-0',
    });
  });

  it('carries the Artifact Hub category, license and operator flags', () => {
    expect(chart.annotations).toMatchObject({
      'artifacthub.io/category': 'ai-machine-learning',
      'artifacthub.io/license': 'Apache-2.0',
      'artifacthub.io/operator': 'true',
    });
    expect(annotation<{ name: string; url: string }[]>('links').map((l) => l.name)).toEqual([
      'Source',
      'Documentation',
    ]);
    expect(annotation<{ kind: string; description: string }[]>('changes').length).toBeGreaterThan(0);
  });

  it('lists every CRD of crds/ in artifacthub.io/crds with its kind, version and name', () => {
    const listed = annotation<{ kind: string; version: string; name: string }[]>('crds');
    expect(listed.map(({ kind, version, name }) => ({ kind, version, name }))).toEqual(
      ALL_KINDS.map((k) => ({ kind: k.kind, version: k.version, name: crdName(k) })),
    );
    expect(readdirSync(path.join(CHART_DIR, 'crds')).sort()).toEqual(ALL_KINDS.map(crdFileName).sort());
  });

  it('embeds one object of examples/ per kind in artifacthub.io/crdsExamples', () => {
    const embedded = annotation<{ kind: string; apiVersion: string }[]>('crdsExamples');
    const examples = exampleObjects().map((o) => JSON.stringify(o));
    expect(embedded.map((e) => e.kind)).toEqual(ALL_KINDS.map((k) => k.kind));
    for (const e of embedded) expect(examples).toContain(JSON.stringify(e));
  });

  it('names the three images at the appVersion tag and the repositories of values.yaml', () => {
    const values = defaultValues() as {
      controlPlane: { image: { repository: string } };
      controllers: { image: { repository: string } };
      runner: { image: { repository: string } };
    };
    const repos = [values.controlPlane, values.controllers, values.runner].map((c) => c.image.repository);
    expect(annotation<{ image: string }[]>('images').map((i) => i.image)).toEqual(
      repos.map((r) => `${r}:${chart.appVersion}`),
    );
  });
});

describe('Artifact Hub metadata files', () => {
  it('gives artifacthub-pkg.yml the version and appVersion of Chart.yaml', () => {
    const pkg = parse(readChartFile('artifacthub-pkg.yml')) as { version: string; appVersion: string; name: string };
    expect(pkg).toMatchObject({ name: 'agents', version: chart.version, appVersion: chart.appVersion });
  });

  it('has a repository file at the repository root naming its owners', () => {
    const repo = parse(readFileSync(path.join(REPO_ROOT, 'artifacthub-repo.yml'), 'utf8')) as { owners: unknown[] };
    expect(repo.owners.length).toBeGreaterThan(0);
  });

  it('keeps the tests, ci/ values and the README template out of the packaged chart', () => {
    const ignored = readChartFile('.helmignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['tests/', 'ci/', 'README.md.gotmpl']));
  });
});
