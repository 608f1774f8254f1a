import { buildCli } from './cli.js';

function run(args: string[]): { out: string[]; err: string[]; error?: unknown } {
  const out: string[] = [];
  const err: string[] = [];
  try {
    buildCli({ out: (l) => out.push(l), err: (l) => err.push(l) }).parse(args, { from: 'user' });
    return { out, err };
  } catch (error) {
    return { out, err, error };
  }
}

describe('agentctl', () => {
  it('prints its version', () => {
    expect(run(['version', '--client']).out).toEqual(['agentctl 0.1.0']);
  });

  it('names an unknown command', () => {
    expect(run(['frobnicate']).err.join('\n')).toMatch(/unknown command 'frobnicate'/);
  });
});
