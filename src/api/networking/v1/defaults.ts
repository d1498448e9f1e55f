/** Upstream SetDefaults_* for networking.k8s.io/v1. */
import type { IngressClassT, NetworkPolicyT, NetworkPolicyPortT } from './types.js';

function defaultPorts(ports: NetworkPolicyPortT[] | undefined): void {
  for (const p of ports ?? []) p.protocol ??= 'TCP';
}

export function defaultNetworkPolicy(np: NetworkPolicyT): void {
  const spec = (np.spec ??= {});
  spec.podSelector ??= {};
  for (const r of spec.ingress ?? []) defaultPorts(r.ports);
  for (const r of spec.egress ?? []) defaultPorts(r.ports);
  // A policy without policyTypes always isolates ingress, and egress only when it has egress rules.
  if (!spec.policyTypes || spec.policyTypes.length === 0) {
    spec.policyTypes = spec.egress && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
}

export function defaultIngressClass(ic: IngressClassT): void {
  const params = ic.spec?.parameters;
  if (params && !params.scope) params.scope = 'Cluster';
}
