// Upgrade from the previous chart version (the last commit whose Chart.yaml has another version), then uninstall:
// nothing may stay behind and the namespace must delete. Until a second version exists in git history, the same
// chart is upgraded with changed values; the N → N+1 path starts as soon as Chart.yaml's version is bumped.
import { TestNamespace, eventually, testKubeConfig } from '@agents/testing';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { CHART_DIR, REPO_ROOT, chartYaml, type K8sObject } from '../src/chart.js';
import { install, readLive, releaseName, releaseStatus, uninstall, upgrade, type Release } from '../src/cluster.js';

const admin = testKubeConfig();
const current = chartYaml().version;

/** The newest committed chart whose version differs from the working tree's, extracted with git archive. */
function previousChart(): { version: string; commit: string; dir: string } | undefined {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  const commits = git('log', '--format=%H', '--', 'charts/agents/Chart.yaml').split('\n').filter(Boolean);
  for (const commit of commits) {
    let version: string;
    try {
      version = (parse(git('show', `${commit}:charts/agents/Chart.yaml`)) as { version: string }).version;
    } catch {
      continue; // Chart.yaml deleted in that commit
    }
    if (version === current) continue;
    const dir = mkdtempSync(path.join(tmpdir(), 'agents-previous-chart-'));
    execFileSync('sh', ['-c', `git archive ${commit} charts/agents | tar -x -C '${dir}'`], { cwd: REPO_ROOT });
    return { version, commit, dir: path.join(dir, 'charts/agents') };
  }
  return undefined;
}

const previous = previousChart();
const title = previous
  ? `upgrades from chart ${previous.version} (${previous.commit.slice(0, 8)}) to ${current}`
  : `upgrades chart ${current} in place with changed values (no earlier chart version in git history yet)`;

async function gone(kc: KubeConfig, objects: K8sObject[]): Promise<void> {
  const left: string[] = [];
  for (const o of objects)
    if (await readLive(kc, o)) left.push(`${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`);
  if (left.length) throw new Error(`still there: ${left.join(', ')}`);
}

describe('upgrade and uninstall', () => {
  let home: TestNamespace;
  let watched: TestNamespace[];
  let release: Release;
  let before: K8sObject[];

  beforeAll(async () => {
    home = await TestNamespace.create(admin, 'chart-up');
    watched = [await TestNamespace.create(admin, 'chart-up-a'), await TestNamespace.create(admin, 'chart-up-b')];
    // Values both versions understand: cluster-scoped RBAC over two namespaces, NATS with a chart-made Secret.
    release = install(
      releaseName('up'),
      home.name,
      {
        rbac: { clusterScoped: true },
        controller: { namespaces: watched.map((n) => n.name) },
        agentComms: { enabled: true, nats: { user: 'agents', password: 'first' } },
      },
      previous?.dir ?? CHART_DIR,
    );
    before = release.objects;
  });

  afterAll(async () => {
    if (release) uninstall(release.name, home.name);
    for (const ns of [home, ...(watched ?? [])]) await ns?.delete();
  });

  it(title, async () => {
    if (previous) {
      // Helm never upgrades crds/: the chart README's step before `helm upgrade`.
      execFileSync(
        'kubectl',
        [
          'apply',
          '--server-side',
          '--field-manager=agents-tests',
          '--force-conflicts',
          '-f',
          path.join(CHART_DIR, 'crds'),
        ],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
    }
    release = upgrade(release, {
      grpc: { enabled: false },
      controlPlane: { replicaCount: 2, podDisruptionBudget: { enabled: true } },
      controllers: { autoscaling: { enabled: true } },
      networkPolicy: { enabled: true },
    });
    expect(releaseStatus(release.name, home.name)).toBe('deployed (revision 2)');
    const kinds = release.objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        `PodDisruptionBudget/${release.name}-agents`,
        `HorizontalPodAutoscaler/${release.name}-agents-controllers`,
        `NetworkPolicy/${release.name}-agents`,
      ]),
    );
    for (const o of release.objects)
      expect({ o: `${o.kind}/${o.metadata.name}`, live: Boolean(await readLive(admin, o)) }).toEqual({
        o: `${o.kind}/${o.metadata.name}`,
        live: true,
      });
    // What the new values dropped (gRPC Service, NATS Secret, cluster-scoped RBAC and its RoleBindings) is deleted.
    const now = new Set(release.objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`));
    const dropped = before.filter((o) => !now.has(`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`));
    expect(dropped.map((o) => o.kind)).toEqual(
      expect.arrayContaining(['Service', 'Secret', 'ClusterRole', 'RoleBinding']),
    );
    await eventually(() => gone(admin, dropped), { what: 'the objects the upgrade dropped to be deleted' });
  });

  it('uninstalls without leaving an object behind, and the namespace then deletes', async () => {
    const last = release.objects;
    uninstall(release.name, home.name);
    await eventually(() => gone(admin, last), { what: 'every object of the release to be deleted', timeoutMs: 60_000 });
    const core = admin.makeApiClient(CoreV1Api);
    const selector = `app.kubernetes.io/instance=${release.name}`;
    await eventually(
      async () => {
        const pods = await core.listNamespacedPod({ namespace: home.name, labelSelector: selector });
        if (pods.items.length) throw new Error(`${pods.items.length} pod(s) left`);
      },
      { what: 'the release pods to be deleted', timeoutMs: 60_000 },
    );
    for (const ns of watched) {
      const list = await core.listNamespacedServiceAccount({ namespace: ns.name, labelSelector: selector });
      expect(list.items).toEqual([]);
    }
    await home.delete();
    await eventually(
      async () => {
        const ns = await core.readNamespace({ name: home.name }).catch(() => undefined);
        if (ns) throw new Error(`namespace ${home.name} is ${ns.status?.phase}`);
      },
      { what: `namespace ${home.name} to be deleted (not stuck Terminating)`, timeoutMs: 90_000, intervalMs: 500 },
    );
  });
});
