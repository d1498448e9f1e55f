/**
 * Settings of the controller manager, named and parsed like
 * kube-controller-manager's own flags so `--kube-controller-manager-arg
 * node-monitor-grace-period=20s` means what it means upstream (and in k3s).
 */
import { parseGoDuration } from '../../machinery/protobuf/go-duration.js';

export interface ControllerConfig {
  /** Which controllers run: upstream `--controllers` (`*`, `name`, `-name`). */
  controllers: readonly string[];
  /** A node whose lease is older than this is NotReady/Unknown. */
  nodeMonitorGracePeriodMs: number;
  /** How often node health is checked. */
  nodeMonitorPeriodMs: number;
  /** Grace for a node that never posted status. */
  nodeStartupGracePeriodMs: number;
  /** Nodes per second given NoExecute taints in a healthy zone (upstream `--node-eviction-rate`). */
  nodeEvictionRate: number;
  /** The same in a partially disrupted zone larger than largeClusterSizeThreshold (upstream `--secondary-node-eviction-rate`). */
  secondaryNodeEvictionRate: number;
  /** Zones of at most this many nodes stop tainting when partially disrupted (upstream `--large-cluster-size-threshold`). */
  largeClusterSizeThreshold: number;
  /** The fraction of not-ready nodes (more than two) that makes a zone partially disrupted (upstream `--unhealthy-zone-threshold`). */
  unhealthyZoneThreshold: number;
  horizontalPodAutoscalerSyncPeriodMs: number;
  horizontalPodAutoscalerDownscaleStabilizationMs: number;
  horizontalPodAutoscalerTolerance: number;
  /** Terminated pods kept before the pod GC deletes the oldest (upstream 12500). */
  terminatedPodGCThreshold: number;
  /** Where the built-in local-path provisioner puts a directory per volume (k3s `--default-local-storage-path`). */
  localStoragePath: string;
  /** The cluster CA published in every namespace as ConfigMap kube-root-ca.crt. */
  rootCAPEM?: string;
  /** How often every quota's usage is recomputed from scratch. */
  resourceQuotaSyncPeriodMs: number;
  /** The range node IPAM cuts pod CIDRs from (upstream `--cluster-cidr`). */
  clusterCIDR: string;
  /** The prefix length of each node's pod CIDR (upstream `--node-cidr-mask-size`). */
  nodeCIDRMaskSize: number;
  /** Endpoints per subset the EndpointSlice mirroring controller copies (upstream `--mirroring-max-endpoints-per-subset`). */
  mirroringMaxEndpointsPerSubset: number;
}

export const defaultControllerConfig: ControllerConfig = {
  controllers: ['*'],
  nodeMonitorGracePeriodMs: 40_000,
  nodeMonitorPeriodMs: 5_000,
  nodeStartupGracePeriodMs: 60_000,
  nodeEvictionRate: 0.1,
  secondaryNodeEvictionRate: 0.01,
  largeClusterSizeThreshold: 50,
  unhealthyZoneThreshold: 0.55,
  horizontalPodAutoscalerSyncPeriodMs: 15_000,
  horizontalPodAutoscalerDownscaleStabilizationMs: 300_000,
  horizontalPodAutoscalerTolerance: 0.1,
  terminatedPodGCThreshold: 12_500,
  localStoragePath: '/var/lib/k8ts/storage',
  resourceQuotaSyncPeriodMs: 300_000,
  clusterCIDR: '10.244.0.0/16',
  nodeCIDRMaskSize: 24,
  mirroringMaxEndpointsPerSubset: 1000,
};

type Setter = (cfg: ControllerConfig, raw: string) => string | undefined;

const duration = (key: keyof ControllerConfig): Setter => (cfg, raw) => {
  const nanos = parseGoDuration(raw);
  if (nanos === undefined || nanos < 0n) return `invalid argument "${raw}": time: invalid duration "${raw}"`;
  (cfg as unknown as Record<string, unknown>)[key] = Number(nanos / 1_000_000n);
  return undefined;
};

type NumberKey = { [K in keyof ControllerConfig]-?: ControllerConfig[K] extends number ? K : never }[keyof ControllerConfig];

