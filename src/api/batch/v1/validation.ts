/**
 * batch/v1 validation as upstream's ValidateJob, ValidateJobUpdate,
 * ValidateJobUpdateStatus, ValidateCronJobCreate and ValidateCronJobUpdate:
 * same field paths, same messages. Generic ObjectMeta checks are the server's.
 */
import { type FieldError, FieldPath, field } from '../../../machinery/errors/field.js';
import { isDNS1123Label, isQualifiedName } from '../../../machinery/validation/names.js';
import type { PodTemplateSpecT } from '../../core/v1/types.js';
import { validatePodTemplateSpec } from '../../core/v1/validation.js';
import { semanticEqual, validateImmutable, validateNonnegative } from '../../apps/v1/field-checks.js';
import { selectorMatches, validateLabelSelector } from '../../apps/v1/label-selector.js';
import { isKnownTimeZone, parseCron } from './cron.js';
import { JOB_CONTROLLER_UID_LABEL, JOB_NAME_LABEL, LEGACY_JOB_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL } from './defaults.js';
import type { CronJobSpecT, CronJobT, JobSpecT, JobStatusT, JobT, JobTemplateSpecT } from './types.js';

const MAX_PARALLELISM_INDEXED = 100_000;
const MAX_FAILED_INDEXES_INDEXED = 100_000;
const COMPLETIONS_SOFT_LIMIT = 100_000;
const PARALLELISM_LIMIT_HIGH_COMPLETIONS = 10_000;
const MAX_FAILED_INDEXES_HIGH_COMPLETIONS = 10_000;
const MAX_POD_FAILURE_POLICY_RULES = 20;
const MAX_ON_EXIT_CODES_VALUES = 255;
const MAX_ON_POD_CONDITIONS = 20;
const MAX_SUCCESS_POLICY_RULES = 20;
const MAX_SUCCEEDED_INDEXES_LENGTH = 64 * 1024;
const MAX_MANAGED_BY_LENGTH = 63;

const POD_FAILURE_ACTIONS = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
const EXIT_CODE_OPERATORS = ['In', 'NotIn'];
const CONDITION_STATUSES = ['False', 'True', 'Unknown'];
const REPLACEMENT_POLICIES = ['Failed', 'TerminatingOrFailed'];

const spec = new FieldPath('spec');

/** Go's %q of a string slice, as upstream prints "valid values" lists. */
function goQuotedList(values: string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;
}

/** Parses "1,3-5,7" style index lists against `completions`; returns the count or upstream's error. */
export function parseIndexes(text: string, completions: number): { ok: true; total: number } | { ok: false; error: string } {
  if (text === '') return { ok: true, total: 0 };
  let last: number | undefined;
  let total = 0;
  for (const interval of text.split(',')) {
    const parts = interval.split('-');
    if (parts.length > 2) return { ok: false, error: `the fragment "${interval}" violates the requirement that an index interval can have at most two parts separated by '-'` };
    const nums: number[] = [];
    for (const p of parts) {
      if (!/^\d+$/.test(p)) return { ok: false, error: `cannot convert string to integer for index: "${p}"` };
      nums.push(Number(p));
    }
    const x = nums[0]!;
    const y = nums[1] ?? x;
    if (x >= completions || y >= completions) return { ok: false, error: `too large index: "${x >= completions ? parts[0] : parts[1]}"` };
    if (parts.length === 2 && x >= y) return { ok: false, error: `non-increasing order, previous: ${x}, current: ${y}` };
    if (last !== undefined && last >= x) return { ok: false, error: `non-increasing order, previous: ${last}, current: ${x}` };
    total += y - x + 1;
    last = y;
  }
  return { ok: true, total };
}

