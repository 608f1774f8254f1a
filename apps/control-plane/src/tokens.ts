/** Injection tokens of the values that are not classes. */
export const DATABASE = Symbol('Database');
export const PG_POOL = Symbol('PgPool');
export const KUBE_API = Symbol('KubeApi');
