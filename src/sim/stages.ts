/**
 * The pod lifecycle of simulated nodes as data, in the spirit of KWOK's Stage:
 * each stage selects pods by what they look like now, waits, and then moves
 * them on (a status change or a delete). The first matching stage wins, so a
 * fault is added by putting a stage in front of the defaults, without code.
 */

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

export interface StageSelector {
  /** The pod's `status.phase` (a pod without one counts as Pending). */
  phases?: PodPhase[];
  /** Whether `metadata.deletionTimestamp` is set. */
  deleting?: boolean;
  restartPolicies?: ('Always' | 'OnFailure' | 'Never')[];
  /** The pod's current Ready condition. */
  ready?: boolean;
  /** Every listed annotation has exactly this value. */
  annotations?: Record<string, string>;
  /** No listed annotation has this value (absent counts as different). */
  annotationsNot?: Record<string, string>;
}

export interface StageDelay {
  /** The delay when no annotation or grace period gives one. */
  ms: number;
  /** A pod annotation that overrides `ms`, read in `unit`. */
  annotation?: string;
  unit?: 'ms' | 's';
  /** Use the pod's `deletionGracePeriodSeconds` (deleting pods only). */
  fromGracePeriod?: boolean;
  /** An upper bound, so simulated grace periods stay short. */
  maxMs?: number;
}

/**
 * What a stage does when its delay is over:
 * - `running`: containers start; podIP from the node's podCIDR; Ready per `sim.k8ts.io/ready`.
 * - `completed`: containers terminate with `sim.k8ts.io/exit-code`; Succeeded when 0, else Failed.
 * - `readiness`: only the Ready conditions follow `sim.k8ts.io/ready` again.
 * - `delete`: the pod object is removed (grace period 0), as the kubelet does once containers stop.
 */
export type StageAction = 'running' | 'completed' | 'readiness' | 'delete';

export interface Stage {
  name: string;
  selector: StageSelector;
  delay: StageDelay;
  action: StageAction;
}

export const ANNOTATION_START_DELAY_MS = 'sim.k8ts.io/start-delay-ms';
export const ANNOTATION_RUN_SECONDS = 'sim.k8ts.io/run-seconds';
export const ANNOTATION_EXIT_CODE = 'sim.k8ts.io/exit-code';
export const ANNOTATION_READY = 'sim.k8ts.io/ready';
export const ANNOTATION_CPU_USAGE = 'sim.k8ts.io/cpu-usage';
export const ANNOTATION_MEMORY_USAGE = 'sim.k8ts.io/memory-usage';
export const ANNOTATION_NODE_DOWN = 'sim.k8ts.io/down';

/** Simulated grace periods end after at most this long. */
export const MAX_SIMULATED_GRACE_MS = 1000;

export const defaultStages: readonly Stage[] = [
  {
    name: 'pod-delete',
    selector: { deleting: true },
    delay: { ms: 0, fromGracePeriod: true, maxMs: MAX_SIMULATED_GRACE_MS },
    action: 'delete',
  },
  {
    name: 'pod-ready',
    selector: { phases: ['Pending'], deleting: false },
    delay: { ms: 100, annotation: ANNOTATION_START_DELAY_MS, unit: 'ms' },
    action: 'running',
  },
  {
    name: 'pod-complete',
    selector: { phases: ['Running'], deleting: false, restartPolicies: ['Never', 'OnFailure'] },
    delay: { ms: 1000, annotation: ANNOTATION_RUN_SECONDS, unit: 's' },
    action: 'completed',
  },
  {
    name: 'pod-unready',
    selector: { phases: ['Running'], deleting: false, ready: true, annotations: { [ANNOTATION_READY]: 'false' } },
    delay: { ms: 0 },
    action: 'readiness',
  },
  {
    name: 'pod-reready',
    selector: { phases: ['Running'], deleting: false, ready: false, annotationsNot: { [ANNOTATION_READY]: 'false' } },
    delay: { ms: 0 },
    action: 'readiness',
  },
];

/** The parts of a pod stages look at. */
export interface StagePod {
  metadata: { annotations?: Record<string, string>; deletionTimestamp?: string; deletionGracePeriodSeconds?: number };
  spec?: { restartPolicy?: string };
  status?: { phase?: string; conditions?: { type?: string; status?: string }[] };
}

