import { Sensitive, loadEnvConfig } from '@agents/config';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/** Every variable the control plane reads. Property names are the exact env names; initialisers are the defaults. */
export class ControlPlaneEnv {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  JANGAR_PORT = 8080;

  /** Postgres connection URL (required). */
  @Sensitive()
  @IsString({ message: 'DATABASE_URL must be set to a postgres:// URL' })
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL!: string;

  /** `auto` applies migrations at start; `skip` leaves the schema alone. */
  @IsIn(['auto', 'skip'])
  JANGAR_MIGRATIONS = 'auto';

  @IsOptional()
  @IsString()
  PGSSLROOTCERT?: string;
}

export interface ControlPlaneConfig {
  readonly httpPort: number;
  readonly databaseUrl: string;
  readonly migrations: 'auto' | 'skip';
  readonly databaseCaFile: string | undefined;
}

/** The only place the control plane reads process.env. */
export function loadControlPlaneConfig(env: Record<string, string | undefined> = process.env): ControlPlaneConfig {
  const e = loadEnvConfig('control-plane', ControlPlaneEnv, env);
  return {
    httpPort: e.JANGAR_PORT,
    databaseUrl: e.DATABASE_URL,
    migrations: e.JANGAR_MIGRATIONS as 'auto' | 'skip',
    databaseCaFile: e.PGSSLROOTCERT,
  };
}
