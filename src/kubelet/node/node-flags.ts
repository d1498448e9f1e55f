/**
 * `--node-labels` and `--node-taints` values, as kubelet and k3s take them:
 * `key=value` pairs and `key[=value]:Effect` taints, comma-separated or repeated.
 */
export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

const QUALIFIED = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function validKey(k: string): boolean {
  const name = k.includes('/') ? k.slice(k.indexOf('/') + 1) : k;
  return QUALIFIED.test(k) && name.length <= 63 && k.length <= 253 + 64;
}

export function parseNodeLabels(items: readonly string[]): ParseResult<Record<string, string>> {
  const labels: Record<string, string> = {};
  for (const raw of items.flatMap((i) => i.split(',')).map((s) => s.trim()).filter(Boolean)) {
    const eq = raw.indexOf('=');
    if (eq <= 0) return { ok: false, message: `invalid label "${raw}": want key=value` };
    const key = raw.slice(0, eq);
    const value = raw.slice(eq + 1);
    if (!validKey(key)) return { ok: false, message: `invalid label key "${key}": must be a qualified name` };
    if (value.length > 63 || !VALUE.test(value)) return { ok: false, message: `invalid label value "${value}" for key "${key}": must be 63 characters or less, alphanumeric, '-', '_' or '.'` };
    labels[key] = value;
  }
  return { ok: true, value: labels };
}

export function parseNodeTaints(items: readonly string[]): ParseResult<Taint[]> {
  const taints: Taint[] = [];
  for (const raw of items.flatMap((i) => i.split(',')).map((s) => s.trim()).filter(Boolean)) {
    const m = /^([^=:]+)(?:=([^:]*))?:([^:]+)$/.exec(raw);
    if (!m) return { ok: false, message: `invalid taint spec: ${raw}` };
    const [, key, value, effect] = m as unknown as [string, string, string | undefined, string];
    if (!validKey(key)) return { ok: false, message: `invalid taint key "${key}": must be a qualified name` };
    if (effect !== 'NoSchedule' && effect !== 'PreferNoSchedule' && effect !== 'NoExecute') return { ok: false, message: `invalid taint effect: ${effect}, unsupported taint effect` };
    if (value !== undefined && (value.length > 63 || !VALUE.test(value))) return { ok: false, message: `invalid taint value "${value}"` };
    if (taints.some((t) => t.key === key && t.effect === effect)) return { ok: false, message: `duplicate taint ${key}:${effect}` };
    taints.push(value !== undefined && value !== '' ? { key, value, effect } : { key, effect });
  }
  return { ok: true, value: taints };
}
