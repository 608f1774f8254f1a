import { KubeApiError, type StatusCause } from '@agents/kube';
import { AgentsError, fromKube, invalid, type ErrorCode } from './errors.js';

const kube = (code: number, reason: string, message: string, causes: StatusCause[] = []) =>
  new KubeApiError(code, reason, message, 'PATCH', '/apis/agents.proompteng.ai/v1alpha1/namespaces/n/agents/a', causes);

describe('invalid', () => {
  it('names the field in the message and as a violation', () => {
    const err = invalid('spec.runtime.type', 'must be one of job, workflow');
    expect(err).toBeInstanceOf(AgentsError);
    expect(err).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'spec.runtime.type: must be one of job, workflow',
      violations: [{ field: 'spec.runtime.type', message: 'must be one of job, workflow' }],
    });
  });
});

describe('fromKube', () => {
  const cases: Record<
    string,
    {
      err: KubeApiError;
      wantCode: ErrorCode;
      wantMessage: string;
      wantViolations?: { field: string; message: string }[];
    }
  > = {
    'a 422 Invalid keeps the API server message and its field causes': {
      err: kube(422, 'Invalid', 'Agent "a" is invalid: spec.providerRef: Required value', [
        { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.providerRef' },
        { reason: 'FieldValueInvalid', message: 'some rules were not checked' },
      ]),
      wantCode: 'INVALID_ARGUMENT',
      wantMessage: 'applying agent a: Agent "a" is invalid: spec.providerRef: Required value',
      wantViolations: [{ field: 'spec.providerRef', message: 'Required value' }],
    },
    'a 400 BadRequest': {
      err: kube(400, 'BadRequest', 'the body of the request was in an unknown format'),
      wantCode: 'INVALID_ARGUMENT',
      wantMessage: 'applying agent a: the body of the request was in an unknown format',
    },
    'a 413 for an object larger than the API server takes': {
      err: kube(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'),
      wantCode: 'INVALID_ARGUMENT',
      wantMessage: 'applying agent a: Request entity too large: limit is 3145728',
    },
    'a 500 of server-side apply for a manifest that does not fit the schema (one problem)': {
      err: kube(
        500,
        'Unknown',
        'failed to create typed patch object (n/a; agents.proompteng.ai/v1alpha1, Kind=Agent): .spec.bogus: field not declared in schema',
      ),
      wantCode: 'INVALID_ARGUMENT',
      wantMessage:
        'applying agent a: failed to create typed patch object (n/a; agents.proompteng.ai/v1alpha1, Kind=Agent): .spec.bogus: field not declared in schema',
      wantViolations: [{ field: 'spec.bogus', message: 'field not declared in schema' }],
    },
    'a 500 of server-side apply listing several problems': {
      err: kube(
        500,
        'Unknown',
        'failed to create typed patch object (n/a; agents.proompteng.ai/v1alpha1, Kind=Agent): errors:\n  .spec.providerRef: expected map, got &{7}\n  .spec.x: field not declared in schema',
      ),
      wantCode: 'INVALID_ARGUMENT',
      wantMessage: expect.stringContaining('errors:') as unknown as string,
      wantViolations: [
        { field: 'spec.providerRef', message: 'expected map, got &{7}' },
        { field: 'spec.x', message: 'field not declared in schema' },
      ],
    },
    'a 401 says the control plane credentials were rejected (not the caller)': {
      err: kube(401, 'Unauthorized', 'Unauthorized'),
      wantCode: 'UNAVAILABLE',
      wantMessage: "applying agent a: the control plane's Kubernetes credentials were rejected",
    },
    'a 403 Forbidden': {
      err: kube(403, 'Forbidden', 'agents.agents.proompteng.ai "a" is forbidden: namespace n is being terminated'),
      wantCode: 'PERMISSION_DENIED',
      wantMessage: 'applying agent a: agents.agents.proompteng.ai "a" is forbidden: namespace n is being terminated',
    },
    'a 404 NotFound': {
      err: kube(404, 'NotFound', 'namespaces "n" not found'),
      wantCode: 'NOT_FOUND',
      wantMessage: 'applying agent a: not found',
    },
    'a 409 AlreadyExists': {
      err: kube(409, 'AlreadyExists', 'agents.agents.proompteng.ai "a" already exists'),
      wantCode: 'ALREADY_EXISTS',
      wantMessage: 'applying agent a: agents.agents.proompteng.ai "a" already exists',
    },
    'a 409 Conflict (a stale resourceVersion)': {
      err: kube(409, 'Conflict', 'the object has been modified; please apply your changes to the latest version'),
      wantCode: 'ABORTED',
      wantMessage: 'applying agent a: the object has been modified; please apply your changes to the latest version',
    },
    'any other 5xx is the API server being unavailable': {
      err: kube(503, 'ServiceUnavailable', 'etcd is down'),
      wantCode: 'UNAVAILABLE',
      wantMessage: 'applying agent a: etcd is down',
    },
    'a 500 that is not about the manifest stays UNAVAILABLE': {
      err: kube(500, 'InternalError', 'etcdserver: request timed out'),
      wantCode: 'UNAVAILABLE',
      wantMessage: 'applying agent a: etcdserver: request timed out',
    },
    'any other 4xx is INTERNAL (our request was wrong, not the caller)': {
      err: kube(405, 'MethodNotAllowed', 'the server does not allow this method'),
      wantCode: 'INTERNAL',
      wantMessage: 'applying agent a: the server does not allow this method',
    },
  };

  it.each(Object.entries(cases))('%s', (_case, { err, wantCode, wantMessage, wantViolations }) => {
    const mapped = fromKube(err, 'applying agent a');
    expect(mapped).toBeInstanceOf(AgentsError);
    expect(mapped.code).toBe(wantCode);
    expect(mapped.message).toEqual(wantMessage);
    expect(mapped.violations).toEqual(wantViolations ?? []);
    expect(mapped.cause).toBe(err);
  });

  it('passes an AgentsError through unchanged', () => {
    const err = new AgentsError('NOT_FOUND', 'agent a not found');
    expect(fromKube(err, 'reading agent a')).toBe(err);
  });

  it.each([
    ['a network error', new Error('connect ECONNREFUSED 127.0.0.1:6443'), 'connect ECONNREFUSED 127.0.0.1:6443'],
    ['a thrown string', 'socket hang up', 'socket hang up'],
  ])('makes %s UNAVAILABLE: the Kubernetes API is unreachable', (_case, err, detail) => {
    const mapped = fromKube(err, 'listing agents in n');
    expect(mapped).toMatchObject({
      code: 'UNAVAILABLE',
      message: `listing agents in n: the Kubernetes API is unreachable: ${detail}`,
    });
    expect(mapped.cause).toBe(err);
  });
});