/** A float32 flag as pflag parses it: Go float syntax, any sign. */
const float = (key: NumberKey): Setter => (cfg, raw) => {
  const text = raw.trim();
  const v = Number(text);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) || !Number.isFinite(v)) return `invalid argument "${raw}": strconv.ParseFloat: parsing "${raw}": invalid syntax`;
  cfg[key] = v;
  return undefined;
};

/** An int32 flag as pflag parses it. */
const int32 = (key: NumberKey): Setter => (cfg, raw) => {
  const text = raw.trim();
  if (!/^[+-]?\d+$/.test(text)) return `invalid argument "${raw}": strconv.ParseInt: parsing "${raw}": invalid syntax`;
  const v = Number(text);
  if (v < -(2 ** 31) || v >= 2 ** 31) return `invalid argument "${raw}": strconv.ParseInt: parsing "${raw}": value out of range`;
  cfg[key] = v;
  return undefined;
};

const setters: Record<string, Setter> = {
  'controllers': (cfg, raw) => {
    cfg.controllers = raw.split(',').map((s) => s.trim()).filter(Boolean);
    return undefined;
  },
  'node-monitor-grace-period': duration('nodeMonitorGracePeriodMs'),
  'node-monitor-period': duration('nodeMonitorPeriodMs'),
  'node-startup-grace-period': duration('nodeStartupGracePeriodMs'),
  'node-eviction-rate': float('nodeEvictionRate'),
  'secondary-node-eviction-rate': float('secondaryNodeEvictionRate'),
  'large-cluster-size-threshold': int32('largeClusterSizeThreshold'),
  'unhealthy-zone-threshold': float('unhealthyZoneThreshold'),
  'mirroring-max-endpoints-per-subset': int32('mirroringMaxEndpointsPerSubset'),
  'horizontal-pod-autoscaler-sync-period': duration('horizontalPodAutoscalerSyncPeriodMs'),
  'resource-quota-sync-period': duration('resourceQuotaSyncPeriodMs'),
  'horizontal-pod-autoscaler-downscale-stabilization': duration('horizontalPodAutoscalerDownscaleStabilizationMs'),
  'horizontal-pod-autoscaler-tolerance': (cfg, raw) => {
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v) || v < 0) return `invalid argument "${raw}": must be a non-negative number`;
    cfg.horizontalPodAutoscalerTolerance = v;
    return undefined;
  },
  'cluster-cidr': (cfg, raw) => {
    cfg.clusterCIDR = raw.trim();
    return undefined;
  },
  'node-cidr-mask-size': (cfg, raw) => {
    if (!/^\d+$/.test(raw.trim())) return `invalid argument "${raw}": strconv.ParseInt: parsing "${raw}": invalid syntax`;
    cfg.nodeCIDRMaskSize = Number(raw);
    return undefined;
  },
  'terminated-pod-gc-threshold': (cfg, raw) => {
    const v = Number(raw);
    if (!/^-?\d+$/.test(raw.trim())) return `invalid argument "${raw}": strconv.ParseInt: parsing "${raw}": invalid syntax`;
    cfg.terminatedPodGCThreshold = v;
    return undefined;
  },
};

/** Parses `key=value` pairs (without leading dashes, as k3s passes them). */
export function parseControllerArgs(args: readonly string[], base: ControllerConfig = defaultControllerConfig): { ok: true; config: ControllerConfig } | { ok: false; message: string } {
  const cfg: ControllerConfig = { ...base };
  for (const arg of args) {
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const key = eq < 0 ? body : body.slice(0, eq);
    const setter = setters[key];
    if (!setter) return { ok: false, message: `unknown flag: --${key}` };
    if (eq < 0) return { ok: false, message: `flag needs an argument: --${key}` };
    const err = setter(cfg, body.slice(eq + 1));
    if (err) return { ok: false, message: `${err} for "--${key}" flag` };
  }
  return { ok: true, config: cfg };
}

/** Upstream's `--controllers` semantics: explicit names win over `*`; `-name` disables. */
export function controllerEnabled(name: string, selection: readonly string[]): boolean {
  if (selection.includes(`-${name}`)) return false;
  if (selection.includes(name)) return true;
  return selection.includes('*');
}
