import { Command, CommanderError, Option } from 'commander';
import { CliError, EXIT } from './cli.errors.js';
import { registerApplyCommand } from './commands/apply.command.js';
import { registerCompletionCommand } from './commands/completion.command.js';
import { registerConfigCommand } from './commands/config.command.js';
import { durationOption } from './commands/option-parsers.util.js';
import { registerResourceCommands } from './commands/resources.command.js';
import { registerRunCommands } from './commands/run.command.js';
import { CliRuntime, type CliDeps } from './commands/runtime.js';
import { registerStatusCommand } from './commands/status.command.js';
import { registerVersionCommand } from './commands/version.command.js';
import { DEFAULT_NAMESPACE, DEFAULT_SERVER } from './config/agentctl.config.js';
import { OUTPUT_FORMATS } from './config/settings.js';
import { CLIENT_VERSION } from './version.js';

export { CLIENT_VERSION };
export type { CliDeps, CliIo } from './commands/runtime.js';

const FOOTER = `
Settings (flag > environment > config file > default):
  server      --server/--address, AGENTCTL_SERVER/AGENTCTL_ADDRESS  (default ${DEFAULT_SERVER})
  namespace   -n/--namespace, AGENTCTL_NAMESPACE                    (default ${DEFAULT_NAMESPACE})
  token       --token, AGENTCTL_TOKEN                               (sent as "authorization: Bearer <token>")
  config file AGENTCTL_CONFIG, else $XDG_CONFIG_HOME/agentctl/config.json, else ~/.config/agentctl/config.json

Exit codes: 0 ok; 1 the request failed or the run did not succeed; 2 bad usage; 3 control plane unreachable.`;

/** Builds the agentctl command tree; commands write through `rt.deps.io` so tests read what a user would see. */
export function buildCli(rt: CliRuntime): Command {
  const { io } = rt.deps;
  const program = new Command('agentctl')
    .description('Drive Agents runs from the command line (talks only gRPC to the control plane)')
    .version(`agentctl ${CLIENT_VERSION}`, '--version', 'print the client version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError("(run 'agentctl --help' or 'agentctl <command> --help' for usage)")
    .option('-s, --server <host:port>', 'control plane gRPC address')
    .addOption(new Option('--address <host:port>', 'same as --server').hideHelp())
    .option('-n, --namespace <namespace>', 'namespace of the objects')
    .option('--token <token>', 'bearer token for the control plane')
    .addOption(new Option('-o, --output <format>', 'output format (default: table)').choices(OUTPUT_FORMATS))
    .option('--timeout <duration>', 'deadline of each request, e.g. 10s or 2m (default: 30s)', durationOption)
    .addHelpText('after', FOOTER);
  registerVersionCommand(program, rt);
  registerStatusCommand(program, rt);
  registerConfigCommand(program, rt);
  registerResourceCommands(program, rt);
  registerApplyCommand(program, rt);
  registerRunCommands(program, rt);
  registerCompletionCommand(program, rt);
  return program;
}

/** Runs agentctl with `args` (without the program name) and returns the exit code; errors are printed, never thrown. */
export async function runCli(args: readonly string[], deps: CliDeps): Promise<number> {
  const rt = new CliRuntime(deps);
  try {
    await buildCli(rt).parseAsync([...args], { from: 'user' });
    return rt.state.exitCode;
  } catch (err) {
    // Commander has printed its own message (usage errors) or the help/version it was asked for.
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (err instanceof CliError) {
      deps.io.err(`error: ${err.message}`);
      return err.exitCode;
    }
    deps.io.err(`error: ${err instanceof Error ? err.message : String(err)}`);
    if (deps.environment.debug && err instanceof Error && err.stack) deps.io.err(err.stack);
    return EXIT.failure;
  } finally {
    rt.close();
  }
}
