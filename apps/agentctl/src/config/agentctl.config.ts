// The only place agentctl reads process.env: everything else receives these values as arguments.
import { homedir } from 'node:os';
import path from 'node:path';

export const DEFAULT_SERVER = 'agents-grpc.agents.svc.cluster.local:50051';
export const DEFAULT_NAMESPACE = 'agents';
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_GRPC_PORT = 50051;

/** What the environment sets, read once at start. */
export interface AgentctlEnvironment {
  /** AGENTCTL_SERVER, else AGENTCTL_ADDRESS. */
  readonly server?: { readonly value: string; readonly variable: 'AGENTCTL_SERVER' | 'AGENTCTL_ADDRESS' };
  readonly namespace?: string;
  readonly token?: string;
  /** AGENTCTL_CONFIG, else $XDG_CONFIG_HOME/agentctl/config.json, else ~/.config/agentctl/config.json. */
  readonly configPath: string;
  /** AGENTCTL_DEBUG: print stack traces of unexpected errors. */
  readonly debug: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

function nonEmpty(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

export function readEnvironment(env: Env = process.env, home: string = homedir()): AgentctlEnvironment {
  const serverVar = nonEmpty(env, 'AGENTCTL_SERVER') ? 'AGENTCTL_SERVER' : 'AGENTCTL_ADDRESS';
  const server = nonEmpty(env, serverVar);
  const configHome = nonEmpty(env, 'XDG_CONFIG_HOME') ?? path.join(home, '.config');
  const debug = nonEmpty(env, 'AGENTCTL_DEBUG');
  return {
    ...(server ? { server: { value: server, variable: serverVar } } : {}),
    ...(nonEmpty(env, 'AGENTCTL_NAMESPACE') ? { namespace: nonEmpty(env, 'AGENTCTL_NAMESPACE') } : {}),
    ...(nonEmpty(env, 'AGENTCTL_TOKEN') ? { token: nonEmpty(env, 'AGENTCTL_TOKEN') } : {}),
    configPath: nonEmpty(env, 'AGENTCTL_CONFIG') ?? path.join(configHome, 'agentctl', 'config.json'),
    debug: debug !== undefined && debug !== '0' && debug.toLowerCase() !== 'false',
  };
}
