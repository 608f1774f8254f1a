import { mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writePlannedFiles } from './workspace.files.js';

describe('writePlannedFiles', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'runner-files-'));

  it('leaves a read-only file that already holds the content (a mounted input file) and rewrites one that differs', async () => {
    const mounted = path.join(dir, 'mounted.toml');
    writeFileSync(mounted, 'a = 1');
    const longAgo = new Date('2020-01-01T00:00:00Z');
    utimesSync(mounted, longAgo, longAgo);
    await writePlannedFiles([{ path: mounted, content: 'a = 1', what: 'input file adapter.exec.inputFiles[0]' }]);
    expect(statSync(mounted).mtime).toEqual(longAgo);
    await writePlannedFiles([{ path: mounted, content: 'a = 2', what: 'input file adapter.exec.inputFiles[0]' }]);
    expect(readFileSync(mounted, 'utf8')).toBe('a = 2');
  });

  it('writes new files, creating their directories', async () => {
    const file = path.join(dir, 'deep/er/task.md');
    await writePlannedFiles([{ path: file, content: 'Do it', what: 'prompt' }]);
    expect(readFileSync(file, 'utf8')).toBe('Do it');
  });

  it('names the file when it cannot write it', async () => {
    const notADir = path.join(dir, 'plain.txt');
    writeFileSync(notADir, 'old');
    const write = writePlannedFiles([{ path: path.join(notADir, 'child'), content: 'new', what: 'prompt' }]);
    await expect(write).rejects.toThrow(`cannot write the prompt ${path.join(notADir, 'child')}`);
  });
});
