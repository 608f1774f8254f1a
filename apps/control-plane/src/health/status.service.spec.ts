import { jest } from '@jest/globals';
import type { KubeApi } from '@agents/kube';
import type { Kysely } from 'kysely';
import type { ControlPlaneConfig } from '../config/control-plane.config.js';
import type { Database } from '../database/schema.js';
import type { RunHistoryRecorder } from '../runs/run-history.recorder.js';
import { StatusService } from './status.service.js';

interface Case {
  name: string;
  grpcEnabled: boolean;
  grpcListening: boolean;
  missingCrds?: string[];
  dbDown?: boolean;
  synced?: boolean;
  want: string[];
}

function service(c: Case): StatusService {
  const config = { grpc: { enabled: c.grpcEnabled, host: '0.0.0.0', port: 50051, token: undefined } };
  const recorder = { runs: { hasSynced: c.synced ?? true } };
  const s = new StatusService(
    {} as KubeApi,
    {} as Kysely<Database>,
    config as unknown as ControlPlaneConfig,
    undefined,
    recorder as unknown as RunHistoryRecorder,
  );
  s.grpcListening = c.grpcListening;
  s.missingCrds = c.missingCrds ?? [];
  jest
    .spyOn(s, 'database')
    .mockResolvedValue(
      c.dbDown
        ? { connected: false, latencyMs: 1, message: 'connect ECONNREFUSED 127.0.0.1:5432' }
        : { connected: true, latencyMs: 1, message: '' },
    );
  return s;
}

describe('StatusService.notReady', () => {
  const cases: Case[] = [
    { name: 'everything up and gRPC listening: ready', grpcEnabled: true, grpcListening: true, want: [] },
    {
      name: 'HTTP is up but gRPC is not bound yet: a client would be refused, so not ready',
      grpcEnabled: true,
      grpcListening: false,
      want: ['gRPC server not listening yet'],
    },
    {
      name: 'gRPC disabled: nothing to wait for',
      grpcEnabled: false,
      grpcListening: false,
      want: [],
    },
    {
      name: 'Postgres down and the run cache not synced: both reasons, in that order',
      grpcEnabled: true,
      grpcListening: true,
      dbDown: true,
      synced: false,
      want: ['postgres unreachable: connect ECONNREFUSED 127.0.0.1:5432', 'AgentRun cache not synced yet'],
    },
  ];
  it.each(cases)('$name', async (c) => {
    await expect(service(c).notReady()).resolves.toEqual(c.want);
  });

  it('names the missing CRDs and how to install them', async () => {
    const reasons = await service({
      name: '',
      grpcEnabled: true,
      grpcListening: false,
      missingCrds: ['agentruns.agents.proompteng.ai'],
      want: [],
    }).notReady();
    expect(reasons).toHaveLength(2);
    expect(reasons[0]).toContain('agentruns.agents.proompteng.ai');
    expect(reasons[1]).toBe('gRPC server not listening yet');
  });
});
