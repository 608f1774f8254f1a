import { EnvConfigError } from '@agents/config';
import { loadControllersConfig } from './controllers.config.js';

describe('controllers config', () => {
  it('defaults to port 8080 and the default namespace', () => {
    expect(loadControllersConfig({})).toEqual({ httpPort: 8080, namespaces: ['default'] });
  });

  it.each([
    ['one namespace', 'agents', ['agents']],
    ['several namespaces', 'team-a,team-b', ['team-a', 'team-b']],
    ['every namespace', '*', '*'],
  ])('reads %s', (_case, value, want) => {
    expect(loadControllersConfig({ JANGAR_AGENTS_CONTROLLER_NAMESPACES: value }).namespaces).toEqual(want);
  });

  it('rejects "*" mixed with names and a bad port together, naming both variables', () => {
    const run = () => loadControllersConfig({ JANGAR_AGENTS_CONTROLLER_NAMESPACES: '*,agents', JANGAR_PORT: 'http' });
    expect(run).toThrow(EnvConfigError);
    expect(run).toThrow(
      /JANGAR_PORT="http"[\s\S]*JANGAR_AGENTS_CONTROLLER_NAMESPACES="\*,agents": .*"\*" or a comma-separated list/,
    );
  });
});
