import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadClusterAccess, parseKubeconfig } from './kubeconfig.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const kubeconfig = (user: string) => `
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: local
  cluster: {server: "https://127.0.0.1:6443", certificate-authority-data: "${b64('CA')}"}
users:
- name: me
  user: ${user}
contexts:
- name: dev
  context: {cluster: local, user: me, namespace: agents}
`;

describe('parseKubeconfig', () => {
  it('reads the current context: server, CA, client certificate and namespace', () => {
    const a = parseKubeconfig(
      kubeconfig(`{client-certificate-data: "${b64('CERT')}", client-key-data: "${b64('KEY')}"}`),
      '/x',
      'test',
    );
    expect([a.server, a.ca?.toString(), a.cert?.toString(), a.key?.toString(), a.namespace]).toEqual([
      'https://127.0.0.1:6443',
      'CA',
      'CERT',
      'KEY',
      'agents',
    ]);
  });

  it('reads a token, and resolves a token file against the kubeconfig directory', () => {
    expect(parseKubeconfig(kubeconfig('{token: abc}'), '/x', 'test').token).toBe('abc');
    expect(parseKubeconfig(kubeconfig('{tokenFile: tok}'), '/etc/kc', 'test').tokenFile).toBe('/etc/kc/tok');
  });

  it('refuses exec plugins with a clear message', () => {
    expect(() => parseKubeconfig(kubeconfig('{exec: {command: aws}}'), '/x', 'kubeconfig /k')).toThrow(
      /kubeconfig \/k: user "me" uses an exec or auth-provider plugin/,
    );
  });

  it('names a current context that does not exist', () => {
    expect(() => parseKubeconfig('current-context: nope\ncontexts: []\n', '/x', 'kc')).toThrow(
      /kc: current-context "nope" is not among its contexts/,
    );
  });
});

describe('loadClusterAccess', () => {
  it('takes the first file of KUBECONFIG', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kc-'));
    writeFileSync(path.join(dir, 'config'), kubeconfig('{token: t}'));
    expect(loadClusterAccess({ KUBECONFIG: `${path.join(dir, 'config')}:/other` }).token).toBe('t');
  });
});
