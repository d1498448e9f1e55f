/**
 * KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1): parsing,
 * upstream's defaults (one "default-scheduler" profile whose plugins are
 * all enabled through multiPoint, with upstream's score weights), merging
 * a profile's plugin sets over those defaults, and validation reported as
 * field errors ("profiles[1].schedulerName: Duplicate value: ...").
 */
import { parse as parseYaml } from 'yaml';
import { EXTENSION_POINTS, type ExtensionPoint } from './framework/interface.js';
import type { PluginRef, PluginSet, Plugins, Profile, Registry } from './framework/framework.js';
import { argsValidators, inTreeRegistry } from './plugins/registry.js';

export const API_VERSION = 'kubescheduler.config.k8s.io/v1';
export const KIND = 'KubeSchedulerConfiguration';
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export interface KubeSchedulerConfiguration {
  apiVersion: string;
  kind: string;
  parallelism: number;
  /** 0 means upstream's adaptive percentage. */
  percentageOfNodesToScore: number;
  podInitialBackoffSeconds: number;
  podMaxBackoffSeconds: number;
  profiles: Profile[];
  leaderElection?: Record<string, unknown>;
  clientConnection?: Record<string, unknown>;
}

/** Upstream's default multiPoint plugins and score weights (the ones k8ts implements). */
export const DEFAULT_MULTI_POINT: readonly PluginRef[] = [
  { name: 'SchedulingGates' },
  { name: 'PrioritySort' },
  { name: 'NodeUnschedulable' },
  { name: 'NodeName' },
  { name: 'TaintToleration', weight: 3 },
  { name: 'NodeAffinity', weight: 2 },
  { name: 'NodePorts' },
  { name: 'NodeResourcesFit', weight: 1 },
  { name: 'VolumeBinding' },
  { name: 'PodTopologySpread', weight: 2 },
  { name: 'InterPodAffinity', weight: 2 },
  { name: 'DefaultPreemption' },
  { name: 'NodeResourcesBalancedAllocation', weight: 1 },
  { name: 'ImageLocality', weight: 1 },
  { name: 'DefaultBinder' },
];

export function defaultPlugins(): Plugins {
  return { multiPoint: { enabled: DEFAULT_MULTI_POINT.map((r) => ({ ...r })) } };
}

export function defaultProfile(schedulerName = DEFAULT_SCHEDULER_NAME): Profile {
  return { schedulerName, plugins: defaultPlugins(), pluginConfig: {} };
}

export function defaultConfiguration(): KubeSchedulerConfiguration {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    parallelism: 16,
    percentageOfNodesToScore: 0,
    podInitialBackoffSeconds: 1,
    podMaxBackoffSeconds: 10,
    profiles: [defaultProfile()],
  };
}

/**
 * A custom set over a default one, as upstream mergePluginSet: defaults
 * keep their order unless disabled ("*" disables all); a custom entry
 * naming a default replaces it in place (its weight wins); other custom
 * entries follow.
 */
export function mergePluginSet(def: PluginSet | undefined, custom: PluginSet | undefined): PluginSet {
  const disabled = new Set((custom?.disabled ?? []).map((d) => d.name));
  const customEnabled = custom?.enabled ?? [];
  const replaced = new Set<string>();
  const enabled: PluginRef[] = [];
  if (!disabled.has('*')) {
    for (const d of def?.enabled ?? []) {
      if (disabled.has(d.name)) continue;
      const c = customEnabled.find((e) => e.name === d.name);
      if (c) replaced.add(c.name);
      enabled.push({ ...(c ?? d) });
    }
  }
  for (const c of customEnabled) if (!replaced.has(c.name)) enabled.push({ ...c });
  return { enabled, disabled: [...(custom?.disabled ?? [])] };
}

export function mergePlugins(def: Plugins, custom: Plugins | undefined): Plugins {
  const out: Plugins = {};
  for (const key of ['multiPoint', ...EXTENSION_POINTS] as const) {
    if (!def[key] && !custom?.[key]) continue;
    out[key] = mergePluginSet(def[key], custom?.[key]);
  }
  return out;
}

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

