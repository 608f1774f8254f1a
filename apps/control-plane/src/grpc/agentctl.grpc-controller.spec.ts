import 'reflect-metadata';
import { jest } from '@jest/globals';
import { ALL_KINDS, type AgentRun } from '@agents/api';
import { AgentctlServiceClient } from '@agents/proto/client';
import { AGENTCTL_SERVICE_NAME } from '@agents/proto/nest';
import { PATTERN_METADATA } from '@nestjs/microservices/constants.js';
import type { ControlPlaneConfig } from '../config/control-plane.config.js';
import type { StatusService } from '../health/status.service.js';
import type { ResourcesService } from '../kube/resources.service.js';
import type { AgentRunsService } from '../runs/agent-runs.service.js';
import type { AuditTrail } from '../runs/audit-trail.js';
import type { RunHistoryRepository } from '../runs/run-history.repository.js';
import { AgentctlGrpcController, RPC_PLURALS } from './agentctl.grpc-controller.js';

/** Every RPC of the service as the generated client knows it (from proto/…/agentctl.proto), by method name. */
const RPCS = Object.entries(AgentctlServiceClient.service).map(([method, def]) => ({
  method,
  rpc: def.path.split('/').pop()!,
  streaming: def.responseStream,
}));

const handlers = AgentctlGrpcController.prototype as unknown as Record<string, unknown>;

describe('AgentctlGrpcController covers the proto', () => {
  it('the proto has the RPCs the spec lists: 2 server calls, 4 per kind, 5 for runs and specs', () => {
    expect(RPCS).toHaveLength(2 + 4 * ALL_KINDS.length + 5);
  });

  it.each(RPCS)('$rpc has a handler registered as a gRPC method of AgentctlService', ({ method }) => {
    const handler = handlers[method];
    expect(typeof handler).toBe('function');
    expect(Reflect.getMetadata(PATTERN_METADATA, handler as object)).toEqual([
      expect.objectContaining({ service: AGENTCTL_SERVICE_NAME, rpc: method }),
    ]);
  });

  it('registers no gRPC method the proto does not have', () => {
    const registered = Object.getOwnPropertyNames(handlers).filter(
      (name) => typeof handlers[name] === 'function' && Reflect.getMetadata(PATTERN_METADATA, handlers[name] as object),
    );
    expect(registered.sort()).toEqual(RPCS.map((r) => r.method).sort());
  });

  it('names every kind with the plural of its RPCs', () => {
    expect(Object.keys(RPC_PLURALS).sort()).toEqual(ALL_KINDS.map((k) => k.kind).sort());
    for (const [kind, plural] of Object.entries(RPC_PLURALS)) {
      expect(RPCS.map((r) => r.rpc)).toEqual(
        expect.arrayContaining([`List${plural}`, `Get${kind}`, `Apply${kind}`, `Delete${kind}`]),
      );
    }
  });

  it('gives the generated CRUD handlers their RPC names (metrics label calls by handler name)', () => {
    expect((handlers.listMemories as { name: string }).name).toBe('listMemories');
    expect((handlers.applyAgentRun as { name: string }).name).toBe('applyAgentRun');
  });
});

