import { Metadata } from '@grpc/grpc-js';
import type { ExecutionContext } from '@nestjs/common';
import type { ControlPlaneConfig } from '../config/control-plane.config.js';
import { GrpcAuthGuard } from './grpc-auth.guard.js';

const guard = (token: string | undefined) =>
  new GrpcAuthGuard({ grpc: { enabled: true, host: '127.0.0.1', port: 1, token } } as ControlPlaneConfig);

function call(headers: Record<string, string>): ExecutionContext {
  const md = new Metadata();
  for (const [k, v] of Object.entries(headers)) md.set(k, v);
  return { switchToRpc: () => ({ getContext: () => md }) } as unknown as ExecutionContext;
}

describe('GrpcAuthGuard', () => {
  it('lets every call through when no token is configured', () => {
    expect(guard(undefined).canActivate(call({}))).toBe(true);
    expect(guard(undefined).canActivate(call({ authorization: 'Bearer whatever' }))).toBe(true);
  });

  it.each<[string, Record<string, string>]>([
    ['a bearer token', { authorization: 'Bearer s3cret' }],
    ['a bearer token, scheme in any case and padded', { authorization: 'bearer   s3cret ' }],
    ['x-agents-token', { 'x-agents-token': 's3cret' }],
  ])('accepts the configured token as %s', (_case, headers) => {
    expect(guard('s3cret').canActivate(call(headers))).toBe(true);
  });

  it.each<[string, Record<string, string>, string]>([
    ['no credentials', {}, 'missing credentials: send authorization: Bearer <token> (agentctl --token)'],
    ['an empty bearer token', { authorization: 'Bearer ' }, 'missing credentials'],
    ['another scheme', { authorization: 'Basic czNjcmV0' }, 'missing credentials'],
    ['a wrong token', { authorization: 'Bearer s3cre7' }, 'invalid token'],
    ['a longer token', { authorization: 'Bearer s3cret-and-more' }, 'invalid token'],
    ['a prefix of the token', { 'x-agents-token': 's3c' }, 'invalid token'],
  ])('refuses %s as UNAUTHENTICATED', (_case, headers, message) => {
    expect(() => guard('s3cret').canActivate(call(headers))).toThrow(
      expect.objectContaining({ code: 'UNAUTHENTICATED', message: expect.stringContaining(message) }),
    );
  });
});
