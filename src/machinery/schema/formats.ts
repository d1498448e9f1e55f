/**
 * The string formats CRD validation checks (kube-openapi's strfmt registry,
 * the subset that matters for Kubernetes objects). Unknown formats pass, as
 * upstream ignores formats it has no checker for.
 */

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const UUID = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const MAC = /^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$/;
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*$/;
const DURATION = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d|w))+$/;

function isIPv6(v: string): boolean {
  if (!v.includes(':')) return false;
  const parts = v.split('::');
  if (parts.length > 2) return false;
  const groups = (s: string): string[] => (s ? s.split(':') : []);
  const all = [...groups(parts[0]!), ...(parts.length === 2 ? groups(parts[1]!) : [])];
  let n = 0;
  for (let i = 0; i < all.length; i++) {
    const g = all[i]!;
    if (i === all.length - 1 && IPV4.test(g)) {
      n += 2;
      continue;
    }
    if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return false;
    n++;
  }
  return parts.length === 2 ? n < 8 : n === 8;
}

function validDateTime(v: string): boolean {
  if (!DATE_TIME.test(v)) return false;
  return !Number.isNaN(Date.parse(v.replace(' ', 'T')));
}

const checkers: Record<string, (v: string) => boolean> = {
  'date-time': validDateTime,
  datetime: validDateTime,
  date: (v) => DATE.test(v) && !Number.isNaN(Date.parse(v)),
  byte: (v) => BASE64.test(v),
  uuid: (v) => UUID.test(v),
  ipv4: (v) => IPV4.test(v),
  ipv6: isIPv6,
  cidr: (v) => {
    const i = v.lastIndexOf('/');
    if (i < 0) return false;
    const ip = v.slice(0, i);
    const bits = v.slice(i + 1);
    if (!/^\d{1,3}$/.test(bits)) return false;
    const max = IPV4.test(ip) ? 32 : isIPv6(ip) ? 128 : -1;
    return max >= 0 && Number(bits) <= max;
  },
  mac: (v) => MAC.test(v),
  hostname: (v) => HOSTNAME.test(v),
  duration: (v) => DURATION.test(v),
};

/** True when `v` satisfies the format, or when the format is not one upstream checks. */
export function checkFormat(format: string, v: string): boolean {
  const c = checkers[format];
  return c ? c(v) : true;
}