function readPluginSet(raw: unknown, path: string, errs: string[]): PluginSet | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObj(raw)) {
    errs.push(`${path}: Invalid value: ${JSON.stringify(raw)}: must be an object`);
    return undefined;
  }
  const list = (key: 'enabled' | 'disabled'): PluginRef[] => {
    const v = raw[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      errs.push(`${path}.${key}: Invalid value: ${JSON.stringify(v)}: must be a list`);
      return [];
    }
    return v.map((e, i) => {
      if (!isObj(e) || typeof e.name !== 'string' || !e.name) {
        errs.push(`${path}.${key}[${i}].name: Required value`);
        return { name: '' };
      }
      return e.weight === undefined ? { name: e.name } : { name: e.name, weight: Number(e.weight) };
    });
  };
  return { enabled: list('enabled'), disabled: list('disabled').map((r) => ({ name: r.name })) };
}

/** Parses and defaults a configuration document; every problem is a field error. */
export function parseSchedulerConfiguration(text: string, opts: { registry?: Registry } = {}): { ok: true; config: KubeSchedulerConfiguration } | { ok: false; errors: string[] } {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    return { ok: false, errors: [`error decoding configuration: ${err instanceof Error ? err.message : String(err)}`] };
  }
  if (!isObj(doc)) return { ok: false, errors: ['error decoding configuration: not an object'] };
  if (doc.kind !== KIND) return { ok: false, errors: [`no kind "${String(doc.kind ?? '')}" is registered for version "${String(doc.apiVersion ?? '')}"`] };
  if (doc.apiVersion !== API_VERSION) return { ok: false, errors: [`no kind "${KIND}" is registered for version "${String(doc.apiVersion ?? '')}"`] };
  const errs: string[] = [];
  const cfg = defaultConfiguration();
  const num = (key: 'parallelism' | 'percentageOfNodesToScore' | 'podInitialBackoffSeconds' | 'podMaxBackoffSeconds') => {
    const v = doc[key];
    if (v === undefined || v === null) return;
    if (typeof v !== 'number' || !Number.isInteger(v)) errs.push(`${key}: Invalid value: ${JSON.stringify(v)}: must be an integer`);
    else cfg[key] = v;
  };
  num('parallelism');
  num('percentageOfNodesToScore');
  num('podInitialBackoffSeconds');
  num('podMaxBackoffSeconds');
  if (isObj(doc.leaderElection)) cfg.leaderElection = doc.leaderElection;
  if (isObj(doc.clientConnection)) cfg.clientConnection = doc.clientConnection;
  if (Array.isArray(doc.profiles) && doc.profiles.length > 0) {
    cfg.profiles = doc.profiles.map((rp, i) => {
      const path = `profiles[${i}]`;
      const p = isObj(rp) ? rp : {};
      const custom: Plugins = {};
      if (isObj(p.plugins)) {
        for (const key of Object.keys(p.plugins)) {
          if (key !== 'multiPoint' && !EXTENSION_POINTS.includes(key as ExtensionPoint)) {
            errs.push(`${path}.plugins: Invalid value: "${key}": unknown extension point`);
            continue;
          }
          const set = readPluginSet(p.plugins[key], `${path}.plugins.${key}`, errs);
          if (set) custom[key as keyof Plugins] = set;
        }
      }
      const pluginConfig: Record<string, unknown> = {};
      if (Array.isArray(p.pluginConfig)) {
        p.pluginConfig.forEach((pc, j) => {
          if (!isObj(pc) || typeof pc.name !== 'string') {
            errs.push(`${path}.pluginConfig[${j}].name: Required value`);
            return;
          }
          if (pc.name in pluginConfig) errs.push(`${path}.pluginConfig[${j}]: Duplicate value: "${pc.name}"`);
          pluginConfig[pc.name] = pc.args ?? {};
        });
      }
      const profile: Profile = {
        schedulerName: typeof p.schedulerName === 'string' ? p.schedulerName : i === 0 && p.schedulerName === undefined ? DEFAULT_SCHEDULER_NAME : '',
        plugins: mergePlugins(defaultPlugins(), custom),
        pluginConfig,
      };
      if (typeof p.percentageOfNodesToScore === 'number') profile.percentageOfNodesToScore = p.percentageOfNodesToScore;
      return profile;
    });
  }
  errs.push(...validateConfiguration(cfg, opts));
  return errs.length ? { ok: false, errors: errs } : { ok: true, config: cfg };
}

