import type { K8sObject } from './helm';

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: unknown) => Validatable;

/** Module of kubernetes-models (or the prometheus-operator models) for an apiVersion. */
function modelModule(apiVersion: string): string {
  if (apiVersion === 'v1') return 'kubernetes-models/v1';
  if (apiVersion.startsWith('monitoring.coreos.com/')) return `@kubernetes-models/prometheus-operator/${apiVersion}`;
  return `kubernetes-models/${apiVersion}`;
}

/**
 * Checks one rendered object against the OpenAPI schema of its kind (kubernetes-models /
 * @kubernetes-models/prometheus-operator). Returns the problems found ([] when valid).
 */
export async function validateObject(o: K8sObject): Promise<string[]> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(modelModule(o.apiVersion))) as Record<string, unknown>;
  } catch {
    return [`no schema for apiVersion ${o.apiVersion}`];
  }
  const Model = mod[o.kind] as ModelClass | undefined;
  if (typeof Model !== 'function') return [`no schema for ${o.apiVersion} ${o.kind}`];
  try {
    new Model(o).validate();
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}
