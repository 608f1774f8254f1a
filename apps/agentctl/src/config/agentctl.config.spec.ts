import { readEnvironment } from './agentctl.config.js';

describe('readEnvironment', () => {
  describe.each<[string, Record<string, string>, string]>([
    ['the default under the home directory', {}, '/home/u/.config/agentctl/config.json'],
    ['XDG_CONFIG_HOME when set', { XDG_CONFIG_HOME: '/xdg' }, '/xdg/agentctl/config.json'],
    ['AGENTCTL_CONFIG above all', { XDG_CONFIG_HOME: '/xdg', AGENTCTL_CONFIG: '/etc/a.json' }, '/etc/a.json'],
    ['no empty XDG_CONFIG_HOME', { XDG_CONFIG_HOME: ' ' }, '/home/u/.config/agentctl/config.json'],
  ])('config path: %s', (_name, env, want) => {
    it(`is ${want}`, () => expect(readEnvironment(env, '/home/u').configPath).toBe(want));
  });

  it('takes AGENTCTL_SERVER before AGENTCTL_ADDRESS and remembers which', () => {
    expect(readEnvironment({ AGENTCTL_SERVER: 'a:1', AGENTCTL_ADDRESS: 'b:2' }, '/h').server).toEqual({
      value: 'a:1',
      variable: 'AGENTCTL_SERVER',
    });
    expect(readEnvironment({ AGENTCTL_SERVER: '', AGENTCTL_ADDRESS: 'b:2' }, '/h').server).toEqual({
      value: 'b:2',
      variable: 'AGENTCTL_ADDRESS',
    });
  });

  it('reads namespace, token and debug, ignoring empty values', () => {
    expect(readEnvironment({ AGENTCTL_NAMESPACE: 'ns', AGENTCTL_TOKEN: ' t ', AGENTCTL_DEBUG: '1' }, '/h')).toEqual({
      namespace: 'ns',
      token: 't',
      configPath: '/h/.config/agentctl/config.json',
      debug: true,
    });
    expect(readEnvironment({ AGENTCTL_NAMESPACE: '', AGENTCTL_DEBUG: 'false' }, '/h')).toEqual({
      configPath: '/h/.config/agentctl/config.json',
      debug: false,
    });
  });
});
