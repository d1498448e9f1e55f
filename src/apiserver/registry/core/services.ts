/**
 * Services: ClusterIPs come from the service CIDR and NodePorts from their
 * range, taken when the Service is written and given back when it is gone.
 */
import type { ResourceType } from '../../../api/scheme.js';
import { StatusError } from '../../../machinery/errors/status-error.js';
import type { KubeObject } from '../../../machinery/meta/types.js';
import type { Allocator } from './allocator.js';
import { type Rollback, type Strategy, defaultStrategy } from '../strategy.js';

interface ServicePort {
  name?: string;
  port?: number;
  nodePort?: number;
  protocol?: string;
}
interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  ports?: ServicePort[];
}

function invalidService(name: string, field: string, value: unknown, detail: string): StatusError {
  const msg = `Invalid value: ${JSON.stringify(value)}: ${detail}`;
  return new StatusError(422, 'Invalid', `Service "${name}" is invalid: ${field}: ${msg}`, { name, kind: 'Service', causes: [{ reason: 'FieldValueInvalid', message: msg, field }] });
}

export function serviceStrategy(rt: ResourceType, alloc: { ips: Allocator; nodePorts: Allocator; serviceCIDR: string }): Strategy {
  const base = defaultStrategy(rt);
  const needsIP = (s: ServiceSpec) => s.type !== 'ExternalName' && s.clusterIP !== 'None';
  const needsNodePorts = (s: ServiceSpec) => s.type === 'NodePort' || s.type === 'LoadBalancer';

  async function allocatePorts(name: string, owner: string, spec: ServiceSpec, taken: Set<number>, undo: (() => Promise<void>)[]): Promise<void> {
    for (const [i, p] of (spec.ports ?? []).entries()) {
      if (p.nodePort) {
        if (taken.has(p.nodePort)) continue;
        if (!alloc.nodePorts.contains(String(p.nodePort))) {
          throw invalidService(name, `spec.ports[${i}].nodePort`, p.nodePort, `provided port is not in the valid range. The range of valid ports is ${alloc.nodePorts.range.valueAt(0)}-${alloc.nodePorts.range.valueAt(alloc.nodePorts.range.size - 1)}`);
        }
        if (!(await alloc.nodePorts.reserve(String(p.nodePort), owner))) throw invalidService(name, `spec.ports[${i}].nodePort`, p.nodePort, 'provided port is already allocated');
      } else {
        const v = await alloc.nodePorts.allocate(owner);
        if (!v) throw new StatusError(500, 'InternalError', 'Internal error occurred: failed to allocate a nodePort: range is full');
        p.nodePort = Number(v);
      }
      const port = p.nodePort;
      taken.add(port);
      undo.push(() => alloc.nodePorts.release(String(port)));
    }
  }

  return {
    ...base,
    returnDeletedObject: true,
    prepareForCreate(ctx, obj) {
      base.prepareForCreate(ctx, obj);
      obj.status = { loadBalancer: {} };
    },
    async beforeCreate(_ctx, obj): Promise<Rollback | undefined> {
      const spec = (obj.spec ??= {}) as ServiceSpec;
      const name = obj.metadata.name ?? '';
      const owner = `${obj.metadata.namespace}/${name}`;
      const undo: (() => Promise<void>)[] = [];
      const rollback = async () => {
        for (const u of undo.reverse()) await u().catch(() => undefined);
      };
      try {
        if (needsIP(spec)) {
          const want = spec.clusterIP || spec.clusterIPs?.[0];
          let ip: string;
          if (want) {
            if (!alloc.ips.contains(want)) {
              throw invalidService(name, 'spec.clusterIPs', [want], `failed to allocate IP ${want}: the provided IP (${want}) is not in the valid range. The range of valid IPs is ${alloc.serviceCIDR}`);
            }
            if (!(await alloc.ips.reserve(want, owner))) throw invalidService(name, 'spec.clusterIPs', [want], `failed to allocate IP ${want}: provided IP is already allocated`);
            ip = want;
          } else {
            // The first address belongs to the `kubernetes` Service; others never take it.
            const got = await alloc.ips.allocate(owner, { skip: (off) => off === 0 });
            if (!got) throw new StatusError(500, 'InternalError', 'Internal error occurred: failed to allocate a serviceIP: range is full');
            ip = got;
          }
          undo.push(() => alloc.ips.release(ip));
          spec.clusterIP = ip;
          spec.clusterIPs = [ip];
          spec.ipFamilies ??= ['IPv4'];
          spec.ipFamilyPolicy ??= 'SingleStack';
        } else if (spec.clusterIP === 'None') {
          spec.clusterIPs = ['None'];
          spec.ipFamilies ??= ['IPv4'];
          spec.ipFamilyPolicy ??= 'SingleStack';
        }
        if (needsNodePorts(spec)) await allocatePorts(name, owner, spec, new Set(), undo);
      } catch (err) {
        await rollback();
        throw err;
      }
      return rollback;
    },
    async beforeUpdate(_ctx, obj, old): Promise<Rollback | undefined> {
      const spec = (obj.spec ??= {}) as ServiceSpec;
      const oldSpec = (old.spec ?? {}) as ServiceSpec;
      const undo: (() => Promise<void>)[] = [];
      if (needsNodePorts(spec)) {
        const taken = new Set((oldSpec.ports ?? []).map((p) => p.nodePort).filter((p): p is number => !!p));
        await allocatePorts(obj.metadata.name ?? '', `${obj.metadata.namespace}/${obj.metadata.name}`, spec, taken, undo);
      } else {
        for (const p of spec.ports ?? []) delete p.nodePort;
      }
      return async () => {
        for (const u of undo.reverse()) await u().catch(() => undefined);
      };
    },
    async afterDelete(obj: KubeObject) {
      const spec = (obj.spec ?? {}) as ServiceSpec;
      for (const ip of spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])) if (ip !== 'None' && alloc.ips.contains(ip)) await alloc.ips.release(ip);
      for (const p of spec.ports ?? []) if (p.nodePort) await alloc.nodePorts.release(String(p.nodePort));
    },
  };
}
