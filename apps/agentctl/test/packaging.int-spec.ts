// The shipped forms of agentctl: the npm package (pnpm pack → npm install into a temp dir) and the single
// executable application (scripts/build-sea.sh), each run against the fake control plane; the Homebrew formula.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { FakeControlPlane, runAgentctl } from './support/index.js';

const exec = promisify(execFile);
const APP = path.resolve(import.meta.dirname, '..');

describe('agentctl packaging', () => {
  let fake: FakeControlPlane;
  let dir: string;

  beforeAll(async () => {
    fake = await FakeControlPlane.start({ token: 'pkg-token' });
    fake.seed({ kind: 'Agent', metadata: { name: 'packaged' }, spec: { providerRef: { name: 'shell' } } });
    dir = await mkdtemp(path.join(tmpdir(), 'agentctl-pkg-'));
  });
  afterAll(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('pnpm pack makes an npm package that installs alone and runs', async () => {
    await exec('pnpm', ['pack', '--pack-destination', dir], { cwd: APP });
    const tarball = (await readdir(dir)).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const tgz = path.join(dir, tarball!);
    const { stdout: listing } = await exec('tar', ['-tzf', tgz]);
    expect(listing.split('\n').filter(Boolean).sort()).toEqual([
      'package/README.md',
      'package/dist/agentctl.cjs',
      'package/package.json',
    ]);
    const { stdout: manifest } = await exec('tar', ['-xzOf', tgz, 'package/package.json']);
    const pkg = JSON.parse(manifest) as { bin: Record<string, string>; dependencies?: Record<string, string> };
    expect(pkg.bin).toEqual({ agentctl: 'dist/agentctl.cjs' });
    expect(pkg.dependencies ?? {}).toEqual({});

    const prefix = path.join(dir, 'install');
    // No dependencies: --offline proves nothing is fetched from a registry.
    await exec('npm', ['install', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, tgz], {
      env: { ...process.env, npm_config_cache: path.join(dir, 'npm-cache') },
    });
    const bin = path.join(prefix, 'node_modules', '.bin', 'agentctl');
    expect(await runAgentctl(['version', '--client'], { binary: bin })).toEqual({
      code: 0,
      stdout: 'agentctl 0.1.0\n',
      stderr: '',
    });
    const list = await runAgentctl(['get', 'agents'], { binary: bin, server: fake.address, token: 'pkg-token' });
    expect(list).toMatchObject({ code: 0, stderr: '' });
    expect(list.stdout).toMatch(/^NAME\s+READY\s+PROVIDER\s+AGE\npackaged\s+shell\s+\d+s\n$/);
  });

  it('scripts/build-sea.sh makes one executable that needs no Node installation', async () => {
    const out = path.join(dir, 'sea', 'agentctl');
    const { stdout } = await exec(path.join(APP, 'scripts', 'build-sea.sh'), [out], { cwd: APP });
    expect(stdout).toMatch(/^built .*agentctl \(agentctl 0\.1\.0, /);
    // An empty PATH: nothing but the executable itself.
    const env = { PATH: '/nonexistent' };
    expect(await runAgentctl(['--version'], { binary: out, env })).toEqual({
      code: 0,
      stdout: 'agentctl 0.1.0\n',
      stderr: '',
    });
    const res = await runAgentctl(['get', 'agent', 'packaged', '-o', 'json'], {
      binary: out,
      server: fake.address,
      token: 'pkg-token',
      env,
    });
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ kind: 'Agent', metadata: { name: 'packaged' } });
    const denied = await runAgentctl(['status'], { binary: out, server: fake.address, env });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('refused the credentials');
  });

  it('renders the Homebrew formula template', async () => {
    const sha = createHash('sha256').update('x').digest('hex');
    const url = 'https://github.com/proompteng/agents/releases/download/v1.2.3/proompteng-agentctl-1.2.3.tgz';
    const { stdout } = await exec(path.join(APP, 'scripts', 'render-formula.sh'), ['1.2.3', url, sha]);
    expect(stdout).toContain('class Agentctl < Formula');
    expect(stdout).toContain(`  url "${url}"\n  sha256 "${sha}"\n  version "1.2.3"\n`);
    expect(stdout).not.toMatch(/\{\{\w+\}\}/);
    const template = await readFile(path.join(APP, 'packaging', 'agentctl.rb.tmpl'), 'utf8');
    expect(template.match(/\{\{\w+\}\}/g)?.sort()).toEqual(['{{HOMEPAGE}}', '{{SHA256}}', '{{URL}}', '{{VERSION}}']);
    await expect(exec(path.join(APP, 'scripts', 'render-formula.sh'), ['1.2', url, sha])).rejects.toMatchObject({
      stderr: "render-formula: version '1.2' is not semver (e.g. 1.2.3)\n",
    });
  });
});
