import { loadEnvConfig } from '@agents/config';
import { Type } from 'class-transformer';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';

/** Every variable the controllers read. Property names are the exact env names; initialisers are the defaults. */
export class ControllersEnv {
  /** HTTP port for /healthz, /readyz and /metrics. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  JANGAR_PORT = 8080;

  /** Namespaces to reconcile: one name, a comma-separated list, or `*` for all. */
  @IsString()
  @Matches(/^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?(,[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/, {
    message: 'JANGAR_AGENTS_CONTROLLER_NAMESPACES must be "*" or a comma-separated list of namespace names',
  })
  JANGAR_AGENTS_CONTROLLER_NAMESPACES = 'default';
}

export interface ControllersConfig {
  readonly httpPort: number;
  readonly namespaces: readonly string[] | '*';
}

export function toControllersConfig(env: ControllersEnv): ControllersConfig {
  const ns = env.JANGAR_AGENTS_CONTROLLER_NAMESPACES;
  return { httpPort: env.JANGAR_PORT, namespaces: ns === '*' ? '*' : ns.split(',') };
}

/** The only place the controllers read process.env. */
export function loadControllersConfig(env: Record<string, string | undefined> = process.env): ControllersConfig {
  return toControllersConfig(loadEnvConfig('controllers', ControllersEnv, env));
}
