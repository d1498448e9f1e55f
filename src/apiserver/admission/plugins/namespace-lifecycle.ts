/**
 * NamespaceLifecycle: nothing is created in a namespace that does not exist or
 * is terminating, and the system namespaces cannot be deleted.
 */
import { StatusError, notFound } from '../../../machinery/errors/status-error.js';
import type { Store } from '../../registry/store.js';
import type { AdmissionAttributes, AdmissionOperation, ValidatingPlugin } from '../types.js';

const IMMORTAL = new Set(['default', 'kube-system', 'kube-public']);
/** Creates allowed in a terminating namespace (they are needed to finish deleting it). */
const ALLOWED_WHILE_TERMINATING = new Set(['/events', 'events.k8s.io/events', 'authorization.k8s.io/localsubjectaccessreviews']);

export class NamespaceLifecycle implements ValidatingPlugin {
  readonly name = 'NamespaceLifecycle';

  constructor(private readonly namespaces: () => Store | undefined) {}

  handles(op: AdmissionOperation): boolean {
    return op === 'CREATE' || op === 'DELETE';
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    if (a.operation === 'DELETE') {
      if (a.group === '' && a.resource === 'namespaces' && !a.subresource && IMMORTAL.has(a.name)) {
        throw new StatusError(403, 'Forbidden', `namespaces "${a.name}" is forbidden: this namespace may not be deleted`, { name: a.name, kind: 'namespaces' });
      }
      return;
    }
    if (!a.namespace || (a.group === '' && a.resource === 'namespaces')) return;
    const store = this.namespaces();
    if (!store) return;
    let ns;
    try {
      ns = await store.get('', a.namespace, { resourceVersion: '0' });
    } catch (err) {
      if (err instanceof StatusError && err.reason === 'NotFound') {
        // The cache may be a moment behind a namespace just created: ask storage before refusing.
        try {
          ns = await store.get('', a.namespace);
        } catch {
          throw notFound({ group: '', resource: 'namespaces' }, a.namespace);
        }
      } else throw err;
    }
    const phase = (ns.object.status as { phase?: string } | undefined)?.phase;
    if ((phase === 'Terminating' || ns.object.metadata.deletionTimestamp) && !ALLOWED_WHILE_TERMINATING.has(`${a.group}/${a.resource}`)) {
      throw new StatusError(
        403,
        'Forbidden',
        `${a.resource}${a.group ? '.' + a.group : ''} "${a.name}" is forbidden: unable to create new content in namespace ${a.namespace} because it is being terminated`,
        { name: a.name, group: a.group || undefined, kind: a.resource, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${a.namespace} is being terminated`, field: 'metadata.namespace' }] },
      );
    }
  }
}
