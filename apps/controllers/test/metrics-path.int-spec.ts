import { TestNamespace, testKubeConfig } from '@agents/testing';
import { startControllers } from './harness.js';

// The chart's metrics.enabled and metrics.path (JANGAR_PROMETHEUS_METRICS_ENABLED/_PATH): the ServiceMonitor scrapes
// the configured path, so the controllers must serve their metrics there, and nowhere when metrics are off.
let ns: TestNamespace;

beforeAll(async () => {
  ns = await TestNamespace.create(testKubeConfig(), 'ctl-metrics');
});
afterAll(async () => {
  await ns.delete();
});

it('serves the metrics at JANGAR_PROMETHEUS_METRICS_PATH only', async () => {
  const proc = await startControllers({
    namespaces: [ns.name],
    env: { JANGAR_PROMETHEUS_METRICS_PATH: '/internal/prometheus' },
  });
  try {
    const custom = await proc.get('/internal/prometheus');
    expect(custom.status).toBe(200);
    expect(custom.body).toMatch(/^agents_leader_election_is_leader [01]$/m);
    expect((await proc.get('/metrics')).status).toBe(404);
  } finally {
    await proc.kill();
  }
}, 60_000);

it('serves no metrics with JANGAR_PROMETHEUS_METRICS_ENABLED=false, and stays healthy', async () => {
  const proc = await startControllers({ namespaces: [ns.name], env: { JANGAR_PROMETHEUS_METRICS_ENABLED: 'false' } });
  try {
    expect((await proc.get('/metrics')).status).toBe(404);
    expect((await proc.get('/healthz')).status).toBe(200);
  } finally {
    await proc.kill();
  }
}, 60_000);
