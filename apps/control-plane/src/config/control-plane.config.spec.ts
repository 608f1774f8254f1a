import { loadControlPlaneConfig } from './control-plane.config.js';

describe('control-plane config', () => {
  it('requires DATABASE_URL and says what it expects, without printing secrets', () => {
    expect(() => loadControlPlaneConfig({})).toThrow(/DATABASE_URL=<unset>: DATABASE_URL must be a postgres:\/\//);
    expect(() => loadControlPlaneConfig({ DATABASE_URL: 'mysql://user:pw@db/x' })).toThrow(/DATABASE_URL="<redacted>"/);
  });

  it('reads a complete environment', () => {
    expect(loadControlPlaneConfig({ DATABASE_URL: 'postgres://127.0.0.1/agents', JANGAR_MIGRATIONS: 'skip' })).toEqual({
      httpPort: 8080,
      databaseUrl: 'postgres://127.0.0.1/agents',
      migrations: 'skip',
      databaseCaFile: undefined,
    });
  });
});
