// A throw-away OCI registry on 127.0.0.1: Debian's docker-registry (distribution 2.x) with a temporary storage
// directory, started by the test itself (no systemd) and stopped by PID.
import { eventually } from '@agents/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REGISTRY_BINARY = process.env.AGENTS_DOCKER_REGISTRY ?? '/usr/bin/docker-registry';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export class LocalRegistry {
  private constructor(
    readonly host: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
    private readonly output: Buffer[],
  ) {}

  /** `oci://127.0.0.1:<port>/<path>` */
  oci(repoPath: string): string {
    return `oci://${this.host}/${repoPath}`;
  }

  static async start(): Promise<LocalRegistry> {
    if (!existsSync(REGISTRY_BINARY)) {
      throw new Error(
        `${REGISTRY_BINARY} not found: install Debian's registry (apt-get install -y docker-registry) or set AGENTS_DOCKER_REGISTRY`,
      );
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'agents-registry-'));
    const port = await freePort();
    const config = path.join(dir, 'config.yml');
    writeFileSync(
      config,
      [
        'version: 0.1',
        'log:',
        '  level: warn',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${path.join(dir, 'data')}`,
        '  delete:',
        '    enabled: true',
        'http:',
        `  addr: 127.0.0.1:${port}`,
        '',
      ].join('\n'),
    );
    const child = spawn(REGISTRY_BINARY, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    const log: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => log.push(b));
    child.stderr?.on('data', (b: Buffer) => log.push(b));
    const registry = new LocalRegistry(`127.0.0.1:${port}`, child, dir, log);
    try {
      await eventually(
        async () => {
          if (child.exitCode !== null) throw new Error(`docker-registry exited: ${Buffer.concat(log).toString()}`);
          const res = await fetch(`http://127.0.0.1:${port}/v2/`);
          if (res.status !== 200) throw new Error(`GET /v2/ answered ${res.status}`);
        },
        { what: `docker-registry on 127.0.0.1:${port}`, timeoutMs: 20_000 },
      );
    } catch (err) {
      await registry.stop();
      throw err;
    }
    return registry;
  }

  /** Stops the registry this object started and removes its storage. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The registry's output so far (for failure messages). */
  log(): string {
    return Buffer.concat(this.output).toString();
  }
}
