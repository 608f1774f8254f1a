import { ApiException, ApiextensionsV1Api, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import { eventually } from '@agents/testing';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
export const CRD_DIR = path.join(REPO_ROOT, 'charts/agents/crds');
export const EXAMPLES_DIR = path.join(REPO_ROOT, 'charts/agents/examples');

export function committedCrds(): KubernetesObject[] {
  return readdirSync(CRD_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => parse(readFileSync(path.join(CRD_DIR, f), 'utf8')) as KubernetesObject);
}

export interface Example {
  file: string;
  object: KubernetesObject & { spec?: unknown };
}

export function examples(): Example[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')).map((d) => ({
        file,
        object: d.toJS() as Example['object'],
      })),
    );
}

/**
 * Server-side applies every generated CRD, as a user would (`kubectl apply --server-side`), and waits until the API
 * server serves them. (client-node's typed serializer would drop the `x-kubernetes-*` keys of a CRD schema.)
 */
export async function installCrds(kc: KubeConfig): Promise<void> {
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const crds = committedCrds();
  execFileSync(
    'kubectl',
    ['apply', '--server-side', '--field-manager=agents-tests', '--force-conflicts', '-f', CRD_DIR],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  for (const crd of crds) {
    await eventually(
      async () => {
        const live = await ext.readCustomResourceDefinition({ name: crd.metadata!.name! });
        const established = live.status?.conditions?.find((c) => c.type === 'Established')?.status;
        if (established !== 'True') throw new Error(`${crd.metadata!.name} not Established`);
      },
      { what: `CRD ${crd.metadata!.name} to be Established` },
    );
  }
}

export interface StatusCause {
  field?: string;
  message?: string;
  reason?: string;
}

/** Reads the Status of a rejected request: code, message and field causes. */
export function rejection(err: unknown): { code: number; message: string; causes: StatusCause[] } {
  if (!(err instanceof ApiException)) throw err;
  const body = (typeof err.body === 'string' ? JSON.parse(err.body) : err.body) as {
    message?: string;
    details?: { causes?: StatusCause[] };
  };
  return { code: err.code, message: body.message ?? '', causes: body.details?.causes ?? [] };
}
