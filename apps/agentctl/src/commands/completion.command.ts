import { Argument, type Command } from 'commander';
import { completionScript, completionSpec, SHELLS, type Shell } from '../completion/completion.js';
import { resourceNames } from '../resources/resource-kinds.js';
import type { CliRuntime } from './runtime.js';

/** The words of a command's first positional argument: resources, or the argument's choices. */
function firstArgWords(cmd: Command): string[] {
  const first = cmd.registeredArguments[0];
  if (!first) return [];
  if (first.name() === 'resource') return resourceNames();
  return first.argChoices ? [...first.argChoices] : [];
}

export function registerCompletionCommand(program: Command, rt: CliRuntime): void {
  program
    .command('completion')
    .description('Print a shell completion script')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .addHelpText(
      'after',
      '\nExamples:\n  source <(agentctl completion bash)\n  agentctl completion zsh > "${fpath[1]}/_agentctl"\n' +
        '  agentctl completion fish > ~/.config/fish/completions/agentctl.fish',
    )
    .action((shell: Shell) => {
      rt.deps.io.out(completionScript(shell, completionSpec(program, firstArgWords)).trimEnd());
    });
}
