/**
 * The bits of the Prometheus text exposition format (0.0.4) kubelet's
 * endpoints use, formatted the way Go's client writes them, so a scraper
 * that parses kubelet output byte-for-byte reads ours the same.
 */

/** Go's `strconv.FormatFloat(v, 'g', -1, 64)`: shortest digits, exponent form from 1e6 up or below 1e-4. */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mantissa, expText] = v.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  // Shortest 'g' in Go decides with precision 6, unlike JavaScript's 21.
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp);
    return `${mantissa}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  return String(v);
}

export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export interface Sample {
  labels?: Record<string, string>;
  value: number;
  /** Milliseconds since the epoch; omitted when absent. */
  timestamp?: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: Sample[];
}

function labelText(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (!keys.length) return '';
  return `{${keys.map((k) => `${k}="${escapeLabelValue(labels![k]!)}"`).join(',')}}`;
}

/** Families sorted by name and series by their label text, as Go's registry gathers them. */
export function renderFamilies(families: readonly MetricFamily[]): string {
  const out: string[] = [];
  for (const f of [...families].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    const lines = f.samples.map((s) => `${f.name}${labelText(s.labels)} ${formatGoFloat(s.value)}${s.timestamp !== undefined ? ` ${Math.round(s.timestamp)}` : ''}`);
    out.push(...lines.sort());
  }
  return out.join('\n') + '\n';
}
