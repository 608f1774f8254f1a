import { Command } from 'commander';

export const CLIENT_VERSION = '0.1.0';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Builds the agentctl command tree; commands write through `io` so tests read what a user would see. */
export function buildCli(io: CliIo): Command {
  const program = new Command('agentctl')
    .description('Drive Agents from the command line (talks to the control plane over gRPC)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  program
    .command('version')
    .description('Print the client version')
    .option('--client', 'only the client version')
    .action(() => io.out(`agentctl ${CLIENT_VERSION}`));
  return program;
}
