// Writes the generated files of libs/api: charts/agents/crds/<group>_<plural>.yaml for every kind.
// Usage: node dist/gen/main.js <crd-dir>
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFINITIONS } from '../definitions.js';
import { renderCrdFiles } from './crd.js';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: gen <crd-dir>');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
const files = renderCrdFiles(DEFINITIONS);
const wanted = new Set(files.map((f) => f.name));
for (const existing of readdirSync(dir)) {
  if (existing.endsWith('.yaml') && !wanted.has(existing)) rmSync(path.join(dir, existing));
}
for (const f of files) writeFileSync(path.join(dir, f.name), f.content);
console.log(`wrote ${files.length} CRDs to ${dir}`);
