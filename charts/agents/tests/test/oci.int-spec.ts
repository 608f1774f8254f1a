// The chart as an OCI artifact: package, push to a real registry (Debian's docker-registry on 127.0.0.1), read the
// metadata back with `helm show chart`, pull it and compare; then the same through hack/publish-chart.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { CHART_DIR, HELM_ENV, REPO_ROOT, chartYaml, helm } from '../src/chart.js';
import { LocalRegistry } from '../src/registry.js';

const chart = chartYaml();
let registry: LocalRegistry;
let work: string;

/** Runs helm, failing the test on an error; returns stdout (`withStderr`: both, for the push/pull messages). */
function ok(args: string[], withStderr = false): string {
  const res = helm(args);
  if (res.status !== 0) throw new Error(`helm ${args.join(' ')} failed:\n${res.stderr}\n${registry?.log() ?? ''}`);
  return withStderr ? res.stdout + res.stderr : res.stdout;
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)))
    .sort();
}

function untar(tgz: string): string {
  const dir = mkdtempSync(path.join(work, 'untar-'));
  execFileSync('tar', ['-xzf', tgz, '-C', dir]);
  return path.join(dir, 'agents');
}

function publish(...args: string[]) {
  const res = spawnSync(path.join(REPO_ROOT, 'hack/publish-chart'), args, { encoding: 'utf8', env: HELM_ENV });
  return { status: res.status, stdout: res.stdout.trim(), stderr: res.stderr };
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'agents-oci-'));
  registry = await LocalRegistry.start();
});

afterAll(async () => {
  await registry?.stop();
});

describe('OCI round trip', () => {
  it('packages, pushes, shows and pulls back the same chart', () => {
    const packaged = path.join(work, 'packaged');
    ok(['package', CHART_DIR, '--destination', packaged]);
    const tgz = path.join(packaged, `agents-${chart.version}.tgz`);
    const pushed = ok(['push', tgz, registry.oci('charts'), '--plain-http'], true);
    expect(pushed).toContain(`Pushed: ${registry.host}/charts/agents:${chart.version}`);

    const shown = parse(
      ok(['show', 'chart', registry.oci('charts/agents'), '--version', chart.version, '--plain-http']),
    ) as unknown;
    expect(shown).toEqual(chart);

    const pulled = mkdtempSync(path.join(work, 'pulled-'));
    ok(['pull', registry.oci('charts/agents'), '--version', chart.version, '--plain-http', '--destination', pulled]);
    expect(readFileSync(path.join(pulled, `agents-${chart.version}.tgz`))).toEqual(readFileSync(tgz));

    const content = files(untar(tgz));
    expect(content).toEqual(
      expect.arrayContaining([
        'Chart.yaml',
        'values.yaml',
        'values.schema.json',
        'README.md',
        'files/rbac-rules.yaml',
        'templates/validation.yaml',
        'artifacthub-pkg.yml',
      ]),
    );
    expect(content.filter((f) => f.startsWith('crds/'))).toHaveLength(19);
    expect(content.filter((f) => f.startsWith('examples/')).length).toBeGreaterThanOrEqual(19);
    expect(
      content.filter((f) => f.startsWith('tests/') || f.includes('node_modules') || f.endsWith('.gotmpl')),
    ).toEqual([]);
  });

  it('installs from the registry as a user would (helm template of the oci:// reference)', () => {
    const out = ok([
      'template',
      'agents',
      registry.oci('charts/agents'),
      '--version',
      chart.version,
      '--plain-http',
      '-n',
      'agents',
    ]);
    expect(out).toContain('kind: Deployment');
  });
});

describe('hack/publish-chart', () => {
  it('publishes the chart, names the reference, and refuses to overwrite that version', () => {
    const first = publish('--registry', registry.oci('published'), '--plain-http');
    expect({ status: first.status, ref: first.stdout.split('\n').pop() }).toEqual({
      status: 0,
      ref: `${registry.oci('published')}/agents:${chart.version}`,
    });
    expect(
      parse(ok(['show', 'chart', registry.oci('published/agents'), '--version', chart.version, '--plain-http'])),
    ).toEqual(chart);

    const again = publish('--registry', registry.oci('published'), '--plain-http');
    expect(again.status).not.toBe(0);
    expect(again.stderr).toContain(`agents:${chart.version} is already published; chart versions are immutable`);
  });

  it('refuses a chart whose artifacthub-pkg.yml version differs from Chart.yaml', () => {
    const packaged = path.join(work, 'mismatch');
    ok(['package', CHART_DIR, '--destination', packaged]);
    const copy = untar(path.join(packaged, `agents-${chart.version}.tgz`));
    const pkgFile = path.join(copy, 'artifacthub-pkg.yml');
    writeFileSync(pkgFile, readFileSync(pkgFile, 'utf8').replace(/^version: .*$/m, 'version: 9.9.9'));
    const res = publish('--registry', registry.oci('mismatch'), '--plain-http', '--chart', copy);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain(`version mismatch: Chart.yaml has ${chart.version}, artifacthub-pkg.yml has 9.9.9`);
  });
});