function validatePodFailurePolicy(s: JobSpecT, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const rules = s.podFailurePolicy?.rules ?? [];
  const rulesPath = path.child('rules');
  if (rules.length > MAX_POD_FAILURE_POLICY_RULES) errs.push(field.tooMany(rulesPath.text, rules.length, MAX_POD_FAILURE_POLICY_RULES));
  const podSpec = (s.template?.spec ?? {}) as { containers?: { name?: string }[]; initContainers?: { name?: string }[] };
  const containerNames = new Set([...(podSpec.containers ?? []), ...(podSpec.initContainers ?? [])].map((c) => c.name));
  rules.forEach((rule, i) => {
    const rp = rulesPath.index(i);
    const actionPath = rp.child('action').text;
    const action = rule.action as string | undefined;
    if (!action) errs.push(field.required(actionPath, `valid values: ${goQuotedList(POD_FAILURE_ACTIONS)}`));
    else if (action === 'FailIndex') {
      if (s.backoffLimitPerIndex === undefined) errs.push(field.invalid(actionPath, action, 'requires the backoffLimitPerIndex to be set'));
    } else if (!POD_FAILURE_ACTIONS.includes(action)) errs.push(field.notSupported(actionPath, action, POD_FAILURE_ACTIONS));

    const oec = rule.onExitCodes;
    if (oec) {
      const op = rp.child('onExitCodes');
      const operator = oec.operator as string | undefined;
      if (!operator) errs.push(field.required(op.child('operator').text, `valid values: ${goQuotedList(EXIT_CODE_OPERATORS)}`));
      else if (!EXIT_CODE_OPERATORS.includes(operator)) errs.push(field.notSupported(op.child('operator').text, operator, EXIT_CODE_OPERATORS));
      if (oec.containerName !== undefined && !containerNames.has(oec.containerName)) {
        errs.push(field.invalid(op.child('containerName').text, oec.containerName, 'must be one of the container or initContainer names in the pod template'));
      }
      const values = oec.values ?? [];
      const vp = op.child('values');
      if (values.length === 0) errs.push(field.invalid(vp.text, values, 'at least one value is required'));
      else if (values.length > MAX_ON_EXIT_CODES_VALUES) errs.push(field.tooMany(vp.text, values.length, MAX_ON_EXIT_CODES_VALUES));
      const seen = new Set<number>();
      let ordered = true;
      values.forEach((v, j) => {
        if (operator === 'In' && v === 0) errs.push(field.invalid(vp.index(j).text, v, 'must not be 0 for the In operator'));
        if (seen.has(v)) errs.push(field.duplicate(vp.index(j).text, v));
        else seen.add(v);
        if (j > 0 && values[j - 1]! > v) ordered = false;
      });
      if (!ordered) errs.push(field.invalid(vp.text, values, 'must be ordered'));
    }
    const conds = rule.onPodConditions ?? [];
    if (conds.length > 0) {
      const cp = rp.child('onPodConditions');
      if (conds.length > MAX_ON_POD_CONDITIONS) errs.push(field.tooMany(cp.text, conds.length, MAX_ON_POD_CONDITIONS));
      conds.forEach((c, j) => {
        for (const m of isQualifiedName(c.type ?? '')) errs.push(field.invalid(cp.index(j).child('type').text, c.type, m));
        const sp = cp.index(j).child('status').text;
        if (!c.status) errs.push(field.required(sp, `valid values: ${goQuotedList(CONDITION_STATUSES)}`));
        else if (!CONDITION_STATUSES.includes(c.status)) errs.push(field.notSupported(sp, c.status, CONDITION_STATUSES));
      });
    }
    // OmitValueType upstream: the message carries no value.
    if (oec && conds.length > 0) errs.push(field.invalid(rp.text, undefined, 'specifying both OnExitCodes and OnPodConditions is not supported'));
    if (!oec && conds.length === 0) errs.push(field.invalid(rp.text, undefined, 'specifying one of OnExitCodes and OnPodConditions is required'));
  });
  return errs;
}

