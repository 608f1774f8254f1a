import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { eventually } from './eventually.js';

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface ServiceProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  logs(): string;
  /** GET on the service's HTTP port. */
  get(path: string): Promise<{ status: number; body: string }>;
  /** Sends a signal (SIGTERM by default) and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface SpawnServiceOptions {
  command: string;
  args: string[];
  env: Record<string, string | undefined>;
  httpPort: number;
  /** Path that answers 200 once the service is ready; undefined = do not wait. */
  readyPath?: string;
  readyTimeoutMs?: number;
}

/** Starts a service as a child process, captures its output, and waits for its readiness endpoint. */
export async function spawnService(o: SpawnServiceOptions): Promise<ServiceProcess> {
  let output = '';
  const child = spawn(o.command, o.args, { env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${o.httpPort}${path}`);
    return { status: res.status, body: await res.text() };
  };
  const service: ServiceProcess = {
    child,
    exited,
    logs: () => output,
    get,
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  if (o.readyPath) {
    let done = false;
    void exited.then(() => (done = true));
    await eventually(
      async () => {
        if (done) throw new Error(`${o.command} exited early:\n${output.slice(-3000)}`);
        const r = await get(o.readyPath!);
        if (r.status !== 200) throw new Error(`${o.readyPath} ${r.status}: ${r.body}`);
      },
      { timeoutMs: o.readyTimeoutMs ?? 30_000, what: `${o.args.join(' ')} to be ready` },
    ).catch(async (err: unknown) => {
      await service.kill('SIGKILL');
      throw err;
    });
  }
  return service;
}
