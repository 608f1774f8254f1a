import { RunnerConfigError, loadRunnerConfig } from './runner.config.js';

describe('loadRunnerConfig', () => {
  it('reads the Job contract paths by default', () => {
    expect(loadRunnerConfig({})).toMatchObject({
      runSpecPath: '/workspace/run.json',
      runnerSpecPath: '/workspace/agent-runner.json',
      statusPath: undefined,
      workspaceDir: '/workspace',
      runnerId: undefined,
      killGraceMs: 10_000,
      events: { natsUrl: undefined, bufferSize: 10_000, flushTimeoutMs: 10_000 },
    });
  });

  it('lets a local run point at its own files, the workspace following the run spec', () => {
    expect(
      loadRunnerConfig({
        AGENT_RUN_SPEC: '/tmp/run-1/run.json',
        AGENT_RUNNER_STATUS_PATH: '/tmp/run-1/status.json',
        NATS_URL: 'nats://127.0.0.1:4222',
      }),
    ).toMatchObject({
      runSpecPath: '/tmp/run-1/run.json',
      statusPath: '/tmp/run-1/status.json',
      workspaceDir: '/tmp/run-1',
      events: { natsUrl: 'nats://127.0.0.1:4222' },
    });
    expect(
      loadRunnerConfig({ AGENT_RUN_SPEC: '/tmp/a/run.json', AGENT_RUNNER_WORKSPACE: '/tmp/ws' }).workspaceDir,
    ).toBe('/tmp/ws');
  });

  it('names the runner after its pod only inside Kubernetes', () => {
    expect(loadRunnerConfig({ HOSTNAME: 'laptop' }).runnerId).toBeUndefined();
    expect(loadRunnerConfig({ HOSTNAME: 'fix-bug-1-job-x7k2p', KUBERNETES_SERVICE_HOST: '10.0.0.1' }).runnerId).toBe(
      'fix-bug-1-job-x7k2p',
    );
    expect(loadRunnerConfig({ HOSTNAME: 'pod', AGENT_RUNNER_ID: 'mine', KUBERNETES_SERVICE_HOST: 'x' }).runnerId).toBe(
      'mine',
    );
  });

  it('hands its whole environment on to the provider', () => {
    expect(loadRunnerConfig({ PATH: '/usr/bin', OPENAI_API_KEY: 'k' }).env).toEqual({
      PATH: '/usr/bin',
      OPENAI_API_KEY: 'k',
    });
  });

  it('rejects every bad variable at once, still knowing where the failed status goes', () => {
    let error: unknown;
    try {
      loadRunnerConfig({
        AGENT_RUN_SPEC: '/tmp/r/run.json',
        AGENT_RUNNER_KILL_GRACE_SECONDS: 'soon',
        AGENT_RUNNER_EVENTS_BUFFER: '0',
        NATS_URL: 'http://nats:4222',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RunnerConfigError);
    const e = error as RunnerConfigError;
    expect(e.problems).toEqual([
      'NATS_URL="http://nats:4222": expected a nats://, tls:// or ws(s):// URL',
      'AGENT_RUNNER_KILL_GRACE_SECONDS="soon": expected a number from 0 to 3600',
      'AGENT_RUNNER_EVENTS_BUFFER="0": expected a number from 1 to 1000000',
    ]);
    expect(e.statusPath).toBe('/tmp/r/.agent/status.json');
  });
});
