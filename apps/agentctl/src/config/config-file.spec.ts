import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readConfigFile, updateConfigFile } from './config-file.js';

describe('config file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'agentctl-cfg-'));
  });
  const file = (name: string) => path.join(dir, name);

  it('is empty when missing', async () => {
    expect(await readConfigFile(file('missing.json'))).toEqual({ exists: false, config: {} });
  });

  it('reads server (or the older address), namespace and token, trimmed', async () => {
    await writeFile(file('a.json'), JSON.stringify({ address: ' old:1 ', namespace: 'ns', token: 't', other: 1 }));
    expect(await readConfigFile(file('a.json'))).toEqual({
      exists: true,
      config: { server: 'old:1', namespace: 'ns', token: 't' },
    });
    await writeFile(file('b.json'), JSON.stringify({ server: 'new:2', address: 'old:1' }));
    expect((await readConfigFile(file('b.json'))).config).toEqual({ server: 'new:2' });
  });

  it.each([
    ['{"server":', 'is not valid JSON'],
    ['[1]', 'must hold a JSON object'],
    ['{"namespace": 3}', '"namespace" must be a string, got 3'],
  ])('names the problem in %j', async (text, message) => {
    await writeFile(file('bad.json'), text);
    await expect(readConfigFile(file('bad.json'))).rejects.toThrow(message);
  });

  it('updates keys, removes empty ones, keeps unknown keys, and is private to its owner', async () => {
    const f = path.join(dir, 'nested', 'dir', 'config.json');
    await updateConfigFile(f, { server: 'a:1', namespace: 'n', token: 't' });
    await updateConfigFile(f, { token: '' });
    const raw = JSON.parse(await readFile(f, 'utf8'));
    expect(raw).toEqual({ server: 'a:1', namespace: 'n' });
    expect((await stat(f)).mode & 0o777).toBe(0o600);
    await writeFile(f, JSON.stringify({ address: 'old:1', keep: true }));
    await updateConfigFile(f, { server: 'new:2' });
    expect(JSON.parse(await readFile(f, 'utf8'))).toEqual({ keep: true, server: 'new:2' });
  });
});
