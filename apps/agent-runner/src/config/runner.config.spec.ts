import { loadRunnerConfig } from './runner.config.js';

describe('runner config', () => {
  it('reads the Job contract paths by default', () => {
    expect(loadRunnerConfig({})).toEqual({
      runSpecPath: '/workspace/run.json',
      runnerSpecPath: '/workspace/agent-runner.json',
      statusPath: '/workspace/.agent/status.json',
      natsUrl: undefined,
    });
  });

  it('lets a local run point at its own files', () => {
    expect(loadRunnerConfig({ AGENT_RUN_SPEC: '/tmp/run.json', NATS_URL: 'nats://127.0.0.1:4222' })).toMatchObject({
      runSpecPath: '/tmp/run.json',
      natsUrl: 'nats://127.0.0.1:4222',
    });
  });
});
