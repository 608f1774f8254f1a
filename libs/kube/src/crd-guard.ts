import { isForbidden } from './errors.js';
import type { KubeApi } from './kube-api.js';
import { BUILTIN } from './resource.js';

export interface CrdGuardResult {
  missing: string[];
  crossplane: string[];
  forbidden: boolean;
}

interface Crd {
  metadata: {
    name: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string }[];
  };
}

const isCrossplaneManaged = (crd: Crd) =>
  (crd.metadata.ownerReferences ?? []).some((r) => r.apiVersion.includes('crossplane.io')) ||
  Object.keys({ ...crd.metadata.labels, ...crd.metadata.annotations }).some((k) => k.includes('crossplane.io'));

/**
 * Checks that the CRDs a process needs exist and are ours: a definition owned or marked by Crossplane (an owner
 * reference to a crossplane.io kind, or a crossplane.io label or annotation) is refused, since Crossplane would fight
 * the chart over it.
 */
export async function checkCrds(api: KubeApi, names: readonly string[]): Promise<CrdGuardResult> {
  const result: CrdGuardResult = { missing: [], crossplane: [], forbidden: false };
  for (const name of names) {
    try {
      const crd = await api.get<Crd>(BUILTIN.customResourceDefinition, undefined, name);
      if (!crd) result.missing.push(name);
      else if (isCrossplaneManaged(crd)) result.crossplane.push(name);
    } catch (err) {
      if (!isForbidden(err)) throw err;
      result.forbidden = true;
      result.missing.push(name);
    }
  }
  return result;
}

/** The message an operator reads when the guard fails: what is wrong and the command that fixes it. */
export function crdGuardMessage(r: CrdGuardResult): string | undefined {
  const parts: string[] = [];
  if (r.forbidden) {
    parts.push(
      'cannot read CustomResourceDefinitions (forbidden): the chart grants get/list on them; check the ServiceAccount and RBAC',
    );
  } else if (r.missing.length) {
    parts.push(
      `missing CRDs: ${r.missing.join(', ')}. Install them with "kubectl apply --server-side -f charts/agents/crds/" ` +
        '(or install/upgrade the agents Helm chart, which ships them)',
    );
  }
  if (r.crossplane.length) {
    parts.push(
      `CRDs managed by Crossplane: ${r.crossplane.join(', ')}. Agents does not run on Crossplane-managed definitions of ` +
        'its CRDs: remove them as the README\'s "Uninstalling a Crossplane-based install" explains, then install the chart',
    );
  }
  return parts.length ? parts.join('; ') : undefined;
}
