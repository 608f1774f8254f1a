import { readFileSync } from 'node:fs';
import { runCli, type CliDeps } from './cli.js';
import { CLIENT_VERSION } from './version.js';

async function run(args: string[], deps: Partial<CliDeps> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    io: { out: (l) => out.push(l), err: (l) => err.push(l) },
    environment: { configPath: '/nonexistent/agentctl.json', debug: false },
    now: () => new Date('2025-01-01T00:00:00Z'),
    readStdin: async () => '',
    delay: async () => undefined,
    ...deps,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('agentctl (in process)', () => {
  it('prints its version', async () => {
    expect(await run(['version', '--client'])).toEqual({ code: 0, out: 'agentctl 0.1.0', err: '' });
    expect(await run(['--version'])).toEqual({ code: 0, out: 'agentctl 0.1.0', err: '' });
  });

  it('keeps the client version equal to package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(CLIENT_VERSION).toBe(pkg.version);
  });

  it('prints help with the settings and exit codes (exit 0)', async () => {
    const res = await run(['--help']);
    expect(res.code).toBe(0);
    expect(res.out).toContain('Usage: agentctl [options] [command]');
    expect(res.out).toContain('Exit codes: 0 ok; 1 the request failed');
    const get = await run(['get', '--help']);
    expect(get.out).toContain('Resources (with their aliases): agent (agents), agentrun (agentruns, run, runs)');
  });

  it('names an unknown command (exit 2)', async () => {
    const res = await run(['frobnicate']);
    expect(res.code).toBe(2);
    expect(res.err).toMatch(/unknown command 'frobnicate'/);
  });

  it('asks for a command when given none (exit 2)', async () => {
    const res = await run([]);
    expect(res.code).toBe(2);
    expect(res.err).toContain('Usage: agentctl');
  });

  it('never prints a stack trace, unless AGENTCTL_DEBUG asks for one', async () => {
    const boom = async () => {
      throw new TypeError('boom');
    };
    const plain = await run(['apply', '-f', '-'], { readStdin: boom });
    expect(plain).toEqual({ code: 1, out: '', err: 'error: boom' });
    const debug = await run(['apply', '-f', '-'], {
      readStdin: boom,
      environment: { configPath: '/nonexistent/agentctl.json', debug: true },
    });
    expect(debug.err).toMatch(/^error: boom\nTypeError: boom\n\s+at /);
  });
});
