import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import { HealthModule } from './health.module.js';
import { ReadinessService } from './readiness.service.js';

describe('health endpoints', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [HealthModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers liveness', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('reports readiness reasons with 503 until they clear', async () => {
    const readiness = app.get(ReadinessService);
    readiness.set('crds', 'missing CRDs: agentruns.agents.proompteng.ai');
    let res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: 'not-ready',
      reasons: ['crds: missing CRDs: agentruns.agents.proompteng.ai'],
    });
    readiness.set('crds', undefined);
    res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
  });

  it('reports a degradation with 200 (still ready), and both when also not ready', async () => {
    const readiness = app.get(ReadinessService);
    readiness.degrade('agentrun-ingestion', 'agentrun_ingestion_not_ready: AgentRuns untouched for over 120s in a');
    let res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'degraded',
      reasons: [],
      degraded: ['agentrun-ingestion: agentrun_ingestion_not_ready: AgentRuns untouched for over 120s in a'],
    });
    readiness.set('caches', 'informer caches are syncing');
    res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'not-ready', degraded: [expect.any(String)] });
    readiness.set('caches', undefined);
    readiness.degrade('agentrun-ingestion', undefined);
    res = await fetch(`${base}/readyz`);
    expect(await res.json()).toEqual({ status: 'ok', reasons: [] });
  });
});
