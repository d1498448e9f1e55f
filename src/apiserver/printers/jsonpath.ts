/**
 * The JSONPath subset printer columns use (CRD additionalPrinterColumns and
 * kubectl-style paths): `.a.b`, `['a.b']`, `[n]` (negative from the end),
 * `[*]`, `.*`, and filters `[?(@.x == "v")]`, `!=`, `<`, `>`, `<=`, `>=`, and
 * `[?(@.x)]` for presence. Anything else is refused as a parse error.
 */
type Literal = string | number | boolean | null;
type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'filter'; path: Step[]; op?: '==' | '!=' | '<' | '>' | '<=' | '>='; value?: Literal };

export type JSONPathParse = { kind: 'ok'; steps: Step[] } | { kind: 'error'; message: string };

export function parseJSONPath(expr: string): JSONPathParse {
  let text = expr.trim();
  if (text.startsWith('{') && text.endsWith('}')) text = text.slice(1, -1).trim();
  if (text.startsWith('$')) text = text.slice(1);
  const steps: Step[] = [];
  let i = 0;
  const fail = (why: string): JSONPathParse => ({ kind: 'error', message: `invalid JSONPath ${JSON.stringify(expr)}: ${why}` });
  while (i < text.length) {
    const c = text[i]!;
    if (c === '.') {
      i++;
      if (text[i] === '.') return fail('recursive descent is not supported');
      if (text[i] === '*') {
        steps.push({ kind: 'wildcard' });
        i++;
        continue;
      }
      const m = /^[A-Za-z0-9_\-$/]+/.exec(text.slice(i));
      if (!m) {
        // A lone "." (or a trailing one) selects the current object.
        if (i >= text.length) break;
        if (text[i] === '[') continue;
        return fail(`unexpected ${JSON.stringify(text[i])} at ${i}`);
      }
      steps.push({ kind: 'field', name: m[0] });
      i += m[0].length;
      continue;
    }
    if (c === '[') {
      const close = findClose(text, i);
      if (close < 0) return fail('unterminated [');
      const inner = text.slice(i + 1, close).trim();
      i = close + 1;
      if (inner === '*') {
        steps.push({ kind: 'wildcard' });
      } else if (/^-?\d+$/.test(inner)) {
        steps.push({ kind: 'index', index: Number(inner) });
      } else if (/^'[^']*'$/.test(inner) || /^"[^"]*"$/.test(inner)) {
        steps.push({ kind: 'field', name: inner.slice(1, -1) });
      } else if (inner.startsWith('?(') && inner.endsWith(')')) {
        const f = parseFilter(inner.slice(2, -1).trim());
        if (!f) return fail(`unsupported filter ${inner}`);
        steps.push(f);
      } else {
        return fail(`unsupported subscript [${inner}]`);
      }
      continue;
    }
    if (/[A-Za-z_]/.test(c) && steps.length === 0) {
      // Paths written without the leading dot, e.g. "spec.replicas".
      text = '.' + text.slice(i);
      i = 0;
      continue;
    }
    return fail(`unexpected ${JSON.stringify(c)} at ${i}`);
  }
  return { kind: 'ok', steps };
}

function findClose(text: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let j = open; j < text.length; j++) {
    const ch = text[j]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[') depth++;
    else if (ch === ']' && --depth === 0) return j;
  }
  return -1;
}

function parseFilter(body: string): Step | undefined {
  const m = /^@((?:\.[A-Za-z0-9_\-$/]+|\['[^']*'\])*)\s*(?:(==|!=|<=|>=|<|>)\s*(.+))?$/.exec(body);
  if (!m) return undefined;
  const inner = parseJSONPath(m[1] ?? '');
  if (inner.kind !== 'ok') return undefined;
  if (!m[2]) return { kind: 'filter', path: inner.steps };
  const raw = m[3]!.trim();
  let value: Literal;
  if (/^"[^"]*"$/.test(raw) || /^'[^']*'$/.test(raw)) value = raw.slice(1, -1);
  else if (/^-?\d+(\.\d+)?$/.test(raw)) value = Number(raw);
  else if (raw === 'true' || raw === 'false') value = raw === 'true';
  else if (raw === 'nil' || raw === 'null') value = null;
  else return undefined;
  return { kind: 'filter', path: inner.steps, op: m[2] as '==' | '!=' | '<' | '>' | '<=' | '>=', value };
}

function apply(values: unknown[], step: Step): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    switch (step.kind) {
      case 'field':
        if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, step.name)) {
          out.push((v as Record<string, unknown>)[step.name]);
        }
        break;
      case 'index':
        if (Array.isArray(v)) {
          const idx = step.index < 0 ? v.length + step.index : step.index;
          if (idx >= 0 && idx < v.length) out.push(v[idx]);
        }
        break;
      case 'wildcard':
        if (Array.isArray(v)) out.push(...v);
        else if (v !== null && typeof v === 'object') out.push(...Object.values(v));
        break;
      case 'filter': {
        const items = Array.isArray(v) ? v : v !== null && typeof v === 'object' ? Object.values(v) : [];
        for (const item of items) if (matches(item, step)) out.push(item);
        break;
      }
    }
  }
  return out;
}

function matches(item: unknown, f: Extract<Step, { kind: 'filter' }>): boolean {
  const found = f.path.reduce<unknown[]>((acc, s) => apply(acc, s), [item]);
  if (!f.op) return found.length > 0 && found[0] !== null && found[0] !== false;
  if (found.length === 0) return false;
  const left = found[0];
  const right = f.value;
  switch (f.op) {
    case '==':
      return left === right || (typeof left === 'number' && typeof right === 'string' && String(left) === right);
    case '!=':
      return left !== right;
    default: {
      if (typeof left !== 'number' || typeof right !== 'number') return false;
      if (f.op === '<') return left < right;
      if (f.op === '>') return left > right;
      if (f.op === '<=') return left <= right;
      return left >= right;
    }
  }
}

/** Every value the path selects, in document order; none for an invalid path. */
export function evalJSONPath(obj: unknown, expr: string): unknown[] {
  const parsed = parseJSONPath(expr);
  if (parsed.kind !== 'ok') return [];
  return parsed.steps.reduce<unknown[]>((acc, s) => apply(acc, s), [obj]);
}
