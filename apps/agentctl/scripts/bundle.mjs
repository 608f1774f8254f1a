// Bundles agentctl into one CommonJS file with every dependency inside (dist/agentctl.cjs): the npm package's bin
// and the main script of the single executable application.
import { build } from 'esbuild';
import { chmod } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.join(root, 'dist', 'agentctl.cjs');

const result = await build({
  entryPoints: [path.join(root, 'src', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node24',
  // Keep the entry's `#!/usr/bin/env node`; no source map: the file is shipped alone.
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});
await chmod(outfile, 0o755);
const bytes = result.metafile.outputs[path.relative(process.cwd(), outfile)]?.bytes;
console.log(`bundled ${path.relative(root, outfile)}${bytes ? ` (${Math.round(bytes / 1024)} KiB)` : ''}`);
