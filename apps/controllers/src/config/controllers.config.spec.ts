import { EnvConfigError } from '@agents/config';
import { loadControllersConfig } from './controllers.config.js';

describe('controllers config', () => {
  it('defaults to port 8080, the pod namespace and leader election on', () => {
    const c = loadControllersConfig({ JANGAR_POD_NAMESPACE: 'agents' });
    expect(c.httpPort).toBe(8080);
    expect(c.namespaces).toEqual(['agents']);
    expect(c.leaderElection).toMatchObject({
      enabled: true,
      leaseName: 'agents-controller-leader',
      leaseNamespace: 'agents',
      leaseDurationSeconds: 30,
    });
    expect(c.limits.concurrency).toMatchObject({ perNamespace: 10, perAgent: 5, cluster: 100 });
  });

  it.each([
    ['one namespace', 'agents', ['agents']],
    ['several namespaces', 'team-a,team-b', ['team-a', 'team-b']],
    ['every namespace', '*', '*'],
  ])('reads %s', (_case, value, want) => {
    expect(loadControllersConfig({ JANGAR_AGENTS_CONTROLLER_NAMESPACES: value }).namespaces).toEqual(want);
  });

  it('reconciles AgentRuns unless the chart turns controller.enabled off', () => {
    expect(loadControllersConfig({}).agentRunsEnabled).toBe(true);
    expect(loadControllersConfig({ JANGAR_AGENTS_CONTROLLER_ENABLED: 'false' }).agentRunsEnabled).toBe(false);
    expect(() => loadControllersConfig({ JANGAR_AGENTS_CONTROLLER_ENABLED: 'sometimes' })).toThrow(
      /JANGAR_AGENTS_CONTROLLER_ENABLED/,
    );
  });

  it('reads admission lists as JSON arrays or comma lists', () => {
    const c = loadControllersConfig({
      JANGAR_AGENTS_CONTROLLER_IMAGES_ALLOWED: '["ghcr.io/acme/*"]',
      JANGAR_AGENTS_CONTROLLER_BLOCKED_SECRETS: 'root-ca, cloud-admin',
    });
    expect(c.admission.imagesAllowed).toEqual(['ghcr.io/acme/*']);
    expect(c.admission.blockedSecrets).toEqual(['root-ca', 'cloud-admin']);
  });

  it('takes the runner image from JANGAR_AGENT_RUNNER_IMAGE, then JANGAR_AGENT_IMAGE', () => {
    expect(loadControllersConfig({ JANGAR_AGENT_IMAGE: 'b:1' }).runner.image).toBe('b:1');
    expect(loadControllersConfig({ JANGAR_AGENT_IMAGE: 'b:1', JANGAR_AGENT_RUNNER_IMAGE: 'a:1' }).runner.image).toBe(
      'a:1',
    );
  });

  it('lists every bad variable in one error', () => {
    const run = () =>
      loadControllersConfig({
        JANGAR_AGENTS_CONTROLLER_NAMESPACES: '*,agents',
        JANGAR_PORT: 'http',
        JANGAR_AGENT_RUNNER_NODE_SELECTOR: '[1]',
        JANGAR_LEADER_ELECTION_ENABLED: 'sometimes',
        JANGAR_AGENT_RUNNER_IMAGE_PULL_POLICY: 'always',
      });
    expect(run).toThrow(EnvConfigError);
    expect(run).toThrow(/\(5 variables\)/);
    expect(run).toThrow(
      /JANGAR_AGENT_RUNNER_IMAGE_PULL_POLICY="always": .* must be one of Always, IfNotPresent, Never/,
    );
    expect(run).toThrow(/JANGAR_AGENTS_CONTROLLER_NAMESPACES="\*,agents": .*"\*" or a comma-separated list/);
    expect(run).toThrow(
      /JANGAR_AGENT_RUNNER_NODE_SELECTOR="\[1\]": JANGAR_AGENT_RUNNER_NODE_SELECTOR must be a JSON object/,
    );
    expect(run).toThrow(/JANGAR_LEADER_ELECTION_ENABLED="sometimes": .* must be true or false/);
  });
});
