/** networking.k8s.io/v1: Ingress, IngressClass and NetworkPolicy, in the shapes upstream publishes. */
import { def, t, type Static, type T } from '../../schema/dsl.js';
import { IntOrString, LabelSelector, ObjectMeta } from '../../meta/v1.js';
import { TypedLocalObjectReference } from '../../core/v1/types.js';

export const GROUP = 'networking.k8s.io';
export const VERSION = 'v1';
const N = 'io.k8s.api.networking.v1.';
const gvk = (kind: string) => ({ 'x-kubernetes-group-version-kind': [{ group: GROUP, version: VERSION, kind }] });
const str = (description: string): T<string> => t.string({ description });
const i32 = (description: string): T<number> => t.int32({ description });
const strList = (description: string): T<string[]> => t.array(t.string(), { listType: 'atomic', description });
const typeMeta = {
  apiVersion: str('The versioned schema of this representation of the object.'),
  kind: str('The REST resource this object represents, in CamelCase.'),
};

export const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'] as const;
export const POLICY_TYPES = ['Ingress', 'Egress'] as const;

export const ServiceBackendPort = def(
  N + 'ServiceBackendPort',
  t.object(
    {
      name: str('The name of the port on the Service; mutually exclusive with number.'),
      number: i32('The numerical port on the Service; mutually exclusive with name.'),
    },
    { structType: 'atomic', description: 'A port of the backing Service, by name or number.' },
  ),
);

export const IngressServiceBackend = def(
  N + 'IngressServiceBackend',
  t.object(
    {
      name: str('Name of the Service in the Ingress namespace.'),
      port: t.ref(ServiceBackendPort, { description: 'The Service port traffic is sent to.' }),
    },
    { required: ['name'], description: 'A Service used as an Ingress backend.' },
  ),
);

export const IngressBackend = def(
  N + 'IngressBackend',
  t.object(
    {
      resource: t.ref(TypedLocalObjectReference, { description: 'An object in the Ingress namespace serving as backend; mutually exclusive with service.' }),
      service: t.ref(IngressServiceBackend, { description: 'The Service traffic is sent to; mutually exclusive with resource.' }),
    },
    { description: 'Where traffic matching a rule is sent: a Service or another resource.' },
  ),
);

export const HTTPIngressPath = def(
  N + 'HTTPIngressPath',
  t.object(
    {
      backend: t.ref(IngressBackend, { description: 'Where requests matching this path are sent.' }),
      path: str('The request path matched against; must start with "/" unless pathType is ImplementationSpecific.'),
      pathType: t.enum(PATH_TYPES, { description: 'How path is interpreted: Exact, Prefix (by path element) or ImplementationSpecific.' }),
    },
    { required: ['pathType', 'backend'], description: 'A path and the backend it routes to.' },
  ),
);

export const HTTPIngressRuleValue = def(
  N + 'HTTPIngressRuleValue',
  t.object(
    { paths: t.array(t.ref(HTTPIngressPath), { listType: 'atomic', description: 'Paths mapped to backends.' }) },
    { required: ['paths'], description: 'HTTP routing by path.' },
  ),
);

export const IngressRule = def(
  N + 'IngressRule',
  t.object(
    {
      host: str('The fully qualified domain name (optionally with a leading "*." wildcard) this rule applies to; empty matches every host.'),
      http: t.ref(HTTPIngressRuleValue),
    },
    { description: 'Routing for one host.' },
  ),
);

export const IngressTLS = def(
  N + 'IngressTLS',
  t.object(
    {
      hosts: strList('Hosts covered by the certificate.'),
      secretName: str('Name of the Secret holding the TLS certificate and key.'),
    },
    { description: 'TLS termination settings for a set of hosts.' },
  ),
);

export const IngressSpec = def(
  N + 'IngressSpec',
  t.object(
    {
      defaultBackend: t.ref(IngressBackend, { description: 'The backend for requests matching no rule.' }),
      ingressClassName: str('Name of the IngressClass whose controller implements this Ingress.'),
      rules: t.array(t.ref(IngressRule), { listType: 'atomic', description: 'Host rules; requests matching none go to defaultBackend.' }),
      tls: t.array(t.ref(IngressTLS), { listType: 'atomic', description: 'TLS configuration, one entry per certificate.' }),
    },
    { description: 'The desired state of an Ingress.' },
  ),
);

