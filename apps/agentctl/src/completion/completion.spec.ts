import { Command, Option } from 'commander';
import { completionScript, completionSpec, SHELLS } from './completion.js';

function tree(): Command {
  const program = new Command('tool')
    .option('-n, --namespace <ns>')
    .addOption(new Option('-o, --output <f>').choices(['a', 'b']));
  program.command('get').argument('<resource>').option('-l, --selector <s>');
  const run = program.command('run');
  run.command('logs').argument('<name>').option('-f, --follow');
  program.command('apply').requiredOption('-f, --file <path>');
  return program;
}

describe('completionSpec', () => {
  const spec = completionSpec(tree(), (cmd) => (cmd.registeredArguments[0]?.name() === 'resource' ? ['x', 'y'] : []));

  it('walks the tree: subcommands, inherited options, value options and first-argument words', () => {
    const byPath = Object.fromEntries(spec.nodes.map((n) => [n.path, n]));
    expect(Object.keys(byPath)).toEqual(['', 'get', 'run', 'run logs', 'apply']);
    expect(byPath['']?.subcommands).toEqual(['get', 'run', 'apply', 'help']);
    expect(byPath['run logs']?.options).toEqual([
      '-n',
      '--namespace',
      '-o',
      '--output',
      '-f',
      '--follow',
      '-h',
      '--help',
    ]);
    // -f takes a value under apply, not under run logs.
    expect(byPath['run logs']?.valueOptions).toEqual(['-n', '--namespace', '-o', '--output']);
    expect(byPath.apply?.valueOptions).toContain('-f');
    expect(byPath.get?.firstArg).toEqual(['x', 'y']);
    expect(spec.choices).toEqual({ '-o': ['a', 'b'], '--output': ['a', 'b'] });
    expect(spec.fileOptions).toEqual(['--file', '-f']);
  });

  it.each(SHELLS)('writes a %s script registering the program', (shell) => {
    const script = completionScript(shell, spec);
    const registration = {
      bash: 'complete -F _tool tool',
      zsh: 'compdef _tool tool',
      fish: "complete -c tool -f -a '(__tool_complete)'",
    };
    expect(script).toContain(registration[shell]);
    expect(script).toMatch(shell === 'fish' ? /case 'run'\n\s+echo 'logs'/ : /'run'\) echo 'logs' ;;/);
    expect(script).not.toContain('undefined');
  });
});