function validateSuccessPolicy(s: JobSpecT, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const rules = s.successPolicy?.rules ?? [];
  const rulesPath = path.child('rules');
  if (rules.length === 0) errs.push(field.required(rulesPath.text, 'at least one rules must be specified when the successPolicy is specified'));
  if (rules.length > MAX_SUCCESS_POLICY_RULES) errs.push(field.tooMany(rulesPath.text, rules.length, MAX_SUCCESS_POLICY_RULES));
  const completions = s.completions ?? 0;
  rules.forEach((rule, i) => {
    const rp = rulesPath.index(i);
    if (rule.succeededCount === undefined && rule.succeededIndexes === undefined) {
      errs.push(field.required(rp.text, 'at least one of succeededCount or succeededIndexes must be specified'));
    }
    let total = 0;
    if (rule.succeededIndexes !== undefined) {
      const ip = rp.child('succeededIndexes').text;
      if (rule.succeededIndexes.length > MAX_SUCCEEDED_INDEXES_LENGTH) errs.push(field.tooLong(ip, rule.succeededIndexes, MAX_SUCCEEDED_INDEXES_LENGTH));
      const parsed = parseIndexes(rule.succeededIndexes, completions);
      if (parsed.ok) total = parsed.total;
      else errs.push(field.invalid(ip, rule.succeededIndexes, `error parsing succeededIndexes: ${parsed.error}`));
    }
    if (rule.succeededCount !== undefined) {
      const cp = rp.child('succeededCount');
      errs.push(...validateNonnegative(rule.succeededCount, cp));
      if (rule.succeededCount > completions) errs.push(field.invalid(cp.text, rule.succeededCount, `must be less than or equal to ${completions} (the number of specified completions)`));
      if (rule.succeededIndexes !== undefined && rule.succeededCount > total) {
        errs.push(field.invalid(cp.text, rule.succeededCount, `must be less than or equal to ${total} (the number of indexes in the specified succeededIndexes field)`));
      }
    }
  });
  return errs;
}

function validateJobTemplateRestartPolicy(s: JobSpecT, path: FieldPath): FieldError[] {
  const restart = s.template?.spec?.restartPolicy as string | undefined;
  const p = path.child('template').child('spec').child('restartPolicy').text;
  // An unset policy has already been defaulted to Always, which jobs cannot use.
  if (!restart || restart === 'Always') return [field.required(p, 'valid values: "OnFailure", "Never"')];
  if (restart !== 'OnFailure' && restart !== 'Never') return [field.notSupported(p, restart, ['OnFailure', 'Never'])];
  if (s.podFailurePolicy && restart !== 'Never') return [field.invalid(p, restart, 'only "Never" is supported when podFailurePolicy is specified')];
  return [];
}