export const IngressPortStatus = def(
  N + 'IngressPortStatus',
  t.object(
    {
      error: str('Why the port is not working, as a CamelCase reason; empty when it works.'),
      port: i32('The port number of the load-balancer.'),
      protocol: t.enum(['SCTP', 'TCP', 'UDP'], { description: 'The protocol of the port: TCP, UDP or SCTP.' }),
    },
    { required: ['port', 'protocol'], description: 'The state of one load-balancer port.' },
  ),
);

export const IngressLoadBalancerIngress = def(
  N + 'IngressLoadBalancerIngress',
  t.object(
    {
      hostname: str('A DNS name at which the load-balancer is reachable.'),
      ip: str('An IP address at which the load-balancer is reachable.'),
      ports: t.array(t.ref(IngressPortStatus), { listType: 'atomic', description: 'The state of the load-balancer ports.' }),
    },
    { description: 'One ingress point of the load-balancer.' },
  ),
);

export const IngressLoadBalancerStatus = def(
  N + 'IngressLoadBalancerStatus',
  t.object(
    { ingress: t.array(t.ref(IngressLoadBalancerIngress), { listType: 'atomic', description: 'The ingress points of the load-balancer.' }) },
    { description: 'The state of the load-balancer in front of an Ingress.' },
  ),
);

export const IngressStatus = def(
  N + 'IngressStatus',
  t.object(
    { loadBalancer: t.ref(IngressLoadBalancerStatus, { description: 'The addresses the Ingress is reachable at.' }) },
    { description: 'The observed state of an Ingress.' },
  ),
);

export const Ingress = def(
  N + 'Ingress',
  t.object({
    ...typeMeta,
    metadata: t.ref(ObjectMeta),
    spec: t.ref(IngressSpec, { description: 'The desired routing.' }),
    status: t.ref(IngressStatus, { description: 'The observed state, set by the controller.' }),
  }, { description: 'Rules routing external HTTP(S) traffic to Services.' }),
  gvk('Ingress'),
);

export const IngressClassParametersReference = def(
  N + 'IngressClassParametersReference',
  t.object(
    {
      apiGroup: str('API group of the parameters resource; empty means the core group.'),
      kind: str('Kind of the parameters resource.'),
      name: str('Name of the parameters resource.'),
      namespace: str('Namespace of the parameters resource; required when scope is Namespace.'),
      scope: str('Whether the parameters resource is Cluster or Namespace scoped; defaults to Cluster.'),
    },
    { required: ['kind', 'name'], description: 'A reference to a resource holding controller-specific parameters.' },
  ),
);

export const IngressClassSpec = def(
  N + 'IngressClassSpec',
  t.object(
    {
      controller: str('Name of the controller implementing this class, a domain-prefixed path such as "example.com/ingress-controller".'),
      parameters: t.ref(IngressClassParametersReference, { description: 'Extra configuration for the controller.' }),
    },
    { description: 'The desired state of an IngressClass.' },
  ),
);

export const IngressClass = def(
  N + 'IngressClass',
  t.object({
    ...typeMeta,
    metadata: t.ref(ObjectMeta),
    spec: t.ref(IngressClassSpec, { description: 'The controller and its parameters.' }),
  }, { description: 'A kind of Ingress, implemented by one controller.' }),
  gvk('IngressClass'),
);

export const IPBlock = def(
  N + 'IPBlock',
  t.object(
    {
      cidr: str('The allowed range in CIDR notation, e.g. "192.168.1.0/24".'),
      except: strList('Ranges inside cidr that are excluded, in CIDR notation.'),
    },
    { required: ['cidr'], description: 'A range of IP addresses, with exceptions.' },
  ),
);

export const NetworkPolicyPeer = def(
  N + 'NetworkPolicyPeer',
  t.object(
    {
      ipBlock: t.ref(IPBlock, { description: 'Allowed IP addresses; cannot be combined with the selectors.' }),
      namespaceSelector: t.ref(LabelSelector, { description: 'Namespaces whose pods are allowed; empty selects every namespace.' }),
      podSelector: t.ref(LabelSelector, { description: 'Pods that are allowed, within the selected namespaces or the policy namespace.' }),
    },
    { description: 'A set of peers traffic may come from or go to.' },
  ),
);