export function isPodReady(pod: StagePod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function selectorMatches(sel: StageSelector, pod: StagePod): boolean {
  const phase = (pod.status?.phase || 'Pending') as PodPhase;
  if (sel.phases && !sel.phases.includes(phase)) return false;
  if (sel.deleting !== undefined && sel.deleting !== Boolean(pod.metadata.deletionTimestamp)) return false;
  if (sel.restartPolicies && !sel.restartPolicies.includes((pod.spec?.restartPolicy ?? 'Always') as 'Always')) return false;
  if (sel.ready !== undefined && sel.ready !== isPodReady(pod)) return false;
  const ann = pod.metadata.annotations ?? {};
  for (const [k, v] of Object.entries(sel.annotations ?? {})) if (ann[k] !== v) return false;
  for (const [k, v] of Object.entries(sel.annotationsNot ?? {})) if (ann[k] === v) return false;
  return true;
}

/** The first stage that applies to `pod`, if any. */
export function matchStage(stages: readonly Stage[], pod: StagePod): Stage | undefined {
  return stages.find((s) => selectorMatches(s.selector, pod));
}

/** How long `stage` waits for `pod`; a malformed annotation falls back to the default. */
export function stageDelayMs(stage: Stage, pod: StagePod): number {
  const d = stage.delay;
  let ms = d.ms;
  if (d.fromGracePeriod && pod.metadata.deletionGracePeriodSeconds !== undefined) ms = pod.metadata.deletionGracePeriodSeconds * 1000;
  const raw = d.annotation ? pod.metadata.annotations?.[d.annotation] : undefined;
  if (raw !== undefined && /^\d+(\.\d+)?$/.test(raw.trim())) ms = Number(raw) * (d.unit === 's' ? 1000 : 1);
  if (d.maxMs !== undefined) ms = Math.min(ms, d.maxMs);
  return Math.max(0, ms);
}

export type ParseStagesResult = { ok: true; stages: Stage[] } | { ok: false; errors: string[] };

const phases = new Set(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']);
const policies = new Set(['Always', 'OnFailure', 'Never']);
const actions = new Set(['running', 'completed', 'readiness', 'delete']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads stages from a decoded JSON/YAML document: an array of stages or
 * `{ stages: [...] }`. Unknown fields are refused, not ignored, so a typo in
 * a fault definition is found at load time.
 */
export function parseStages(doc: unknown): ParseStagesResult {
  const list = isRecord(doc) ? doc.stages : doc;
  if (!Array.isArray(list)) return { ok: false, errors: ['stages: expected a list'] };
  const errors: string[] = [];
  const stages: Stage[] = [];
  const names = new Set<string>();
  list.forEach((raw, i) => {
    const at = `stages[${i}]`;
    const before = errors.length;
    if (!isRecord(raw)) {
      errors.push(`${at}: expected an object`);
      return;
    }
    unknownFields(raw, ['name', 'selector', 'delay', 'action'], at, errors);
    const name = raw.name;
    if (typeof name !== 'string' || !name) errors.push(`${at}.name: required`);
    else if (names.has(name)) errors.push(`${at}.name: duplicate stage "${name}"`);
    else names.add(name);
    if (typeof raw.action !== 'string' || !actions.has(raw.action)) errors.push(`${at}.action: must be one of ${[...actions].join(', ')}`);
    const selector = parseSelector(raw.selector ?? {}, `${at}.selector`, errors);
    const delay = parseDelay(raw.delay ?? { ms: 0 }, `${at}.delay`, errors);
    if (errors.length === before) stages.push({ name: name as string, selector: selector!, delay: delay!, action: raw.action as StageAction });
  });
  return errors.length ? { ok: false, errors } : { ok: true, stages };
}

function unknownFields(obj: Record<string, unknown>, allowed: string[], at: string, errors: string[]): void {
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) errors.push(`${at}: unknown field "${k}"`);
}

function stringMap(v: unknown, at: string, errors: string[]): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (!isRecord(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    errors.push(`${at}: expected a map of strings`);
    return undefined;
  }
  return v as Record<string, string>;
}

function enumList<E extends string>(v: unknown, allowed: Set<string>, at: string, errors: string[]): E[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || !allowed.has(x))) {
    errors.push(`${at}: expected a list of ${[...allowed].join(', ')}`);
    return undefined;
  }
  return v as E[];
}

function optionalBool(v: unknown, at: string, errors: string[]): boolean | undefined {
  if (v !== undefined && typeof v !== 'boolean') errors.push(`${at}: expected a boolean`);
  return typeof v === 'boolean' ? v : undefined;
}

function parseSelector(v: unknown, at: string, errors: string[]): StageSelector | undefined {
  if (!isRecord(v)) {
    errors.push(`${at}: expected an object`);
    return undefined;
  }
  unknownFields(v, ['phases', 'deleting', 'restartPolicies', 'ready', 'annotations', 'annotationsNot'], at, errors);
  const sel: StageSelector = {};
  const ph = enumList<PodPhase>(v.phases, phases, `${at}.phases`, errors);
  if (ph) sel.phases = ph;
  const rp = enumList<'Always'>(v.restartPolicies, policies, `${at}.restartPolicies`, errors);
  if (rp) sel.restartPolicies = rp;
  const deleting = optionalBool(v.deleting, `${at}.deleting`, errors);
  if (deleting !== undefined) sel.deleting = deleting;
  const ready = optionalBool(v.ready, `${at}.ready`, errors);
  if (ready !== undefined) sel.ready = ready;
  const ann = stringMap(v.annotations, `${at}.annotations`, errors);
  if (ann) sel.annotations = ann;
  const annNot = stringMap(v.annotationsNot, `${at}.annotationsNot`, errors);
  if (annNot) sel.annotationsNot = annNot;
  return sel;
}

function parseDelay(v: unknown, at: string, errors: string[]): StageDelay | undefined {
  if (!isRecord(v)) {
    errors.push(`${at}: expected an object`);
    return undefined;
  }
  unknownFields(v, ['ms', 'annotation', 'unit', 'fromGracePeriod', 'maxMs'], at, errors);
  const nonNegative = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x >= 0;
  if (!nonNegative(v.ms)) errors.push(`${at}.ms: required, a number >= 0`);
  if (v.maxMs !== undefined && !nonNegative(v.maxMs)) errors.push(`${at}.maxMs: must be a number >= 0`);
  if (v.annotation !== undefined && (typeof v.annotation !== 'string' || !v.annotation)) errors.push(`${at}.annotation: must be a non-empty string`);
  if (v.unit !== undefined && v.unit !== 'ms' && v.unit !== 's') errors.push(`${at}.unit: must be "ms" or "s"`);
  const fromGrace = optionalBool(v.fromGracePeriod, `${at}.fromGracePeriod`, errors);
  const d: StageDelay = { ms: v.ms as number };
  if (typeof v.annotation === 'string') d.annotation = v.annotation;
  if (v.unit === 'ms' || v.unit === 's') d.unit = v.unit;
  if (fromGrace !== undefined) d.fromGracePeriod = fromGrace;
  if (typeof v.maxMs === 'number') d.maxMs = v.maxMs;
  return d;
}