/** Upstream's validateJobSpec: everything but the selector. */
function validateJobSpecBody(s: JobSpecT, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex'] as const) {
    errs.push(...validateNonnegative(s[k], path.child(k)));
  }
  if (s.maxFailedIndexes !== undefined) {
    errs.push(...validateNonnegative(s.maxFailedIndexes, path.child('maxFailedIndexes')));
    if (s.backoffLimitPerIndex === undefined) errs.push(field.required(path.child('backoffLimitPerIndex').text, 'when maxFailedIndexes is specified'));
  }
  if (s.managedBy !== undefined) {
    const mp = path.child('managedBy').text;
    const slash = s.managedBy.indexOf('/');
    const domain = slash < 0 ? '' : s.managedBy.slice(0, slash);
    if (slash < 0 || domain === '' || s.managedBy.slice(slash + 1) === '') errs.push(field.invalid(mp, s.managedBy, 'must be a domain-prefixed path (such as "acme.io/foo")'));
    if (s.managedBy.length > MAX_MANAGED_BY_LENGTH) errs.push(field.tooLong(mp, s.managedBy, MAX_MANAGED_BY_LENGTH));
  }
  const mode = s.completionMode as string | undefined;
  if (mode !== undefined) {
    if (mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(field.notSupported(path.child('completionMode').text, mode, ['NonIndexed', 'Indexed']));
    if (mode === 'Indexed') {
      if (s.completions === undefined) errs.push(field.required(path.child('completions').text, 'when completion mode is Indexed'));
      if (s.parallelism !== undefined && s.parallelism > MAX_PARALLELISM_INDEXED) {
        errs.push(field.invalid(path.child('parallelism').text, s.parallelism, `must be less than or equal to ${MAX_PARALLELISM_INDEXED} when completion mode is Indexed`));
      }
      if (s.completions !== undefined && s.maxFailedIndexes !== undefined && s.maxFailedIndexes > s.completions) {
        errs.push(field.invalid(path.child('maxFailedIndexes').text, s.maxFailedIndexes, 'must be less than or equal to completions'));
      }
      if (s.maxFailedIndexes !== undefined && s.maxFailedIndexes > MAX_FAILED_INDEXES_INDEXED) {
        errs.push(field.invalid(path.child('maxFailedIndexes').text, s.maxFailedIndexes, `must be less than or equal to ${MAX_FAILED_INDEXES_INDEXED}`));
      }
      if (s.completions !== undefined && s.completions > COMPLETIONS_SOFT_LIMIT && s.backoffLimitPerIndex !== undefined) {
        const suffix = `when completions are above ${COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index`;
        if (s.maxFailedIndexes === undefined) errs.push(field.required(path.child('maxFailedIndexes').text, `must be specified when completions is above ${COMPLETIONS_SOFT_LIMIT}`));
        if (s.parallelism !== undefined && s.parallelism > PARALLELISM_LIMIT_HIGH_COMPLETIONS) {
          errs.push(field.invalid(path.child('parallelism').text, s.parallelism, `must be less than or equal to ${PARALLELISM_LIMIT_HIGH_COMPLETIONS} ${suffix}`));
        }
        if (s.maxFailedIndexes !== undefined && s.maxFailedIndexes > MAX_FAILED_INDEXES_HIGH_COMPLETIONS) {
          errs.push(field.invalid(path.child('maxFailedIndexes').text, s.maxFailedIndexes, `must be less than or equal to ${MAX_FAILED_INDEXES_HIGH_COMPLETIONS} ${suffix}`));
        }
      }
    }
  }
  if (mode === undefined || mode === 'NonIndexed') {
    if (s.backoffLimitPerIndex !== undefined) errs.push(field.invalid(path.child('backoffLimitPerIndex').text, s.backoffLimitPerIndex, 'requires indexed completion mode'));
    if (s.maxFailedIndexes !== undefined) errs.push(field.invalid(path.child('maxFailedIndexes').text, s.maxFailedIndexes, 'requires indexed completion mode'));
  }
  if (s.podFailurePolicy) errs.push(...validatePodFailurePolicy(s, path.child('podFailurePolicy')));
  if (s.successPolicy) {
    if (mode !== 'Indexed') errs.push(field.invalid(path.child('successPolicy').text, s.successPolicy, 'requires indexed completion mode'));
    else errs.push(...validateSuccessPolicy(s, path.child('successPolicy')));
  }
  const rp = s.podReplacementPolicy as string | undefined;
  if (rp !== undefined) {
    if (s.podFailurePolicy) {
      if (rp !== 'Failed') errs.push(field.notSupported(path.child('podReplacementPolicy').text, rp, ['Failed']));
    } else if (!REPLACEMENT_POLICIES.includes(rp)) {
      errs.push(field.notSupported(path.child('podReplacementPolicy').text, rp, REPLACEMENT_POLICIES));
    }
  }
  if (!s.template) errs.push(field.required(path.child('template').text, ''));
  else errs.push(...validatePodTemplateSpec(s.template, path.child('template')));
  errs.push(...validateJobTemplateRestartPolicy(s, path));
  return errs;
}