export const NetworkPolicyPort = def(
  N + 'NetworkPolicyPort',
  t.object(
    {
      endPort: i32('The last port of a range starting at port; port must then be numeric.'),
      port: t.ref(IntOrString, { description: 'A port number or named port; empty matches every port.' }),
      protocol: t.enum(['SCTP', 'TCP', 'UDP'], { description: 'The protocol: TCP (default), UDP or SCTP.' }),
    },
    { description: 'A port, or range of ports, traffic is allowed on.' },
  ),
);

export const NetworkPolicyIngressRule = def(
  N + 'NetworkPolicyIngressRule',
  t.object(
    {
      from: t.array(t.ref(NetworkPolicyPeer), { listType: 'atomic', description: 'Sources allowed; empty allows every source.' }),
      ports: t.array(t.ref(NetworkPolicyPort), { listType: 'atomic', description: 'Ports allowed; empty allows every port.' }),
    },
    { description: 'Incoming traffic allowed to the selected pods.' },
  ),
);

export const NetworkPolicyEgressRule = def(
  N + 'NetworkPolicyEgressRule',
  t.object(
    {
      ports: t.array(t.ref(NetworkPolicyPort), { listType: 'atomic', description: 'Destination ports allowed; empty allows every port.' }),
      to: t.array(t.ref(NetworkPolicyPeer), { listType: 'atomic', description: 'Destinations allowed; empty allows every destination.' }),
    },
    { description: 'Outgoing traffic allowed from the selected pods.' },
  ),
);

export const NetworkPolicySpec = def(
  N + 'NetworkPolicySpec',
  t.object(
    {
      egress: t.array(t.ref(NetworkPolicyEgressRule), { listType: 'atomic', description: 'Outgoing traffic allowed, when Egress is among policyTypes.' }),
      ingress: t.array(t.ref(NetworkPolicyIngressRule), { listType: 'atomic', description: 'Incoming traffic allowed, when Ingress is among policyTypes.' }),
      podSelector: t.ref(LabelSelector, { description: 'The pods this policy applies to; empty selects every pod in the namespace.' }),
      policyTypes: t.array(t.enum(POLICY_TYPES), { listType: 'atomic', description: 'Which directions the policy isolates: Ingress, Egress or both.' }),
    },
    { description: 'The desired behaviour of a NetworkPolicy.' },
  ),
);

export const NetworkPolicy = def(
  N + 'NetworkPolicy',
  t.object({
    ...typeMeta,
    metadata: t.ref(ObjectMeta),
    spec: t.ref(NetworkPolicySpec, { description: 'Which pods are selected and what traffic they may send and receive.' }),
  }, { description: 'Which network traffic is allowed for a set of pods.' }),
  gvk('NetworkPolicy'),
);

export const networkingDefinitions = [
  ServiceBackendPort,
  IngressServiceBackend,
  IngressBackend,
  HTTPIngressPath,
  HTTPIngressRuleValue,
  IngressRule,
  IngressTLS,
  IngressSpec,
  IngressPortStatus,
  IngressLoadBalancerIngress,
  IngressLoadBalancerStatus,
  IngressStatus,
  Ingress,
  IngressClassParametersReference,
  IngressClassSpec,
  IngressClass,
  IPBlock,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  NetworkPolicyIngressRule,
  NetworkPolicyEgressRule,
  NetworkPolicySpec,
  NetworkPolicy,
] as const;

export type IngressBackendT = Static<typeof IngressBackend>;
export type HTTPIngressPathT = Static<typeof HTTPIngressPath>;
export type IngressRuleT = Static<typeof IngressRule>;
export type IngressTLST = Static<typeof IngressTLS>;
export type IngressSpecT = Static<typeof IngressSpec>;
export type IngressStatusT = Static<typeof IngressStatus>;
export type IngressT = Static<typeof Ingress>;
export type IngressClassParametersReferenceT = Static<typeof IngressClassParametersReference>;
export type IngressClassSpecT = Static<typeof IngressClassSpec>;
export type IngressClassT = Static<typeof IngressClass>;
export type IPBlockT = Static<typeof IPBlock>;
export type NetworkPolicyPeerT = Static<typeof NetworkPolicyPeer>;
export type NetworkPolicyPortT = Static<typeof NetworkPolicyPort>;
export type NetworkPolicySpecT = Static<typeof NetworkPolicySpec>;
export type NetworkPolicyT = Static<typeof NetworkPolicy>;
