// Rendered manifests against the API server's own schemas, offline and strict: built-in kinds from the local
// cluster's /openapi/v2, our CRDs from libs/api. ServiceMonitor has no CRD here and is skipped explicitly.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ARGOCD_DIR, chartYaml, ciValuesFiles, REPO_ROOT, renderText } from '../src/chart.js';
import { offlineKubeconform, type Kubeconform } from '../src/kubeconform.js';

let kubeconform: Kubeconform;

beforeAll(() => {
  kubeconform = offlineKubeconform();
});

function validateRender(text: string) {
  const res = kubeconform.run(['-'], { stdin: text, skip: ['ServiceMonitor'] });
  return { status: res.status, out: res.out };
}

const valid = { status: 0, out: expect.stringMatching(/Invalid: 0, Errors: 0/) };

describe('kubeconform -strict', () => {
  it('validates the default render, CRDs included', () => {
    const res = validateRender(renderText(undefined, { flags: ['--include-crds'] }));
    expect(res).toEqual(valid);
    // 21 objects (the dashboard ConfigMap among them) and the 19 CRDs.
    expect(res.out).toMatch(/Valid: 40,/);
  });

  it.each(ciValuesFiles().map((f) => [path.basename(f), f]))('validates the render of ci/%s', (_name, file) => {
    expect(validateRender(renderText(undefined, { files: [file] }))).toEqual(valid);
  });

  it('rejects an unknown field and a wrong type in a built-in kind, naming them', () => {
    const bad = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: bad}',
      'spec:',
      '  selector: {matchLabels: {a: b}}',
      '  template:',
      '    metadata: {labels: {a: b}}',
      '    spec:',
      '      containers: [{name: c, image: x, replica: 1, ports: [{containerPort: "80"}]}]',
    ].join('\n');
    const res = validateRender(bad);
    expect(res.status).toBe(1);
    expect(res.out).toMatch(/additional properties 'replica' not allowed/);
    expect(res.out).toMatch(/containerPort': got string, want integer/);
  });

  it('accepts int-or-string and quantity fields in either form', () => {
    const ok = [
      'apiVersion: policy/v1',
      'kind: PodDisruptionBudget',
      'metadata: {name: ok}',
      'spec: {maxUnavailable: 1, selector: {matchLabels: {a: b}}}',
      '---',
      'apiVersion: policy/v1',
      'kind: PodDisruptionBudget',
      'metadata: {name: ok2}',
      'spec: {maxUnavailable: "50%", selector: {matchLabels: {a: b}}}',
      '---',
      'apiVersion: v1',
      'kind: ResourceQuota',
      'metadata: {name: q}',
      'spec: {hard: {cpu: 2, memory: 1Gi}}',
    ].join('\n');
    expect(validateRender(ok)).toEqual(valid);
  });
});

describe('examples/argocd', () => {
  const application = parse(readFileSync(path.join(ARGOCD_DIR, 'application.yaml'), 'utf8')) as {
    kind: string;
    spec: {
      sources: {
        repoURL: string;
        chart?: string;
        targetRevision: string;
        ref?: string;
        helm?: { skipCrds: boolean; valueFiles: string[] };
      }[];
      syncPolicy: { syncOptions: string[] };
    };
  };
  const chartSource = application.spec.sources.find((s) => s.chart === 'agents');

  it('installs this chart version from the OCI registry with its CRDs and server-side apply', () => {
    expect(application.kind).toBe('Application');
    expect(chartSource).toMatchObject({
      repoURL: 'ghcr.io/proompteng/charts',
      targetRevision: chartYaml().version,
      helm: { skipCrds: false },
    });
    expect(application.spec.syncPolicy.syncOptions).toEqual(expect.arrayContaining(['ServerSideApply=true']));
  });

  it('points at the production values file of this repository', () => {
    const valueFile = chartSource?.helm?.valueFiles[0] ?? '';
    expect(valueFile).toMatch(/^\$values\//);
    expect(() => readFileSync(path.join(REPO_ROOT, valueFile.replace(/^\$values\//, '')))).not.toThrow();
  });

  it('renders values-production.yaml through validation and kubeconform, with CRDs as Argo CD applies them', () => {
    const text = renderText(undefined, {
      release: 'agents',
      namespace: 'agents',
      files: [path.join(ARGOCD_DIR, 'values-production.yaml')],
      flags: ['--include-crds'],
    });
    expect(validateRender(text)).toEqual(valid);
    expect(text).toContain('kind: PodDisruptionBudget');
    expect(text).toMatch(/namespace: team-b/);
  });
});
