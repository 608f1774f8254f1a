// What every command receives: resolved settings, output, the clock and a lazily opened control-plane client.
import type { Command } from 'commander';
import { EXIT, type ExitCode } from '../cli.errors.js';
import type { AgentctlEnvironment } from '../config/agentctl.config.js';
import { readConfigFile } from '../config/config-file.js';
import { resolveSettings, type GlobalFlags, type Settings } from '../config/settings.js';
import { ControlPlaneClient } from '../grpc/control-plane.client.js';

export interface CliIo {
  /** One line (or several joined by newlines) to stdout. */
  out: (line: string) => void;
  /** One line to stderr. */
  err: (line: string) => void;
}

export interface CliDeps {
  io: CliIo;
  environment: AgentctlEnvironment;
  now: () => Date;
  readStdin: () => Promise<string>;
  /** Waits between reconnects of a broken stream. */
  delay: (ms: number) => Promise<void>;
}

export interface CommandScope {
  readonly settings: Settings;
  readonly io: CliIo;
  readonly deps: CliDeps;
  /** The control plane client (opened on first use, closed when the command ends). */
  client(): ControlPlaneClient;
  /** Sets the process exit code without printing an error (e.g. a run that failed). */
  exit(code: ExitCode): void;
}

export interface CliState {
  exitCode: ExitCode;
  clients: ControlPlaneClient[];
}

export class CliRuntime {
  readonly state: CliState = { exitCode: EXIT.ok, clients: [] };

  constructor(readonly deps: CliDeps) {}

  /** Resolves the global flags of `cmd` (flag > env > config file > default). */
  async settings(cmd: Command): Promise<Settings> {
    const flags = cmd.optsWithGlobals<GlobalFlags>();
    const file = await readConfigFile(this.deps.environment.configPath);
    return resolveSettings(flags, this.deps.environment, file.config);
  }

  async scope(cmd: Command): Promise<CommandScope> {
    const settings = await this.settings(cmd);
    let client: ControlPlaneClient | undefined;
    return {
      settings,
      io: this.deps.io,
      deps: this.deps,
      client: () => {
        if (!client) {
          client = new ControlPlaneClient({
            address: settings.server.value,
            timeoutMs: settings.timeoutMs,
            ...(settings.token ? { token: settings.token.value } : {}),
          });
          this.state.clients.push(client);
        }
        return client;
      },
      exit: (code) => {
        this.state.exitCode = code;
      },
    };
  }

  close(): void {
    for (const c of this.state.clients.splice(0)) c.close();
  }
}
