import type { KindInfo, OwnerReference } from '@agents/api';

export interface OwnerLike {
  metadata: { name?: string; uid?: string };
}

/** The controller ownerReference of a child: garbage collection deletes the child with its owner. */
export function controllerRef(owner: OwnerLike, info: Pick<KindInfo, 'apiVersion' | 'kind'>): OwnerReference {
  const { name, uid } = owner.metadata;
  if (!name || !uid)
    throw new Error(`cannot own a child without the owner's name and uid (${info.kind} ${name ?? '?'})`);
  return { apiVersion: info.apiVersion, kind: info.kind, name, uid, controller: true, blockOwnerDeletion: true };
}

/** Whether `child` is controlled by the object with `uid`. */
export function isControlledBy(
  child: { metadata?: { ownerReferences?: OwnerReference[] } },
  uid: string | undefined,
): boolean {
  return !!uid && (child.metadata?.ownerReferences ?? []).some((r) => r.controller && r.uid === uid);
}
