/**
 * Field selectors as upstream's fields.Selector: `k=v`, `k==v`, `k!=v`
 * terms joined by ',' (an AND), with `\`, `,` and `=` escaped by a
 * backslash inside values. The server checks each requirement's field
 * against what the resource supports; this module only parses and matches.
 */
import { badRequest } from '../errors/status-error.js';

export type FieldOperator = '=' | '==' | '!=';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  readonly value: string;
}

/** Reads a field's value from an object; undefined when absent (treated as ""). */
export type FieldGetter = (field: string) => string | undefined;

export class FieldSelector {
  private constructor(private readonly reqs: readonly FieldRequirement[]) {}

  static everything(): FieldSelector {
    return new FieldSelector([]);
  }

  /** @internal */
  static of(reqs: FieldRequirement[]): FieldSelector {
    return new FieldSelector(reqs);
  }

  matches(get: FieldGetter): boolean {
    return this.reqs.every((r) => {
      const v = get(r.field) ?? '';
      return r.operator === '!=' ? v !== r.value : v === r.value;
    });
  }

  isEmpty(): boolean {
    return this.reqs.length === 0;
  }

  requirements(): readonly FieldRequirement[] {
    return this.reqs;
  }

  /** The value an equality term demands for field, if any (lets storage narrow a list). */
  requiresExactMatch(field: string): string | undefined {
    for (const r of this.reqs) if (r.field === field && r.operator !== '!=') return r.value;
    return undefined;
  }

  /** A selector with every requirement's field/value rewritten (upstream Transform). */
  transform(fn: (field: string, value: string) => { field: string; value: string }): FieldSelector {
    return new FieldSelector(this.reqs.map((r) => ({ ...fn(r.field, r.value), operator: r.operator })));
  }

  /** Upstream's form: `==` prints as `=`, values escaped. */
  toString(): string {
    return this.reqs.map((r) => `${r.field}${r.operator === '!=' ? '!=' : '='}${escapeValue(r.value)}`).join(',');
  }
}

export function escapeValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => '\\' + c);
}

/** Undoes escapeValue; errors as upstream's texts. */
export function unescapeValue(s: string): { ok: true; value: string } | { ok: false; message: string } {
  if (!/[\\,=]/.test(s)) return { ok: true, value: s };
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === '\\' || c === ',' || c === '=') out += c;
      else return { ok: false, message: `invalid field selector: invalid escape sequence: \\${c}` };
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    // Upstream formats the rune with %v, i.e. as its code point number.
    else if (c === ',' || c === '=') return { ok: false, message: `invalid field selector: unescaped character in value: ${c.codePointAt(0)}` };
    else out += c;
  }
  if (inSlash) return { ok: false, message: 'invalid field selector: invalid escape sequence: \\' };
  return { ok: true, value: out };
}

function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

const termOperators: FieldOperator[] = ['!=', '==', '='];

function splitTerm(term: string): { lhs: string; op: FieldOperator; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of termOperators) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/** Parses a field selector, reporting malformed input as a value. */
export function tryParseFieldSelector(selector: string): { ok: true; selector: FieldSelector } | { ok: false; message: string } {
  // Upstream sorts the raw terms (byte order), which fixes the order of requirements.
  const parts = splitTerms(selector).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (!t) return { ok: false, message: `invalid selector: '${selector}'; can't understand '${part}'` };
    const v = unescapeValue(t.rhs);
    if (!v.ok) return { ok: false, message: v.message };
    reqs.push({ field: t.lhs, operator: t.op, value: v.value });
  }
  return { ok: true, selector: FieldSelector.of(reqs) };
}

/** Parses a field selector; throws a 400 StatusError with upstream's message. */
export function parseFieldSelector(selector: string): FieldSelector {
  const r = tryParseFieldSelector(selector);
  if (!r.ok) throw badRequest(r.message);
  return r.selector;
}

/** `field=value` for every entry (upstream fields.SelectorFromSet). */
export function fieldSelectorFromSet(set: Readonly<Record<string, string>>): FieldSelector {
  return FieldSelector.of(
    Object.keys(set)
      .sort()
      .map((field) => ({ field, operator: '=' as const, value: set[field]! })),
  );
}

/** Upstream's message for a field the resource cannot select on. */
export function fieldLabelNotSupported(field: string): string {
  return `field label not supported: ${field}`;
}