export function validateJobSpec(s: JobSpecT | undefined, path: FieldPath): FieldError[] {
  const js = s ?? ({} as JobSpecT);
  const errs = validateJobSpecBody(js, path);
  if (!js.selector) errs.push(field.required(path.child('selector').text, ''));
  else {
    errs.push(...validateLabelSelector(js.selector, path.child('selector')));
    if (!selectorMatches(js.selector, js.template?.metadata?.labels)) {
      errs.push(field.invalid(path.child('template').child('metadata').child('labels').text, js.template?.metadata?.labels ?? {}, '`selector` does not match template `labels`'));
    }
  }
  return errs;
}

/** Upstream ValidateHasLabel. */
function validateHasLabel(template: PodTemplateSpecT | undefined, key: string, expected: string): FieldError[] {
  const labels = template?.metadata?.labels ?? {};
  const p = new FieldPath('spec.template.metadata.labels').key(key).text;
  if (!(key in labels)) return [field.required(p, expected)];
  return labels[key] === expected ? [] : [field.invalid(p, labels, `must be '${expected}'`)];
}

/** The generated selector and pod labels must still be what the server generated. */
function validateGeneratedSelector(job: JobT): FieldError[] {
  const s = job.spec;
  if (!s || s.manualSelector === true || !s.selector) return [];
  const uid = job.metadata?.uid ?? '';
  const name = job.metadata?.name ?? '';
  const errs: FieldError[] = [];
  if (!uid) errs.push(field.required('metadata.uid', ''));
  errs.push(...validateHasLabel(s.template, LEGACY_JOB_CONTROLLER_UID_LABEL, uid));
  errs.push(...validateHasLabel(s.template, LEGACY_JOB_NAME_LABEL, name));
  errs.push(...validateHasLabel(s.template, JOB_CONTROLLER_UID_LABEL, uid));
  errs.push(...validateHasLabel(s.template, JOB_NAME_LABEL, name));
  const expected = { [JOB_CONTROLLER_UID_LABEL]: uid, [JOB_NAME_LABEL]: name, [LEGACY_JOB_CONTROLLER_UID_LABEL]: uid, [LEGACY_JOB_NAME_LABEL]: name };
  if (!selectorMatches(s.selector, expected)) errs.push(field.invalid('spec.selector', s.selector, '`selector` not auto-generated'));
  return errs;
}

export function validateJob(job: JobT): FieldError[] {
  const errs = validateGeneratedSelector(job);
  errs.push(...validateJobSpec(job.spec, spec));
  const s = job.spec;
  if (s?.completionMode === 'Indexed' && s.completions !== undefined && s.completions > 0) {
    // Indexed pods get "-<index>" appended to the job name as their hostname.
    const host = `${job.metadata?.name ?? ''}-${s.completions - 1}`;
    if (isDNS1123Label(host).length > 0) errs.push(field.invalid('metadata.name', job.metadata?.name, `will not able to create pod with invalid DNS label: ${host}`));
  }
  return errs;
}

/** Whether the old job allows scheduling directives in its template to change: suspended and never started. */
function schedulingDirectivesMutable(old: JobT): boolean {
  return old.spec?.suspend === true && !old.status?.startTime;
}

function validateTemplateUpdate(next: JobT, old: JobT): FieldError[] {
  const t = next.spec?.template;
  const o = old.spec?.template;
  if (!schedulingDirectivesMutable(old)) return validateImmutable(t, o, spec.child('template'));
  const strip = (x: PodTemplateSpecT | undefined): unknown => {
    if (!x) return x;
    const meta = { ...(x.metadata ?? {}) } as Record<string, unknown>;
    delete meta.labels;
    delete meta.annotations;
    const ps = { ...(x.spec ?? {}) } as Record<string, unknown>;
    delete ps.nodeSelector;
    delete ps.tolerations;
    delete ps.schedulingGates;
    // Only node affinity may change; pod (anti-)affinity stays frozen.
    const aff = { ...((ps.affinity as Record<string, unknown> | undefined) ?? {}) };
    delete aff.nodeAffinity;
    ps.affinity = Object.keys(aff).length ? aff : undefined;
    return { ...x, metadata: meta, spec: ps };
  };
  return semanticEqual(strip(t), strip(o)) ? [] : [field.invalid('spec.template', t, 'field is immutable')];
}

