// run submit | get | wait | watch | logs | cancel through the built agentctl, the fake control plane driving the run.
import { parse as parseYaml } from 'yaml';
import { eventually, FakeControlPlane, runAgentctl, startAgentctl, type AgentctlOptions } from './support/index.js';

describe('agentctl run', () => {
  let fake: FakeControlPlane;
  let o: AgentctlOptions;
  let seq = 0;
  /** A fresh pending run in namespace `agents`. */
  const newRun = () => {
    const name = `run-${++seq}`;
    fake.seed({
      kind: 'AgentRun',
      metadata: { name },
      spec: { agentRef: { name: 'demo-agent' }, runtime: { type: 'job' } },
      status: { phase: 'Pending' },
    });
    return name;
  };

  beforeAll(async () => {
    fake = await FakeControlPlane.start();
    o = { server: fake.address };
    fake.seed({ kind: 'Agent', metadata: { name: 'demo-agent' }, spec: { providerRef: { name: 'shell' } } });
  });
  afterAll(() => fake.close());

  describe('submit', () => {
    it('sends every flag in the SubmitAgentRun request', async () => {
      const res = await runAgentctl(
        [
          'run',
          'submit',
          '--agent',
          'demo-agent',
          '--impl',
          'demo-task',
          '--runtime',
          'workflow',
          '--runtime-config',
          'backoffLimit=2',
          '--runtime-config',
          'serviceAccount=runner',
          '--param',
          'branch=feature/x',
          '--param',
          'query=a=b',
          '--idempotency-key',
          'key-1',
          '--workload-image',
          'ghcr.io/x/runner:1',
          '--cpu',
          '500m',
          '--memory',
          '1Gi',
          '--memory-ref',
          'notes',
          '--vcs',
          'github',
          '--vcs-mode',
          'read-only',
          '--vcs-required',
          '--name',
          'my-run',
          '-n',
          'agents',
        ],
        o,
      );
      expect(res).toEqual({ code: 0, stdout: 'agentrun/my-run submitted\n', stderr: '' });
      expect(fake.callsTo('submitAgentRun').at(-1)?.request).toEqual({
        namespace: 'agents',
        agentName: 'demo-agent',
        implementationName: 'demo-task',
        runtimeType: 'workflow',
        runtimeConfig: [
          { key: 'backoffLimit', value: '2' },
          { key: 'serviceAccount', value: 'runner' },
        ],
        parameters: [
          { key: 'branch', value: 'feature/x' },
          { key: 'query', value: 'a=b' },
        ],
        idempotencyKey: 'key-1',
        workload: { image: 'ghcr.io/x/runner:1', cpu: '500m', memory: '1Gi' },
        memoryRef: 'notes',
        vcsRef: 'github',
        vcsPolicyMode: 'read-only',
        vcsPolicyRequired: true,
        name: 'my-run',
      });
    });

    it('returns the same run for a repeated idempotency key', async () => {
      const args = [
        'run',
        'submit',
        '--agent',
        'demo-agent',
        '--impl',
        'demo-task',
        '--runtime',
        'job',
        '--idempotency-key',
        'once',
      ];
      const first = await runAgentctl(args, o);
      const name = /^agentrun\/(\S+) submitted\n$/.exec(first.stdout)?.[1];
      expect(name).toBeDefined();
      const second = await runAgentctl(args, o);
      expect(second).toEqual({
        code: 0,
        stdout: `agentrun/${name} unchanged (idempotency key once was used before)\n`,
        stderr: '',
      });
      const json = await runAgentctl([...args, '-o', 'json'], o);
      expect(JSON.parse(json.stdout)).toMatchObject({ kind: 'AgentRun', metadata: { name } });
    });

    it.each([
      [['--impl', 'i', '--runtime', 'job'], "error: required option '--agent <name>' not specified"],
      [['--agent', 'a', '--impl', 'i'], "error: required option '--runtime <type>' not specified"],
      [
        ['--agent', 'a', '--impl', 'i', '--runtime', 'lambda'],
        "error: option '--runtime <type>' argument 'lambda' is invalid. Allowed choices are workflow, job, temporal, custom.",
      ],
      [
        ['--agent', 'a', '--impl', 'i', '--runtime', 'job', '--param', 'novalue'],
        "error: option '--param <key=value>' argument 'novalue' is invalid. expected key=value, e.g. branch=main",
      ],
      [
        ['--agent', 'a', '--impl', 'i', '--runtime', 'job', '--param', 'a=1', '--param', 'a=2'],
        "error: option '--param <key=value>' argument 'a=2' is invalid. key 'a' is given twice",
      ],
      [
        ['--agent', 'a', '--impl', 'i', '--runtime', 'job', '--cpu', 'lots'],
        "error: option '--cpu <quantity>' argument 'lots' is invalid. expected a Kubernetes quantity such as 500m, 2, 512Mi or 2Gi",
      ],
      [
        ['--agent', 'a', '--impl', 'i', '--runtime', 'job', '--vcs-mode', 'rw'],
        "error: option '--vcs-mode <mode>' argument 'rw' is invalid. Allowed choices are read-write, read-only, none.",
      ],
    ])('refuses bad flags before calling: %j', async (flags, message) => {
      const before = fake.callsTo('submitAgentRun').length;
      const res = await runAgentctl(['run', 'submit', ...flags], o);
      expect(res.code).toBe(2);
      expect(res.stderr.split('\n')[0]).toBe(message);
      expect(fake.callsTo('submitAgentRun').length).toBe(before);
    });

    it('reports what the control plane refused', async () => {
      const res = await runAgentctl(['run', 'submit', '--agent', 'ghost', '--impl', 'i', '--runtime', 'job'], o);
      expect(res).toEqual({
        code: 1,
        stdout: '',
        stderr:
          'error: cannot submit an agentrun in namespace agents: not found: agents.agents.proompteng.ai "ghost" not found\n',
      });
      await runAgentctl(
        ['run', 'submit', '--agent', 'demo-agent', '--impl', 'i', '--runtime', 'job', '--name', 'taken'],
        o,
      );
      const dup = await runAgentctl(
        ['run', 'submit', '--agent', 'demo-agent', '--impl', 'i', '--runtime', 'job', '--name', 'taken'],
        o,
      );
      expect(dup.code).toBe(1);
      expect(dup.stderr).toBe(
        'error: cannot submit an agentrun in namespace agents: already exists: agentruns.agents.proompteng.ai "taken" already exists\n',
      );
    });

    it('--wait follows the new run and exits with its outcome', async () => {
      const p = startAgentctl(
        ['run', 'submit', '--agent', 'demo-agent', '--impl', 'i', '--runtime', 'job', '--name', 'waited', '--wait'],
        o,
      );
      await eventually(() => expect(fake.watchers('agents', 'waited').status).toBe(1), { what: 'the status stream' });
      fake.setRunStatus('agents', 'waited', { phase: 'Running' });
      fake.setRunStatus('agents', 'waited', { phase: 'Succeeded', reason: 'Completed' });
      expect(await p.exited).toEqual({
        code: 0,
        stdout: 'agentrun/waited submitted\nagentrun/waited Succeeded: Completed\n',
        stderr: '',
      });
    });
  });

  it('run get prints the run', async () => {
    const name = newRun();
    const res = await runAgentctl(['run', 'get', name], o);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`^NAME .*\\n${name}\\s+Pending\\s+demo-agent\\s+job\\s+0s\\n$`));
    const yaml = await runAgentctl(['run', 'get', name, '-o', 'yaml'], o);
    expect(parseYaml(yaml.stdout)).toMatchObject({ metadata: { name }, status: { phase: 'Pending' } });
  });

  describe('wait', () => {
    it('exits 0 when the run Succeeded', async () => {
      const name = newRun();
      const p = startAgentctl(['run', 'wait', name], o);
      await eventually(() => expect(fake.watchers('agents', name).status).toBe(1));
      fake.setRunStatus('agents', name, { phase: 'Running' });
      fake.setRunStatus('agents', name, { phase: 'Succeeded' });
      expect(await p.exited).toEqual({ code: 0, stdout: `agentrun/${name} Succeeded\n`, stderr: '' });
    });

    it('exits 1 with the phase and reason when the run Failed', async () => {
      const name = newRun();
      const p = startAgentctl(['run', 'wait', name], o);
      await eventually(() => expect(fake.watchers('agents', name).status).toBe(1));
      fake.setRunStatus('agents', name, {
        phase: 'Failed',
        reason: 'BackoffLimitExceeded',
        message: 'the job failed 3 times',
      });
      expect(await p.exited).toEqual({
        code: 1,
        stdout: `agentrun/${name} Failed: BackoffLimitExceeded (the job failed 3 times)\n`,
        stderr: '',
      });
    });

    it('returns at once for a finished run; exits 1 for Cancelled; prints JSON with -o json', async () => {
      const name = newRun();
      fake.setRunStatus('agents', name, { phase: 'Cancelled', reason: 'Cancelled' });
      const res = await runAgentctl(['run', 'wait', name, '-o', 'json'], o);
      expect(res.code).toBe(1);
      expect(JSON.parse(res.stdout)).toMatchObject({ metadata: { name }, status: { phase: 'Cancelled' } });
    });

    it('keeps waiting across a broken stream', async () => {
      const name = newRun();
      const p = startAgentctl(['run', 'wait', name], o);
      await eventually(() => expect(fake.watchers('agents', name).status).toBe(1));
      const opened = fake.callsTo('streamAgentRunStatus').length;
      fake.breakStreams();
      await eventually(() => expect(fake.callsTo('streamAgentRunStatus').length).toBe(opened + 1), {
        what: 'a reconnect',
      });
      await eventually(() => expect(fake.watchers('agents', name).status).toBe(1));
      fake.setRunStatus('agents', name, { phase: 'Succeeded' });
      expect(await p.exited).toMatchObject({ code: 0, stdout: `agentrun/${name} Succeeded\n` });
    });

    it('says the run was not found', async () => {
      expect(await runAgentctl(['run', 'wait', 'ghost', '-n', 'team'], o)).toEqual({
        code: 1,
        stdout: '',
        stderr: 'error: agentrun ghost not found in namespace team\n',
      });
    });
  });

  it('run watch prints each phase change until the run finishes', async () => {
    const name = newRun();
    const p = startAgentctl(['run', 'watch', name], o);
    await eventually(() => expect(p.stdout()).toBe(`agentrun/${name} Pending\n`));
    fake.setRunStatus('agents', name, { phase: 'Running', message: 'job started' });
    await eventually(() => expect(p.stdout()).toContain('Running'));
    fake.setRunStatus('agents', name, { phase: 'Running', message: 'still running' }); // not a phase change
    fake.setRunStatus('agents', name, { phase: 'Failed', reason: 'Timeout', message: 'deadline exceeded' });
    expect(await p.exited).toEqual({
      code: 0,
      stdout: [
        `agentrun/${name} Pending`,
        `agentrun/${name} Running (job started)`,
        `agentrun/${name} Failed: Timeout (deadline exceeded)`,
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('run watch prints each step change of a workflow run', async () => {
    const name = newRun();
    const p = startAgentctl(['run', 'watch', name], o);
    await eventually(() => expect(p.stdout()).toBe(`agentrun/${name} Pending\n`));
    const step = (phase: string, attempt: number, message: string) => ({
      phase: 'Running',
      message,
      workflow: { phase: 'Running', steps: [{ name: 'build', phase, attempt }] },
    });
    fake.setRunStatus('agents', name, step('Running', 1, 'workflow step build (1 of 1): attempt 1 of 2 is running'));
    await eventually(() => expect(p.stdout()).toContain('attempt 1 of 2'));
    fake.setRunStatus('agents', name, step('Retrying', 1, 'workflow step build (1 of 1): attempt 1 of 2 failed'));
    await eventually(() => expect(p.stdout()).toContain('failed'));
    fake.setRunStatus('agents', name, step('Running', 2, 'workflow step build (1 of 1): attempt 2 of 2 is running'));
    await eventually(() => expect(p.stdout()).toContain('attempt 2 of 2'));
    fake.setRunStatus('agents', name, {
      phase: 'Succeeded',
      reason: 'Completed',
      message: 'all 1 workflow step succeeded',
    });
    expect((await p.exited).stdout.trim().split('\n')).toEqual([
      `agentrun/${name} Pending`,
      `agentrun/${name} Running (workflow step build (1 of 1): attempt 1 of 2 is running)`,
      `agentrun/${name} Running (workflow step build (1 of 1): attempt 1 of 2 failed)`,
      `agentrun/${name} Running (workflow step build (1 of 1): attempt 2 of 2 is running)`,
      `agentrun/${name} Succeeded: Completed (all 1 workflow step succeeded)`,
    ]);
  });

  it('run watch -o json prints one JSON object per phase', async () => {
    const name = newRun();
    const p = startAgentctl(['run', 'watch', name, '-o', 'json'], o);
    await eventually(() => expect(fake.watchers('agents', name).status).toBe(1));
    fake.setRunStatus('agents', name, { phase: 'Succeeded' });
    const res = await p.exited;
    expect(
      res.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).status.phase),
    ).toEqual(['Pending', 'Succeeded']);
  });

  describe('logs', () => {
    it('prints stored events: stdout and stderr to their streams, status lines marked', async () => {
      const name = newRun();
      fake.appendLog('agents', name, 'stdout', 'hello\n');
      fake.appendLog('agents', name, 'stderr', 'warning: slow');
      fake.setRunStatus('agents', name, { phase: 'Running' });
      const res = await runAgentctl(['run', 'logs', name], o);
      expect(res).toEqual({ code: 0, stdout: 'hello\n[status] Running\n', stderr: 'warning: slow\n' });
      const json = await runAgentctl(['run', 'logs', name, '-o', 'json'], o);
      const events = json.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(events.map((e) => [e.stream, e.message])).toEqual([
        ['stdout', 'hello\n'],
        ['stderr', 'warning: slow'],
        ['status', 'Running'],
      ]);
      const after = await runAgentctl(['run', 'logs', name, '--after-id', String(events[1].id), '--timestamps'], o);
      expect(after.stdout).toMatch(/^\[status\] \d{4}-\d\d-\d\dT\S+ Running\n$/);
    });

    it('--follow prints events as they arrive and ends when the run finishes', async () => {
      const name = newRun();
      fake.appendLog('agents', name, 'stdout', 'line 1');
      const p = startAgentctl(['run', 'logs', name, '--follow'], o);
      await eventually(() => expect(p.stdout()).toBe('line 1\n'));
      await eventually(() => expect(fake.watchers('agents', name).logs).toBe(1));
      fake.appendLog('agents', name, 'stdout', 'line 2');
      await eventually(() => expect(p.stdout()).toBe('line 1\nline 2\n'));
      fake.setRunStatus('agents', name, { phase: 'Succeeded', reason: 'Completed' });
      expect(await p.exited).toEqual({
        code: 0,
        stdout: 'line 1\nline 2\n[status] Succeeded: Completed\n',
        stderr: '',
      });
    });

    it('--follow resumes after the last event when the stream breaks, without repeating lines', async () => {
      const name = newRun();
      fake.appendLog('agents', name, 'stdout', 'before');
      const p = startAgentctl(['run', 'logs', name, '-f'], o);
      await eventually(() => expect(fake.watchers('agents', name).logs).toBe(1));
      await eventually(() => expect(p.stdout()).toBe('before\n'));
      fake.breakStreams();
      fake.appendLog('agents', name, 'stdout', 'during');
      await eventually(() => expect(fake.watchers('agents', name).logs).toBe(1), { what: 'the reconnect' });
      fake.appendLog('agents', name, 'stdout', 'after');
      fake.setRunStatus('agents', name, { phase: 'Succeeded' });
      expect((await p.exited).stdout).toBe('before\nduring\nafter\n[status] Succeeded\n');
      const resumed = fake.callsTo('streamAgentRunLogs').filter((c) => c.request.name === name);
      expect(resumed.map((c) => c.request.afterId)).toEqual([0, expect.any(Number)]);
      expect(resumed[1]?.request.afterId).toBeGreaterThan(0);
    });

    it('says the run was not found', async () => {
      expect(await runAgentctl(['run', 'logs', 'ghost'], o)).toEqual({
        code: 1,
        stdout: '',
        stderr: 'error: agentrun ghost not found in namespace agents\n',
      });
    });
  });

  describe('cancel', () => {
    it('cancels a running run', async () => {
      const name = newRun();
      const res = await runAgentctl(['run', 'cancel', name], o);
      expect(res).toEqual({ code: 0, stdout: `agentrun/${name} cancelled (deleted job ${name})\n`, stderr: '' });
      expect(fake.object('AgentRun', 'agents', name)?.status?.phase).toBe('Cancelled');
    });

    it('reports FAILED_PRECONDITION for a finished run and NOT_FOUND for a missing one', async () => {
      const name = newRun();
      fake.setRunStatus('agents', name, { phase: 'Succeeded' });
      expect(await runAgentctl(['run', 'cancel', name], o)).toEqual({
        code: 1,
        stdout: '',
        stderr: `error: cannot cancel agentrun ${name} in namespace agents: agentrun ${name} is already Succeeded: no job to delete\n`,
      });
      expect((await runAgentctl(['run', 'cancel', 'ghost'], o)).stderr).toBe(
        'error: agentrun ghost not found in namespace agents\n',
      );
    });
  });
});
