import { Type } from 'class-transformer';
import { IsIn, IsInt, IsString, Max, Min } from 'class-validator';
import { EnvConfigError, Sensitive, loadEnvConfig } from './load-env-config.js';

class SampleEnv {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  JANGAR_PORT = 8080;

  @IsIn(['auto', 'skip'])
  JANGAR_MIGRATIONS = 'auto';

  @Sensitive()
  @IsString()
  @IsIn(['only-this'])
  JANGAR_GRPC_TOKEN = 'only-this';
}

function errorOf(fn: () => unknown): EnvConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EnvConfigError) return e;
    throw e;
  }
  throw new Error('expected an EnvConfigError');
}

describe('loadEnvConfig', () => {
  it('applies defaults for unset and empty variables', () => {
    expect(loadEnvConfig('app', SampleEnv, { JANGAR_MIGRATIONS: '' })).toMatchObject({
      JANGAR_PORT: 8080,
      JANGAR_MIGRATIONS: 'auto',
    });
  });

  it('converts numbers', () => {
    expect(loadEnvConfig('app', SampleEnv, { JANGAR_PORT: '9090' }).JANGAR_PORT).toBe(9090);
  });

  it('lists every bad variable in one error, with value and expectation', () => {
    const err = errorOf(() =>
      loadEnvConfig('controllers', SampleEnv, { JANGAR_PORT: '70000', JANGAR_MIGRATIONS: 'sometimes' }),
    );
    expect(err.violations.map((v) => v.variable)).toEqual(['JANGAR_PORT', 'JANGAR_MIGRATIONS']);
    expect(err.message).toContain('controllers: invalid configuration (2 variables)');
    expect(err.message).toContain('JANGAR_PORT="70000": JANGAR_PORT must not be greater than 65535');
    expect(err.message).toContain(
      'JANGAR_MIGRATIONS="sometimes": JANGAR_MIGRATIONS must be one of the following values: auto, skip',
    );
  });

  it('never prints the value of a sensitive variable', () => {
    const err = errorOf(() => loadEnvConfig('app', SampleEnv, { JANGAR_GRPC_TOKEN: 's3cret' }));
    expect(err.message).not.toContain('s3cret');
    expect(err.message).toContain('JANGAR_GRPC_TOKEN="<redacted>"');
  });
});
