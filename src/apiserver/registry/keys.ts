/**
 * Storage keys, as upstream lays them out in etcd:
 *   core group:   /registry/<resource>/[<namespace>/]<name>
 *   other groups: /registry/<group>/<resource>/[<namespace>/]<name>
 */
export interface StorageResource {
  group: string;
  resource: string;
}

export function resourcePrefix(sr: StorageResource): string {
  return sr.group === '' ? `/registry/${sr.resource}/` : `/registry/${sr.group}/${sr.resource}/`;
}

export function objectKey(sr: StorageResource, namespace: string, name: string): string {
  return namespace ? `${resourcePrefix(sr)}${namespace}/${name}` : `${resourcePrefix(sr)}${name}`;
}

/** The prefix of one namespace's objects (or all objects when namespace is empty). */
export function listPrefix(sr: StorageResource, namespace: string): string {
  return namespace ? `${resourcePrefix(sr)}${namespace}/` : resourcePrefix(sr);
}
