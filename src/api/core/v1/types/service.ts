/** Service and Endpoints: stable virtual IPs and the backends behind them. */
import { def, t, type Static } from '../../../schema/dsl.js';
import { Condition, IntOrString, ObjectMeta } from '../../../meta/v1.js';
import { PROTOCOLS } from './container.js';
import { ObjectReference } from './references.js';
import { CORE, bool, gvk, i32, str, strList } from './fields.js';

export const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'] as const;

export const ServicePort = def(
  CORE + 'ServicePort',
  t.object(
    {
      appProtocol: str('Application protocol of the port, e.g. http or kubernetes.io/h2c.'),
      name: str('Name of the port, a DNS label unique in the service; required with several ports.'),
      nodePort: i32('Port opened on every node for NodePort and LoadBalancer services; allocated when omitted.'),
      port: i32('Port the service exposes.'),
      protocol: t.enum(PROTOCOLS, { default: 'TCP', description: 'TCP, UDP or SCTP; defaults to TCP.' }),
      targetPort: t.ref(IntOrString, { description: 'Port number or name on the selected pods; defaults to port.' }),
    },
    { required: ['port'], description: 'A port of a service.' },
  ),
);

export const ClientIPConfig = def(
  CORE + 'ClientIPConfig',
  t.object({ timeoutSeconds: i32('Seconds a client sticks to one backend, 1 to 86400; defaults to 10800.') }, { description: 'Client IP session affinity settings.' }),
);

export const SessionAffinityConfig = def(
  CORE + 'SessionAffinityConfig',
  t.object({ clientIP: t.ref(ClientIPConfig, { description: 'Settings for ClientIP affinity.' }) }, { description: 'Session affinity settings.' }),
);

export const ServiceSpec = def(
  CORE + 'ServiceSpec',
  t.object({
    allocateLoadBalancerNodePorts: bool('Whether node ports are allocated for a LoadBalancer service; defaults to true.'),
    clusterIP: str('Virtual IP of the service; None makes it headless; allocated when empty.'),
    clusterIPs: strList('Virtual IPs of the service, one per family; the first equals clusterIP.'),
    externalIPs: strList('Extra IPs the nodes accept traffic for.'),
    externalName: str('DNS name returned as a CNAME for ExternalName services.'),
    externalTrafficPolicy: t.enum(['Cluster', 'Local'], { description: 'Whether external traffic may be routed to other nodes.' }),
    healthCheckNodePort: i32('Node port serving health checks for Local external traffic policy.'),
    internalTrafficPolicy: t.enum(['Cluster', 'Local'], { description: 'Whether in-cluster traffic may be routed to other nodes; defaults to Cluster.' }),
    ipFamilies: t.array(t.enum(['IPv4', 'IPv6']), { listType: 'atomic', description: 'IP families of the service, in order.' }),
    ipFamilyPolicy: t.enum(['PreferDualStack', 'RequireDualStack', 'SingleStack'], { description: 'How many IP families the service gets.' }),
    loadBalancerClass: str('Load balancer implementation that serves the service.'),
    loadBalancerIP: str('Deprecated request for a load balancer IP.'),
    loadBalancerSourceRanges: strList('Client CIDRs allowed through the load balancer.'),
    ports: t.array(t.ref(ServicePort), { listType: 'map', mapKeys: ['port', 'protocol'], mergeKey: 'port', patchStrategy: 'merge', description: 'Ports the service exposes.' }),
    publishNotReadyAddresses: bool('Publishes endpoints of pods that are not ready.'),
    selector: t.map(t.string(), { mapType: 'atomic', description: 'Labels of the pods traffic is routed to.' }),
    sessionAffinity: t.enum(['ClientIP', 'None'], { description: 'Whether a client sticks to one backend; defaults to None.' }),
    sessionAffinityConfig: t.ref(SessionAffinityConfig, { description: 'Session affinity settings.' }),
    trafficDistribution: str('Preference for how traffic is spread over endpoints, e.g. PreferClose.'),
    type: t.enum(SERVICE_TYPES, { description: 'How the service is exposed; defaults to ClusterIP.' }),
  }, { description: 'The desired state of a service.' }),
);

