// files/rbac-rules.yaml, the single source of the chart's RBAC, read the way the templates read it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CHART_DIR } from './chart.js';

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export type Section = 'namespaced' | 'leaderElection' | 'cluster' | 'allNamespaces';
export type RulesKey = 'controlPlane' | 'controllers';
export type RulesFile = Record<RulesKey, Record<Section, PolicyRule[]>>;

export const RULES_FILE = path.join(CHART_DIR, 'files/rbac-rules.yaml');

export function rulesFile(): RulesFile {
  return parse(readFileSync(RULES_FILE, 'utf8')) as RulesFile;
}

/** `group|resource|verb` for every combination a rule grants (`''` is the core group). */
export function permissions(rules: readonly PolicyRule[]): string[] {
  const out = new Set<string>();
  for (const r of rules) {
    for (const g of r.apiGroups ?? []) {
      for (const res of r.resources ?? []) {
        for (const v of r.verbs) out.add(`${g}|${res}|${v}`);
      }
    }
  }
  return [...out].sort();
}

/** One permission as a SubjectAccessReview resourceAttributes. */
export function attributes(permission: string, namespace?: string) {
  const [group = '', resourceAndSub = '', verb = ''] = permission.split('|');
  const [resource = '', subresource] = resourceAndSub.split('/');
  return { group, resource, subresource, verb, namespace };
}
