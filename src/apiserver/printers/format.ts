/** Cell formatting shared by the built-in printers, matching upstream's formatting functions. */
import { humanDuration } from './human-duration.js';
import type { ColumnDefinition, PrintContext } from './types.js';

export const nameDescription =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
export const creationTimestampDescription =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

export function column(
  name: string,
  type: ColumnDefinition['type'],
  description: string,
  opts: { priority?: number; format?: string } = {},
): ColumnDefinition {
  return { name, type, format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}

export const nameColumn = column('Name', 'string', nameDescription, { format: 'name' });
export const ageColumn = column('Age', 'string', creationTimestampDescription);
export const containersColumn = column('Containers', 'string', 'Names of each container in the template.', { priority: 1 });
export const imagesColumn = column('Images', 'string', 'Images referenced by each container in the template.', { priority: 1 });

/** Milliseconds of an RFC 3339 timestamp; undefined for absent or unparsable values. */
export function parseTime(ts: unknown): number | undefined {
  if (typeof ts !== 'string' || ts === '') return undefined;
  const t = Date.parse(ts);
  return Number.isNaN(t) ? undefined : t;
}

/** Time since a timestamp, or <unknown> when there is none. */
export function since(ts: unknown, ctx: PrintContext): string {
  const t = parseTime(ts);
  return t === undefined ? '<unknown>' : humanDuration(ctx.now - t);
}

export function age(obj: any, ctx: PrintContext): string {
  return since(obj?.metadata?.creationTimestamp, ctx);
}

export function nameOf(obj: any): string {
  return obj?.metadata?.name ?? '';
}

/** Container names and images, each comma-joined. */
export function containerCells(containers: any[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c?.name ?? '').join(','), list.map((c) => c?.image ?? '').join(',')];
}

/** labels.FormatLabels: sorted `k=v` pairs, or <none>. */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

/**
 * The string form of a metav1.LabelSelector as labels.Selector prints it;
 * undefined when the selector is invalid.
 */
export function labelSelectorString(sel: any): string | undefined {
  if (sel == null) return '';
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries((sel.matchLabels ?? {}) as Record<string, string>)) reqs.push({ key: k, text: `${k}=${v}` });
  for (const e of (sel.matchExpressions ?? []) as any[]) {
    const values = [...((e.values ?? []) as string[])].sort();
    switch (e.operator) {
      case 'In':
        if (values.length === 0) return undefined;
        reqs.push({ key: e.key, text: `${e.key} in (${values.join(',')})` });
        break;
      case 'NotIn':
        if (values.length === 0) return undefined;
        reqs.push({ key: e.key, text: `${e.key} notin (${values.join(',')})` });
        break;
      case 'Exists':
        reqs.push({ key: e.key, text: e.key });
        break;
      case 'DoesNotExist':
        reqs.push({ key: e.key, text: `!${e.key}` });
        break;
      default:
        return undefined;
    }
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: <none> for an empty selector, <error> for an invalid one. */
export function formatLabelSelector(sel: any): string {
  const s = labelSelectorString(sel);
  if (s === undefined) return '<error>';
  return s === '' ? '<none>' : s;
}

export function boolPtr(v: unknown): string {
  if (typeof v !== 'boolean') return '<unset>';
  return v ? 'True' : 'False';
}

/** At most `max` entries, then " + N more..."; <unset> for none. */
export function listWithMore(items: string[], max = 3): string {
  const shown = items.slice(0, max).join(',');
  if (items.length > max) return `${shown} + ${items.length - max} more...`;
  return shown === '' ? '<unset>' : shown;
}

/** Sorted, de-duplicated load-balancer ingress IPs or host names. */
export function loadBalancerIngress(ingress: any[] | undefined): string {
  const set = new Set<string>();
  for (const i of ingress ?? []) {
    if (i?.ip) set.add(i.ip);
    else if (i?.hostname) set.add(i.hostname);
  }
  return [...set].sort().join(',');
}

/** The value of the first condition of a type, as hasJobCondition and friends look it up. */
export function conditionIsTrue(conditions: any[] | undefined, type: string): boolean {
  const c = (conditions ?? []).find((x) => x?.type === type);
  return c?.status === 'True';
}

/** An IntOrString as Go prints it. */
export function intOrString(v: unknown): string {
  return typeof v === 'number' ? String(v) : String(v ?? '');
}

/** Access modes abbreviated in upstream's fixed order, without duplicates. */
export function accessModes(modes: string[] | undefined): string {
  const have = new Set(modes ?? []);
  const out: string[] = [];
  if (have.has('ReadWriteOnce')) out.push('RWO');
  if (have.has('ReadOnlyMany')) out.push('ROX');
  if (have.has('ReadWriteMany')) out.push('RWX');
  if (have.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

export function int(v: unknown): number {
  return typeof v === 'number' ? Math.trunc(v) : 0;
}
