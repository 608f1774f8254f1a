// get | list | describe | apply | delete through the built agentctl against the fake control plane.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { FakeControlPlane, runAgentctl, type AgentctlOptions } from './support/index.js';

const EXAMPLES = path.resolve(import.meta.dirname, '../../../charts/agents/examples');
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

describe('agentctl: resources', () => {
  let fake: FakeControlPlane;
  let o: AgentctlOptions;
  let dir: string;

  beforeAll(async () => {
    fake = await FakeControlPlane.start();
    o = { server: fake.address };
    dir = await mkdtemp(path.join(tmpdir(), 'agentctl-res-'));
  });
  afterAll(() => fake.close());

  describe('apply', () => {
    it('applies every object of a directory of manifests through the Apply RPC of its kind', async () => {
      const res = await runAgentctl(['apply', '-f', EXAMPLES, '-n', 'examples'], o);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      const lines = res.stdout.trim().split('\n');
      expect(lines).toHaveLength(24);
      expect(lines).toContain('agentrun/demo-run applied');
      expect(lines).toContain('versioncontrolprovider/github applied');
      const methods = new Set(fake.calls.filter((c) => c.method.startsWith('apply')).map((c) => c.method));
      expect(methods.size).toBe(19);
      const call = fake.callsTo('applyAgentRun').find((c) => String(c.request.manifestYaml).includes('"demo-run"'));
      expect(call?.request).toMatchObject({ namespace: 'examples', dryRun: false });
      expect(JSON.parse(String(call?.request.manifestYaml))).toMatchObject({
        kind: 'AgentRun',
        spec: { runtime: { type: 'job' } },
      });
    });

    it('reads multi-document YAML from stdin, and --dry-run saves nothing', async () => {
      const manifest = [
        'apiVersion: agents.proompteng.ai/v1alpha1',
        'kind: Tool',
        'metadata: {name: dry-tool}',
        'spec: {image: busybox}',
        '---',
        '# a comment-only document is skipped',
        '---',
        'apiVersion: agents.proompteng.ai/v1alpha1',
        'kind: Budget',
        'metadata: {name: dry-budget, namespace: team-x}',
        'spec: {}',
      ].join('\n');
      const res = await runAgentctl(['apply', '-f', '-', '--dry-run', '-o', 'json'], { ...o, stdin: manifest });
      expect(res.code).toBe(0);
      const doc = JSON.parse(res.stdout);
      expect(doc.kind).toBe('List');
      expect(doc.items.map((i: { metadata: { namespace: string } }) => i.metadata.namespace)).toEqual([
        'agents',
        'team-x',
      ]);
      expect(fake.callsTo('applyTool').at(-1)?.request).toMatchObject({ namespace: 'agents', dryRun: true });
      expect(fake.object('Tool', 'agents', 'dry-tool')).toBeUndefined();
    });

    it('reports the server-side validation error of one object and applies the others (exit 1)', async () => {
      const file = path.join(dir, 'mixed.yaml');
      await writeFile(
        file,
        'apiVersion: agents.proompteng.ai/v1alpha1\nkind: Agent\nmetadata: {name: no-provider}\nspec: {}\n---\n' +
          'apiVersion: agents.proompteng.ai/v1alpha1\nkind: Tool\nmetadata: {name: good-tool}\nspec: {image: x}\n',
      );
      const res = await runAgentctl(['apply', '-f', file], o);
      expect(res.code).toBe(1);
      expect(res.stdout).toBe('tool/good-tool applied\n');
      expect(res.stderr).toBe(
        `error: ${file} (document 1): cannot apply agent/no-provider in namespace agents: invalid: ` +
          'spec.providerRef.name: Required value\n',
      );
    });

    it.each([
      [
        'kind: Pod\napiVersion: v1\nmetadata: {name: p}\n',
        'agentctl cannot apply kind "Pod"; it applies the Agents kinds: agent (agents)',
      ],
      ['apiVersion: agents.proompteng.ai/v1alpha1\nkind: Tool\nmetadata: {}\n', 'Tool has no metadata.name'],
      ['apiVersion: agents.proompteng.ai/v1alpha1\nmetadata: {name: x}\n', 'missing "kind"'],
      ['kind: Tool\nmetadata: {name: x}\n', 'missing "apiVersion" (Tool)'],
      ['kind: [unclosed\n', 'invalid YAML'],
    ])('refuses a bad manifest before sending anything: %j', async (text, message) => {
      const before = fake.calls.length;
      const res = await runAgentctl(['apply', '-f', '-'], { ...o, stdin: text });
      expect(res.code).toBe(2);
      expect(res.stderr).toContain(`error: stdin: ${message}`);
      expect(fake.calls.length).toBe(before);
    });

    it('refuses a manifest namespace that contradicts -n, and a missing file', async () => {
      const stdin = 'apiVersion: agents.proompteng.ai/v1alpha1\nkind: Tool\nmetadata: {name: t, namespace: a}\n';
      const res = await runAgentctl(['apply', '-f', '-', '-n', 'b'], { ...o, stdin });
      expect(res).toMatchObject({
        code: 2,
        stderr: 'error: stdin: tool/t is in namespace a, but -n/--namespace says b\n',
      });
      const missing = await runAgentctl(['apply', '-f', path.join(dir, 'nope.yaml')], o);
      expect(missing).toMatchObject({
        code: 2,
        stderr: `error: -f ${path.join(dir, 'nope.yaml')}: no such file or directory\n`,
      });
      const noFlag = await runAgentctl(['apply'], o);
      expect(noFlag.code).toBe(2);
      expect(noFlag.stderr).toContain("error: required option '-f, --file <path>' not specified");
    });
  });

  describe('get and list', () => {
    beforeAll(() => {
      fake.seed({
        kind: 'Agent',
        metadata: { name: 'alpha', namespace: 'team', creationTimestamp: minutesAgo(5), labels: { tier: 'gold' } },
        spec: { providerRef: { name: 'codex' } },
        status: {
          conditions: [{ type: 'Ready', status: 'True', reason: 'Available', lastTransitionTime: minutesAgo(4) }],
        },
      });
      fake.seed({
        kind: 'Agent',
        metadata: { name: 'beta', namespace: 'team', creationTimestamp: minutesAgo(60 * 30) },
        spec: { providerRef: { name: 'shell' } },
      });
      fake.seed({
        kind: 'AgentRun',
        metadata: { name: 'run-1', namespace: 'team', creationTimestamp: minutesAgo(3) },
        spec: { agentRef: { name: 'alpha' }, runtime: { type: 'job' } },
        status: {
          phase: 'Failed',
          startedAt: minutesAgo(3),
          conditions: [{ type: 'Succeeded', status: 'False', reason: 'BackoffLimitExceeded', message: 'job failed' }],
        },
      });
    });

    it('lists a kind as a table of its printer columns with NAME and AGE', async () => {
      const res = await runAgentctl(['get', 'agents', '-n', 'team'], o);
      expect(res.code).toBe(0);
      expect(res.stdout).toBe(
        ['NAME    READY   PROVIDER   AGE', 'alpha   True    codex      5m', 'beta            shell      30h', ''].join(
          '\n',
        ),
      );
      const runs = await runAgentctl(['list', 'runs', '-n', 'team'], o);
      expect(runs.stdout.split('\n')[0]).toBe(
        'NAME    PHASE    AGENT   SUCCEEDED   REASON                 STARTTIME   COMPLETIONTIME   RUNTIME   AGE',
      );
      expect(runs.stdout.split('\n')[1]).toBe(
        'run-1   Failed   alpha   False       BackoffLimitExceeded   3m                           job       3m',
      );
    });

    it('accepts every alias of REFERENCE §7.3 and calls the List RPC of the kind', async () => {
      const aliases: Record<string, string> = {
        agent: 'listAgents',
        providers: 'listAgentProviders',
        agentprovider: 'listAgentProviders',
        impl: 'listImplementationSpecs',
        specs: 'listImplementationSpecs',
        implementation: 'listImplementationSpecs',
        source: 'listImplementationSources',
        implementationsources: 'listImplementationSources',
        vcs: 'listVersionControlProviders',
        memories: 'listMemories',
        tool: 'listTools',
        toolruns: 'listToolRuns',
        orchestration: 'listOrchestrations',
        orchestrationruns: 'listOrchestrationRuns',
        approvals: 'listApprovalPolicies',
        approvalpolicy: 'listApprovalPolicies',
        budget: 'listBudgets',
        secretbindings: 'listSecretBindings',
        signal: 'listSignals',
        signaldeliveries: 'listSignalDeliveries',
        schedule: 'listSchedules',
        artifacts: 'listArtifacts',
        workspace: 'listWorkspaces',
        run: 'listAgentRuns',
        agentruns: 'listAgentRuns',
        AgentRun: 'listAgentRuns',
        'agentruns.agents.proompteng.ai': 'listAgentRuns',
      };
      for (const [alias, method] of Object.entries(aliases)) {
        const before = fake.callsTo(method).length;
        const res = await runAgentctl(['get', alias, '-n', 'examples'], o);
        expect({ alias, code: res.code, stderr: res.stderr }).toEqual({ alias, code: 0, stderr: '' });
        expect({ alias, calls: fake.callsTo(method).length }).toEqual({ alias, calls: before + 1 });
      }
    });

    it('passes the label selector, phase and runtime filters', async () => {
      const res = await runAgentctl(['get', 'agents', '-n', 'team', '-l', 'tier=gold'], o);
      expect(
        res.stdout
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => l.split(' ')[0]),
      ).toEqual(['alpha']);
      await runAgentctl(['list', 'runs', '-n', 'team', '--phase', 'Failed', '--runtime', 'job', '-l', 'a!=b'], o);
      expect(fake.callsTo('listAgentRuns').at(-1)?.request).toEqual({
        namespace: 'team',
        labelSelector: 'a!=b',
        phase: 'Failed',
        runtime: 'job',
      });
    });

    it('says when a namespace has none', async () => {
      const res = await runAgentctl(['get', 'budgets', '-n', 'empty'], o);
      expect(res).toEqual({ code: 0, stdout: '', stderr: 'No budgets found in namespace empty.\n' });
    });

    it('prints one object, or a List, as JSON or YAML', async () => {
      const one = await runAgentctl(['get', 'agent', 'alpha', '-n', 'team', '-o', 'json'], o);
      expect(JSON.parse(one.stdout)).toMatchObject({ kind: 'Agent', metadata: { name: 'alpha' } });
      const list = await runAgentctl(['get', 'agents', '-n', 'team', '-o', 'yaml'], o);
      const doc = parseYaml(list.stdout) as { kind: string; items: { metadata: { name: string } }[] };
      expect(doc.kind).toBe('List');
      expect(doc.items.map((i) => i.metadata.name)).toEqual(['alpha', 'beta']);
      const listed = await runAgentctl(['list', 'agent', 'alpha', '-n', 'team', '-o', 'json'], o);
      expect(JSON.parse(listed.stdout)).toMatchObject({ metadata: { name: 'alpha' } });
      const table = await runAgentctl(['get', 'agent', 'beta', '-n', 'team'], o);
      expect(table.stdout).toBe('NAME   READY   PROVIDER   AGE\nbeta           shell      30h\n');
    });

    it('says which object was not found in which namespace (exit 1)', async () => {
      const res = await runAgentctl(['get', 'run', 'ghost', '-n', 'team'], o);
      expect(res).toEqual({ code: 1, stdout: '', stderr: 'error: agentrun ghost not found in namespace team\n' });
      const bad = await runAgentctl(['get', 'run', 'Not_A_Name'], o);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(
        "command-argument value 'Not_A_Name' is invalid for argument 'name'. expected a Kubernetes name",
      );
    });
  });

  describe('describe', () => {
    it('shows identity, a spec summary and the conditions table', async () => {
      fake.seed({
        kind: 'ImplementationSpec',
        metadata: { name: 'long-task', namespace: 'team', creationTimestamp: minutesAgo(10), labels: { a: 'b' } },
        spec: { summary: 'Fix it', text: `${'x'.repeat(200)}\nsecond line`, labels: ['backend'] },
        status: {
          syncedAt: minutesAgo(9),
          conditions: [
            { type: 'Ready', status: 'True', reason: 'Synced', message: 'in sync', lastTransitionTime: minutesAgo(9) },
          ],
        },
      });
      const res = await runAgentctl(['describe', 'impl', 'long-task', '-n', 'team'], o);
      expect(res.code).toBe(0);
      const out = res.stdout;
      expect(out).toMatch(
        /^Name: {9}long-task\nNamespace: {4}team\nKind: {9}ImplementationSpec \(agents\.proompteng\.ai\/v1alpha1\)\nLabels: {7}a=b\n/,
      );
      expect(out).toMatch(/Created: {6}\S+ \(10m ago\)/);
      expect(out).toContain(
        `Spec:\n  summary: Fix it\n  text: ${'x'.repeat(120)}… (92 more characters)\n  labels:\n    - backend\n`,
      );
      expect(out).toMatch(/Status:\n {2}syncedAt: \S+\n/);
      expect(out).toMatch(
        /Conditions:\n {2}TYPE {4}STATUS {3}REASON {3}AGE {3}MESSAGE\n {2}Ready {3}True {5}Synced {3}9m {4}in sync\n$/,
      );
    });

    it('prints the object for -o yaml, and NOT_FOUND plainly', async () => {
      const yaml = await runAgentctl(['describe', 'impl', 'long-task', '-n', 'team', '-o', 'yaml'], o);
      expect(parseYaml(yaml.stdout)).toMatchObject({ kind: 'ImplementationSpec', spec: { summary: 'Fix it' } });
      const missing = await runAgentctl(['describe', 'workspace', 'nope'], o);
      expect(missing).toMatchObject({ code: 1, stderr: 'error: workspace nope not found in namespace agents\n' });
    });
  });

  describe('delete', () => {
    it('deletes an object through the Delete RPC of its kind', async () => {
      fake.seed({ kind: 'Schedule', metadata: { name: 'nightly', namespace: 'team' }, spec: { cron: '0 0 * * *' } });
      const res = await runAgentctl(['delete', 'schedule', 'nightly', '-n', 'team'], o);
      expect(res).toEqual({ code: 0, stdout: 'schedule/nightly deleted\n', stderr: '' });
      expect(fake.object('Schedule', 'team', 'nightly')).toBeUndefined();
      const again = await runAgentctl(['delete', 'schedules', 'nightly', '-n', 'team'], o);
      expect(again).toEqual({ code: 1, stdout: '', stderr: 'error: schedule nightly not found in namespace team\n' });
    });
  });
});
