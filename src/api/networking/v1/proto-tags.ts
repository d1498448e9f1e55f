/**
 * Protobuf field numbers of the networking/v1 messages, as upstream's k8s.io/api/networking/v1 generated.proto
 * numbers them; keys are our definition names and JSON field names. See ProtoFieldTag for the notation.
 */
import type { ProtoTagTable } from '../../../machinery/protobuf/tags.js';

export const protoTags: ProtoTagTable = {
  'io.k8s.api.networking.v1.ServiceBackendPort': { name: { tag: 1, omitEmpty: true }, number: { tag: 2, omitEmpty: true } },
  'io.k8s.api.networking.v1.IngressServiceBackend': { name: 1, port: 2 },
  'io.k8s.api.networking.v1.IngressBackend': { resource: 3, service: 4 },
  'io.k8s.api.networking.v1.HTTPIngressPath': { backend: 2, path: { tag: 1, omitEmpty: true }, pathType: 3 },
  'io.k8s.api.networking.v1.HTTPIngressRuleValue': { paths: 1 },
  'io.k8s.api.networking.v1.IngressRule': { host: { tag: 1, omitEmpty: true }, http: [2, 1] },
  'io.k8s.api.networking.v1.IngressTLS': { hosts: 1, secretName: { tag: 2, omitEmpty: true } },
  'io.k8s.api.networking.v1.IngressSpec': { defaultBackend: 1, ingressClassName: 4, rules: 3, tls: 2 },
  'io.k8s.api.networking.v1.IngressPortStatus': { error: 3, port: 1, protocol: 2 },
  'io.k8s.api.networking.v1.IngressLoadBalancerIngress': { hostname: { tag: 2, omitEmpty: true }, ip: { tag: 1, omitEmpty: true }, ports: 4 },
  'io.k8s.api.networking.v1.IngressLoadBalancerStatus': { ingress: 1 },
  'io.k8s.api.networking.v1.IngressStatus': { loadBalancer: 1 },
  'io.k8s.api.networking.v1.Ingress': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.networking.v1.IngressClassParametersReference': { apiGroup: 1, kind: 2, name: 3, namespace: 5, scope: 4 },
  'io.k8s.api.networking.v1.IngressClassSpec': { controller: { tag: 1, omitEmpty: true }, parameters: 2 },
  'io.k8s.api.networking.v1.IngressClass': { metadata: 1, spec: 2 },
  'io.k8s.api.networking.v1.IPBlock': { cidr: 1, except: 2 },
  'io.k8s.api.networking.v1.NetworkPolicyPeer': { ipBlock: 3, namespaceSelector: 2, podSelector: 1 },
  'io.k8s.api.networking.v1.NetworkPolicyPort': { endPort: 3, port: 2, protocol: 1 },
  'io.k8s.api.networking.v1.NetworkPolicyIngressRule': { from: 2, ports: 1 },
  'io.k8s.api.networking.v1.NetworkPolicyEgressRule': { ports: 1, to: 2 },
  'io.k8s.api.networking.v1.NetworkPolicySpec': { egress: 3, ingress: 2, podSelector: 1, policyTypes: 4 },
  'io.k8s.api.networking.v1.NetworkPolicy': { metadata: 1, spec: 2 },
};
