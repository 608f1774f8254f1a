import path from 'node:path';
import { CHART_DIR, ciValuesFiles, helm } from '../src/chart.js';

const KUBE_VERSION = '1.35.0';

function lint(...args: string[]) {
  const res = helm(['lint', '--strict', '--kube-version', KUBE_VERSION, CHART_DIR, ...args]);
  return { status: res.status, out: res.stdout + res.stderr };
}

describe('helm lint --strict', () => {
  it('passes with the default values', () => {
    expect(lint()).toEqual({ status: 0, out: expect.stringContaining('1 chart(s) linted, 0 chart(s) failed') });
  });

  it('has values files under ci/ to lint', () => {
    expect(ciValuesFiles().length).toBeGreaterThanOrEqual(5);
  });

  it.each(ciValuesFiles().map((f) => [path.basename(f), f]))('passes with ci/%s', (_name, file) => {
    expect(lint('-f', file)).toEqual({ status: 0, out: expect.stringContaining('0 chart(s) failed') });
  });

  it('fails on values the schema rejects, naming the value', () => {
    const res = lint('--set', 'grpc.serviceType=LoadBalancer');
    expect(res.status).not.toBe(0);
    expect(res.out).toMatch(/\/grpc\/serviceType/);
  });
});