export const PortStatus = def(
  CORE + 'PortStatus',
  t.object(
    { error: str('Why the port could not be set up, if it failed.'), port: i32('Port number.'), protocol: t.enum(PROTOCOLS, { description: 'Port protocol.' }) },
    { required: ['port', 'protocol'], description: 'The state of a load balancer port.' },
  ),
);

export const LoadBalancerIngress = def(
  CORE + 'LoadBalancerIngress',
  t.object({
    hostname: str('Host name of the ingress point.'),
    ip: str('IP of the ingress point.'),
    ipMode: str('How traffic reaches the ingress IP: VIP or Proxy.'),
    ports: t.array(t.ref(PortStatus), { listType: 'atomic', description: 'State of each port.' }),
  }, { description: 'An ingress point of a load balancer.' }),
);

export const LoadBalancerStatus = def(
  CORE + 'LoadBalancerStatus',
  t.object({ ingress: t.array(t.ref(LoadBalancerIngress), { listType: 'atomic', description: 'Ingress points of the load balancer.' }) }, { description: 'The state of a load balancer.' }),
);

export const ServiceStatus = def(
  CORE + 'ServiceStatus',
  t.object({
    conditions: t.array(t.ref(Condition), { listType: 'map', mapKeys: ['type'], mergeKey: 'type', patchStrategy: 'merge', description: 'Current conditions of the service.' }),
    loadBalancer: t.ref(LoadBalancerStatus, { description: 'The load balancer, if any.' }),
  }, { description: 'The observed state of a service.' }),
);

export const Service = def(
  CORE + 'Service',
  t.object({
    apiVersion: str('Versioned schema of this object.'),
    kind: str('Kind of this object.'),
    metadata: t.ref(ObjectMeta),
    spec: t.ref(ServiceSpec, { description: 'Desired state of the service.' }),
    status: t.ref(ServiceStatus, { description: 'Observed state of the service.' }),
  }, { description: 'A named abstraction of a set of pods and the ports they serve.' }),
  gvk('Service'),
);

export const EndpointAddress = def(
  CORE + 'EndpointAddress',
  t.object(
    {
      hostname: str('Host name of the endpoint.'),
      ip: str('IP of the endpoint.'),
      nodeName: str('Node hosting the endpoint.'),
      targetRef: t.ref(ObjectReference, { description: 'The object providing the endpoint.' }),
    },
    { required: ['ip'], structType: 'atomic', description: 'One address of an endpoint set.' },
  ),
);

export const EndpointPort = def(
  CORE + 'EndpointPort',
  t.object(
    {
      appProtocol: str('Application protocol of the port.'),
      name: str('Name of the port, matching the service port name.'),
      port: i32('Port number.'),
      protocol: t.enum(PROTOCOLS, { description: 'TCP, UDP or SCTP; defaults to TCP.' }),
    },
    { required: ['port'], structType: 'atomic', description: 'One port of an endpoint set.' },
  ),
);

export const EndpointSubset = def(
  CORE + 'EndpointSubset',
  t.object({
    addresses: t.array(t.ref(EndpointAddress), { listType: 'atomic', description: 'Ready addresses.' }),
    notReadyAddresses: t.array(t.ref(EndpointAddress), { listType: 'atomic', description: 'Addresses that are not ready.' }),
    ports: t.array(t.ref(EndpointPort), { listType: 'atomic', description: 'Ports served by every address.' }),
  }, { description: 'Addresses sharing the same ports.' }),
);

export const Endpoints = def(
  CORE + 'Endpoints',
  t.object({
    apiVersion: str('Versioned schema of this object.'),
    kind: str('Kind of this object.'),
    metadata: t.ref(ObjectMeta),
    subsets: t.array(t.ref(EndpointSubset), { listType: 'atomic', description: 'Sets of addresses and ports.' }),
  }, { description: 'The backends of a service.' }),
  gvk('Endpoints'),
);

export type ServicePortT = Static<typeof ServicePort>;
export type ServiceSpecT = Static<typeof ServiceSpec>;
export type ServiceStatusT = Static<typeof ServiceStatus>;
export type ServiceT = Static<typeof Service>;
export type EndpointAddressT = Static<typeof EndpointAddress>;
export type EndpointPortT = Static<typeof EndpointPort>;
export type EndpointSubsetT = Static<typeof EndpointSubset>;
export type EndpointsT = Static<typeof Endpoints>;
