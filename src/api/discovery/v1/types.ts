/** discovery.k8s.io/v1: EndpointSlice, the scalable form of a Service's endpoints. */
import { def, t, type Static, type T } from '../../schema/dsl.js';
import { ObjectMeta } from '../../meta/v1.js';
import { ObjectReference } from '../../core/v1/types.js';

export const GROUP = 'discovery.k8s.io';
export const VERSION = 'v1';
const D = 'io.k8s.api.discovery.v1.';
const str = (description: string): T<string> => t.string({ description });
const bool = (description: string): T<boolean> => t.bool({ description });

export const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'] as const;

export const EndpointConditions = def(
  D + 'EndpointConditions',
  t.object(
    {
      ready: bool('Whether the endpoint is ready for traffic; unset means ready.'),
      serving: bool('Whether the endpoint can serve traffic, regardless of termination.'),
      terminating: bool('Whether the endpoint is shutting down.'),
    },
    { description: 'The state of an endpoint.' },
  ),
);

export const ForZone = def(
  D + 'ForZone',
  t.object({ name: str('Name of the zone.') }, { required: ['name'], description: 'A zone an endpoint should serve.' }),
);

export const ForNode = def(
  D + 'ForNode',
  t.object({ name: str('Name of the node.') }, { required: ['name'], description: 'A node an endpoint should serve.' }),
);

export const EndpointHints = def(
  D + 'EndpointHints',
  t.object(
    {
      forNodes: t.array(t.ref(ForNode), { listType: 'atomic', description: 'Nodes whose clients should use this endpoint.' }),
      forZones: t.array(t.ref(ForZone), { listType: 'atomic', description: 'Zones whose clients should use this endpoint, for topology-aware routing.' }),
    },
    { description: 'Hints for topology-aware routing.' },
  ),
);

export const Endpoint = def(
  D + 'Endpoint',
  t.object(
    {
      addresses: t.array(t.string(), { listType: 'set', description: 'Addresses of the endpoint, interpreted by addressType; consumers use the first.' }),
      conditions: t.ref(EndpointConditions, { description: 'The state of the endpoint.' }),
      deprecatedTopology: t.map(t.string(), { description: 'Deprecated topology labels; use zone and nodeName.' }),
      hints: t.ref(EndpointHints, { description: 'Routing hints.' }),
      hostname: str('Hostname of the endpoint, a DNS label, used by DNS for headless services.'),
      nodeName: str('The node hosting the endpoint.'),
      targetRef: t.ref(ObjectReference, { description: 'The object (usually a Pod) backing the endpoint.' }),
      zone: str('The zone of the endpoint.'),
    },
    { required: ['addresses'], description: 'One backend of a Service.' },
  ),
);

export const EndpointPort = def(
  D + 'EndpointPort',
  t.object(
    {
      appProtocol: str('The application protocol of the port, e.g. http or a prefixed name such as example.com/proto.'),
      name: str('Name of the port, matching the Service port name; empty when the Service has one unnamed port.'),
      port: t.int32({ description: 'The port number; unset means every port.' }),
      protocol: t.enum(['SCTP', 'TCP', 'UDP'], { description: 'TCP (default), UDP or SCTP.' }),
    },
    { structType: 'atomic', description: 'A port the endpoints serve.' },
  ),
);

export const EndpointSlice = def(
  D + 'EndpointSlice',
  t.object(
    {
      addressType: t.enum(ADDRESS_TYPES, { description: 'The kind of addresses in the slice: IPv4, IPv6 or FQDN; immutable.' }),
      apiVersion: str('The versioned schema of this representation of the object.'),
      endpoints: t.array(t.ref(Endpoint), { listType: 'atomic', description: 'The endpoints; at most 1000 per slice.' }),
      kind: str('The REST resource this object represents, in CamelCase.'),
      metadata: t.ref(ObjectMeta),
      ports: t.array(t.ref(EndpointPort), { listType: 'atomic', description: 'Ports every endpoint of the slice serves; at most 100.' }),
    },
    { required: ['addressType', 'endpoints'], description: 'A subset of the endpoints of a Service.' },
  ),
  { 'x-kubernetes-group-version-kind': [{ group: GROUP, version: VERSION, kind: 'EndpointSlice' }] },
);

export const discoveryDefinitions = [EndpointConditions, ForZone, ForNode, EndpointHints, Endpoint, EndpointPort, EndpointSlice] as const;

export type EndpointConditionsT = Static<typeof EndpointConditions>;
export type EndpointT = Static<typeof Endpoint>;
export type EndpointPortT = Static<typeof EndpointPort>;
export type EndpointSliceT = Static<typeof EndpointSlice>;
