// Completion scripts from the built CLI: bash is exercised for real; zsh and fish are checked for their content.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AGENTCTL_BUNDLE, runAgentctl } from './support/index.js';

const exec = promisify(execFile);

/** Completes `line` (the cursor at its end) with the bash script and returns the candidates. */
async function completeBash(line: string): Promise<string[]> {
  const words = line.split(' ');
  const script = `
    agentctl() { node ${JSON.stringify(AGENTCTL_BUNDLE)} "$@"; }
    source <(agentctl completion bash)
    COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')})
    COMP_CWORD=${words.length - 1}
    _agentctl
    printf '%s\\n' "\${COMPREPLY[@]}"`;
  const { stdout } = await exec('bash', ['-c', script], { env: { ...process.env, AGENTCTL_CONFIG: '/nonexistent' } });
  return stdout.split('\n').filter(Boolean);
}

describe('agentctl completion', () => {
  it.each([
    [
      'agentctl ',
      ['version', 'status', 'config', 'get', 'list', 'describe', 'delete', 'apply', 'run', 'completion', 'help'],
    ],
    ['agentctl ru', ['run']],
    ['agentctl run ', ['submit', 'get', 'wait', 'watch', 'logs', 'cancel']],
    ['agentctl config v', ['view']],
    [
      'agentctl get imp',
      [
        'implementationspec',
        'implementationspecs',
        'impl',
        'impls',
        'implementation',
        'implementations',
        'implementationsource',
        'implementationsources',
      ],
    ],
    ['agentctl -n agents describe ru', ['run', 'runs']],
    ['agentctl get -o ', ['table', 'json', 'yaml']],
    ['agentctl run submit --runtime ', ['workflow', 'job', 'temporal', 'custom']],
    ['agentctl completion ', ['bash', 'zsh', 'fish']],
    ['agentctl run logs --fol', ['--follow']],
    ['agentctl get agents x ', []],
  ])('bash completes "%s"', async (line, want) => {
    expect(await completeBash(line)).toEqual(want);
  });

  it('prints zsh and fish scripts built from the same command tree', async () => {
    const zsh = await runAgentctl(['completion', 'zsh']);
    expect(zsh.code).toBe(0);
    expect(zsh.stdout.startsWith('#compdef agentctl\n')).toBe(true);
    expect(zsh.stdout).toContain("'run') echo 'submit get wait watch logs cancel' ;;");
    expect(zsh.stdout).toContain('compdef _agentctl agentctl');
    const fish = await runAgentctl(['completion', 'fish']);
    expect(fish.code).toBe(0);
    expect(fish.stdout).toContain("complete -c agentctl -f -a '(__agentctl_complete)'");
    expect(fish.stdout).toMatch(/case 'get'\n\s+echo 'agent agents agentrun agentruns run runs/);
  });

  it('refuses an unknown shell', async () => {
    const res = await runAgentctl(['completion', 'tcsh']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(
      /^error: command-argument value 'tcsh' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish./,
    );
  });
});