/** Upstream's ValidateKubeSchedulerConfiguration, for the fields k8ts reads. */
export function validateConfiguration(cfg: KubeSchedulerConfiguration, opts: { registry?: Registry } = {}): string[] {
  const registry = opts.registry ?? inTreeRegistry;
  const errs: string[] = [];
  if (cfg.parallelism <= 0) errs.push(`parallelism: Invalid value: ${cfg.parallelism}: should be an integer value greater than zero`);
  if (cfg.percentageOfNodesToScore < 0 || cfg.percentageOfNodesToScore > 100) errs.push(`percentageOfNodesToScore: Invalid value: ${cfg.percentageOfNodesToScore}: not in valid range [0-100]`);
  if (cfg.podInitialBackoffSeconds <= 0) errs.push(`podInitialBackoffSeconds: Invalid value: ${cfg.podInitialBackoffSeconds}: must be greater than 0`);
  if (cfg.podMaxBackoffSeconds < cfg.podInitialBackoffSeconds) errs.push(`podMaxBackoffSeconds: Invalid value: ${cfg.podMaxBackoffSeconds}: must be greater than or equal to PodInitialBackoffSeconds`);
  if (cfg.profiles.length === 0) errs.push('profiles: Required value');
  const names = new Set<string>();
  let firstQueueSort: string | undefined;
  cfg.profiles.forEach((p, i) => {
    const path = `profiles[${i}]`;
    if (!p.schedulerName) errs.push(`${path}.schedulerName: Required value`);
    else if (names.has(p.schedulerName)) errs.push(`${path}.schedulerName: Duplicate value: "${p.schedulerName}"`);
    names.add(p.schedulerName);
    const pct = p.percentageOfNodesToScore;
    if (pct !== undefined && (pct < 0 || pct > 100)) errs.push(`${path}.percentageOfNodesToScore: Invalid value: ${pct}: not in valid range [0-100]`);
    for (const key of ['multiPoint', ...EXTENSION_POINTS] as const) {
      (p.plugins[key]?.enabled ?? []).forEach((r, j) => {
        if (r.name && !registry[r.name]) errs.push(`${path}.plugins.${key}.enabled[${j}]: Invalid value: "${r.name}": plugin "${r.name}" does not exist`);
        if (r.weight !== undefined && (key === 'score' || key === 'multiPoint') && !(Number.isInteger(r.weight) && r.weight >= 0 && r.weight <= 100)) {
          errs.push(`${path}.plugins.${key}.enabled[${j}].weight: Invalid value: ${r.weight}: must be in the range [0, 100]`);
        }
      });
    }
    const qs = queueSortOf(p);
    if (i === 0) firstQueueSort = qs;
    else if (qs !== firstQueueSort) errs.push(`${path}.plugins.queueSort: Invalid value: "${qs ?? ''}": queueSort must be the same for all profiles`);
    Object.entries(p.pluginConfig ?? {}).forEach(([name, args], j) => {
      if (!registry[name]) errs.push(`${path}.pluginConfig[${j}].name: Invalid value: "${name}": plugin "${name}" does not exist`);
      const v = argsValidators[name];
      if (v) errs.push(...v(args, `${path}.pluginConfig[${j}].args`));
    });
  });
  return errs;
}

/** The queue sort plugin a profile ends up with (queueSort only has PrioritySort in-tree). */
function queueSortOf(p: Profile): string | undefined {
  const explicit = p.plugins.queueSort?.enabled?.[0]?.name;
  if (explicit) return explicit;
  const disabled = new Set((p.plugins.queueSort?.disabled ?? []).map((d) => d.name));
  return p.plugins.multiPoint?.enabled?.find((r) => r.name === 'PrioritySort' && !disabled.has(r.name) && !disabled.has('*'))?.name;
}