describe('AgentctlGrpcController handlers', () => {
  const run = { metadata: { name: 'r1', namespace: 'team', uid: 'u1' }, spec: {} } as unknown as AgentRun;

  function controller() {
    const audit = { record: jest.fn(async (_event: Record<string, unknown>) => undefined) };
    const resources = {
      list: jest.fn(async (kind: string) => ({ apiVersion: 'v1', kind: 'List', items: [{ kind }] })),
      get: jest.fn(async (kind: string, _ns: string, name: string) => ({ kind, metadata: { name } })),
      apply: jest.fn(async (kind: string, ns: string) => ({ kind, metadata: { name: 'x', namespace: ns } })),
      delete: jest.fn(async () => ({ ok: true, message: 'deleted', json: '{}' })),
    };
    const runs = {
      submit: jest.fn(async () => ({ run, idempotent: false })),
      list: jest.fn(async () => [
        { metadata: { name: 'a' }, spec: { runtime: { type: 'job' } }, status: { phase: 'Running' } },
        { metadata: { name: 'b' }, spec: { runtime: { type: 'workflow' } }, status: { phase: 'Failed' } },
      ]),
    };
    const history = { recordJson: jest.fn(async () => '{"uid":"u1"}') };
    const config = { build: { version: '1.2.3', commit: 'abc', time: 'then' } } as unknown as ControlPlaneConfig;
    const c = new AgentctlGrpcController(
      resources as unknown as ResourcesService,
      runs as unknown as AgentRunsService,
      history as unknown as RunHistoryRepository,
      audit as unknown as AuditTrail,
      {} as StatusService,
      config,
    );
    return { c, audit, resources, runs, history };
  }
  const call = (c: AgentctlGrpcController, method: string, req: unknown) =>
    (handlers[method] as (this: AgentctlGrpcController, r: unknown) => Promise<unknown>).call(c, req);

  it('GetServerInfo answers the build identity', () => {
    expect(controller().c.getServerInfo()).toEqual({
      version: '1.2.3',
      buildSha: 'abc',
      buildTime: 'then',
      service: 'agents-control-plane',
    });
  });

  it('routes each kind to its own resources (List/Get/Apply/Delete of Memory)', async () => {
    const { c, resources } = controller();
    await call(c, 'listMemories', { namespace: 'team', labelSelector: 'a=b' });
    await call(c, 'getMemory', { namespace: 'team', name: 'm' });
    await call(c, 'applyMemory', { namespace: 'team', manifestYaml: 'x', dryRun: true });
    await call(c, 'deleteMemory', { namespace: 'team', name: 'm' });
    expect(resources.list).toHaveBeenCalledWith('Memory', 'team', 'a=b');
    expect(resources.get).toHaveBeenCalledWith('Memory', 'team', 'm');
    expect(resources.apply).toHaveBeenCalledWith('Memory', 'team', 'x', true);
    expect(resources.delete).toHaveBeenCalledWith('Memory', 'team', 'm');
  });

  it('audits an apply and a delete, never a dry run', async () => {
    const { c, audit } = controller();
    await call(c, 'applyBudget', { namespace: 'team', manifestYaml: 'x', dryRun: true });
    expect(audit.record).not.toHaveBeenCalled();
    await call(c, 'applyBudget', { namespace: 'team', manifestYaml: 'x', dryRun: false });
    await call(c, 'deleteBudget', { namespace: 'team', name: 'b' });
    expect(audit.record.mock.calls.map(([e]) => e)).toEqual([
      expect.objectContaining({ actor: 'agentctl', action: 'apply', kind: 'Budget', namespace: 'team', name: 'x' }),
      expect.objectContaining({ action: 'delete', kind: 'Budget', name: 'b' }),
    ]);
  });

  it('SubmitAgentRun answers the run and its record, and audits only a new run', async () => {
    const { c, audit, runs } = controller();
    const req = { namespace: 'team', agentName: 'a', idempotencyKey: 'k', workload: undefined };
    expect(await call(c, 'submitAgentRun', req)).toEqual({
      resourceJson: JSON.stringify(run),
      recordJson: '{"uid":"u1"}',
      idempotent: false,
    });
    expect(audit.record).toHaveBeenCalledTimes(1);
    runs.submit.mockResolvedValueOnce({ run, idempotent: true });
    expect(await call(c, 'submitAgentRun', req)).toMatchObject({ idempotent: true });
    expect(audit.record).toHaveBeenCalledTimes(1);
  });

  it('SubmitAgentRun still answers when the run record cannot be read', async () => {
    const { c, history } = controller();
    history.recordJson.mockRejectedValueOnce(new Error('db down'));
    expect(await call(c, 'submitAgentRun', { namespace: 'team', agentName: 'a' })).toMatchObject({ recordJson: '' });
  });

  it('ListAgentRuns filters by phase and runtime', async () => {
    const { c } = controller();
    const names = async (phase: string, runtime: string) =>
      (
        JSON.parse(
          ((await call(c, 'listAgentRuns', { namespace: 'team', phase, runtime })) as { json: string }).json,
        ) as {
          items: { metadata: { name: string } }[];
        }
      ).items.map((r) => r.metadata.name);
    expect(await names('', '')).toEqual(['a', 'b']);
    expect(await names('Failed', '')).toEqual(['b']);
    expect(await names('', 'job')).toEqual(['a']);
    expect(await names('Running', 'workflow')).toEqual([]);
  });

  it('CreateImplementationSpec refuses blank text before calling the API', async () => {
    const { c, resources } = controller();
    await expect(
      c.createImplementationSpec({ namespace: 'team', name: '', text: ' \n', summary: '' } as never),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      violations: [{ field: 'text', message: expect.stringContaining('is required') }],
    });
    expect(resources.get).not.toHaveBeenCalled();
  });
});