function validateCompletionsUpdate(s: JobSpecT, o: JobSpecT): FieldError[] {
  const p = spec.child('completions');
  if (s.completionMode !== 'Indexed') return validateImmutable(s.completions, o.completions, p);
  if (semanticEqual(s.completions, o.completions) || s.completions === undefined) return [];
  // Indexed jobs scale elastically when completions and parallelism move together.
  return s.completions !== s.parallelism ? [field.invalid(p.text, s.completions, 'can only be modified in tandem with spec.parallelism')] : [];
}

export function validateJobUpdate(job: JobT, old: JobT): FieldError[] {
  const s = job.spec ?? ({} as JobSpecT);
  const o = old.spec ?? ({} as JobSpecT);
  const errs = validateJobSpec(s, spec);
  errs.push(...validateCompletionsUpdate(s, o));
  errs.push(...validateImmutable(s.selector, o.selector, spec.child('selector')));
  errs.push(...validateTemplateUpdate(job, old));
  for (const k of ['completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy', 'successPolicy'] as const) {
    errs.push(...validateImmutable(s[k], o[k], spec.child(k)));
  }
  return errs;
}

function conditionTrue(st: JobStatusT | undefined, type: string): boolean {
  return (st?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

export function validateJobStatus(st: JobStatusT | undefined, path: FieldPath): FieldError[] {
  const s = st ?? {};
  const errs: FieldError[] = [];
  for (const k of ['active', 'succeeded', 'failed', 'ready', 'terminating'] as const) errs.push(...validateNonnegative(s[k], path.child(k)));
  const u = s.uncountedTerminatedPods;
  if (u) {
    const seen = new Set<string>();
    for (const k of ['succeeded', 'failed'] as const) {
      (u[k] ?? []).forEach((uid, i) => {
        const p = path.child('uncountedTerminatedPods').child(k).index(i).text;
        if (uid === '') errs.push(field.invalid(p, uid, 'must not be empty'));
        else if (seen.has(uid)) errs.push(field.duplicate(p, uid));
        else seen.add(uid);
      });
    }
  }
  if (conditionTrue(s, 'Complete') && conditionTrue(s, 'Failed')) {
    errs.push(field.invalid(path.child('conditions').text, undefined, 'cannot set Complete=True and Failed=true conditions'));
  }
  if (s.ready !== undefined && s.ready > (s.active ?? 0)) errs.push(field.invalid(path.child('ready').text, s.ready, 'cannot set more ready pods than active'));
  return errs;
}

export function validateJobStatusUpdate(job: JobT, old: JobT): FieldError[] {
  const status = new FieldPath('status');
  const errs = validateJobStatus(job.status, status);
  for (const type of ['Failed', 'Complete', 'FailureTarget']) {
    if (conditionTrue(old.status, type) && !conditionTrue(job.status, type)) {
      errs.push(field.invalid(status.child('conditions').text, undefined, `cannot disable the terminal ${type}=True condition`));
    }
  }
  if ((job.status?.failed ?? 0) < (old.status?.failed ?? 0)) errs.push(field.invalid(status.child('failed').text, job.status?.failed ?? 0, 'cannot decrease the failed counter'));
  if ((job.status?.succeeded ?? 0) < (old.status?.succeeded ?? 0)) {
    errs.push(field.invalid(status.child('succeeded').text, job.status?.succeeded ?? 0, 'cannot decrease the succeeded counter'));
  }
  return errs;
}

// ---- CronJob ----

const TZ_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

export function validateTimeZone(tz: string | undefined, path: FieldPath): FieldError[] {
  if (tz === undefined || tz === null) return [];
  if (tz === '') return [field.invalid(path.text, tz, 'timeZone must be nil or non-empty string')];
  for (const part of tz.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !TZ_PART.test(part)) return [field.invalid(path.text, tz, `unknown time zone ${tz}`)];
  }
  const errs: FieldError[] = [];
  if (tz.toLowerCase() === 'local') errs.push(field.invalid(path.text, tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'));
  else if (!isKnownTimeZone(tz)) errs.push(field.invalid(path.text, tz, `unknown time zone ${tz}`));
  return errs;
}

function validateSchedule(schedule: string, opts: { allowTZInSchedule: boolean; timeZone: string | undefined }, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const parsed = parseCron(schedule);
  if (!parsed.ok) errs.push(field.invalid(path.text, schedule, parsed.error));
  if (opts.allowTZInSchedule && schedule.includes('TZ') && opts.timeZone !== undefined) {
    errs.push(field.invalid(path.text, schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
  } else if (!opts.allowTZInSchedule && schedule.includes('TZ')) {
    errs.push(field.invalid(path.text, schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  return errs;
}

export function validateJobTemplateSpec(jt: JobTemplateSpecT | undefined, path: FieldPath): FieldError[] {
  const s = jt?.spec ?? ({} as JobSpecT);
  const errs = validateJobSpecBody(s, path.child('spec'));
  if (s.selector) errs.push(field.invalid(path.child('spec').child('selector').text, s.selector, '`selector` will be auto-generated'));
  if (s.manualSelector === true) errs.push(field.notSupported(path.child('spec').child('manualSelector').text, true, ['nil', 'false']));
  return errs;
}

export function validateCronJobSpec(s: CronJobSpecT | undefined, old: CronJobSpecT | undefined, path: FieldPath): FieldError[] {
  const cs = s ?? ({} as CronJobSpecT);
  const errs: FieldError[] = [];
  if (!cs.schedule) errs.push(field.required(path.child('schedule').text, ''));
  else errs.push(...validateSchedule(cs.schedule, { allowTZInSchedule: !!old?.schedule?.includes('TZ'), timeZone: cs.timeZone }, path.child('schedule')));
  errs.push(...validateNonnegative(cs.startingDeadlineSeconds, path.child('startingDeadlineSeconds')));
  if (!old || old.timeZone !== cs.timeZone) errs.push(...validateTimeZone(cs.timeZone, path.child('timeZone')));
  const cp = cs.concurrencyPolicy as string | undefined;
  if (!cp) errs.push(field.required(path.child('concurrencyPolicy').text, ''));
  else if (!['Allow', 'Forbid', 'Replace'].includes(cp)) errs.push(field.notSupported(path.child('concurrencyPolicy').text, cp, ['Allow', 'Forbid', 'Replace']));
  errs.push(...validateJobTemplateSpec(cs.jobTemplate, path.child('jobTemplate')));
  errs.push(...validateNonnegative(cs.successfulJobsHistoryLimit, path.child('successfulJobsHistoryLimit')));
  errs.push(...validateNonnegative(cs.failedJobsHistoryLimit, path.child('failedJobsHistoryLimit')));
  return errs;
}

/** CronJob names leave room for the 11-character suffix of the jobs it creates. */
const MAX_CRONJOB_NAME = 52;

export function validateCronJob(cj: CronJobT): FieldError[] {
  const errs = validateCronJobSpec(cj.spec, undefined, spec);
  const name = cj.metadata?.name ?? '';
  if (name.length > MAX_CRONJOB_NAME) errs.push(field.invalid('metadata.name', name, `must be no more than ${MAX_CRONJOB_NAME} characters`));
  return errs;
}

export function validateCronJobUpdate(cj: CronJobT, old: CronJobT): FieldError[] {
  return validateCronJobSpec(cj.spec, old.spec ?? ({} as CronJobSpecT), spec);
}

export function validateCronJobStatusUpdate(_cj: CronJobT, _old: CronJobT): FieldError[] {
  return [];
}
