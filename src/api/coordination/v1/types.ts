/** coordination.k8s.io/v1: Lease, used for leader election and node heartbeats. */
import { def, t, type Static, type T } from '../../schema/dsl.js';
import { MicroTime, ObjectMeta } from '../../meta/v1.js';

export const GROUP = 'coordination.k8s.io';
export const VERSION = 'v1';
const C = 'io.k8s.api.coordination.v1.';
const str = (description: string): T<string> => t.string({ description });

export const LeaseSpec = def(
  C + 'LeaseSpec',
  t.object(
    {
      acquireTime: t.ref(MicroTime, { description: 'When the current holder acquired the lease.' }),
      holderIdentity: str('Identity of the current holder.'),
      leaseDurationSeconds: t.int32({ description: 'How long candidates wait after the last renewal before they may take the lease.' }),
      leaseTransitions: t.int32({ description: 'How many times the lease has changed holders.' }),
      preferredHolder: str('The holder the lease should move to when coordinated leader election is used; needs strategy.'),
      renewTime: t.ref(MicroTime, { description: 'When the current holder last renewed the lease.' }),
      strategy: str('How a coordinated leader election picks the holder, e.g. OldestEmulationVersion.'),
    },
    { description: 'The desired state of a Lease.' },
  ),
);

export const Lease = def(
  C + 'Lease',
  t.object(
    {
      apiVersion: str('The versioned schema of this representation of the object.'),
      kind: str('The REST resource this object represents, in CamelCase.'),
      metadata: t.ref(ObjectMeta),
      spec: t.ref(LeaseSpec, { description: 'The holder and timing of the lease.' }),
    },
    { description: 'A lease: a lock with a holder and an expiry, renewed by its holder.' },
  ),
  { 'x-kubernetes-group-version-kind': [{ group: GROUP, version: VERSION, kind: 'Lease' }] },
);

export const coordinationDefinitions = [LeaseSpec, Lease] as const;

export type LeaseSpecT = Static<typeof LeaseSpec>;
export type LeaseT = Static<typeof Lease>;
