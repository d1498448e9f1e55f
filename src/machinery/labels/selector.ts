/**
 * Label selectors as upstream's labels.Selector: parsed from the query
 * string form (`a=b,c in (x,y),!d`) or built from a metav1.LabelSelector.
 * An empty selector matches everything; `Selector.nothing()` (what a nil
 * LabelSelector means) matches nothing.
 */
import { badRequest } from '../errors/status-error.js';
import { parseRequirements } from './parser.js';
import { type Operator, type Requirement, aggregateText, requirementMatches, requirementString, validateRequirement } from './requirement.js';

export type { Operator, Requirement } from './requirement.js';

export type Labels = Readonly<Record<string, string>>;

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[] | null;
}

export interface LabelSelector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: LabelSelectorRequirement[] | null;
}

const byKey = (a: Requirement, b: Requirement): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

export class Selector {
  private constructor(
    private readonly reqs: readonly Requirement[],
    private readonly selectsNothing: boolean,
  ) {}

  /** Matches every label set. */
  static everything(): Selector {
    return new Selector([], false);
  }

  /** Matches no label set (upstream labels.Nothing()). */
  static nothing(): Selector {
    return new Selector([], true);
  }

  /** @internal requirements must already be validated. */
  static fromRequirements(reqs: Requirement[]): Selector {
    return new Selector([...reqs].sort(byKey), false);
  }

  matches(labels: Labels | undefined | null): boolean {
    if (this.selectsNothing) return false;
    return this.reqs.every((r) => requirementMatches(r, labels ?? undefined));
  }

  isEmpty(): boolean {
    return !this.selectsNothing && this.reqs.length === 0;
  }

  /** Whether this is the selector that matches nothing. */
  isNothing(): boolean {
    return this.selectsNothing;
  }

  requirements(): readonly Requirement[] {
    return this.reqs;
  }

  /** A new selector with the extra requirements (validated). */
  add(...reqs: Requirement[]): Selector {
    for (const r of reqs) {
      const errs = validateRequirement(r);
      if (errs.length) throw badRequest(aggregateText(errs));
    }
    return new Selector([...this.reqs, ...reqs].sort(byKey), this.selectsNothing);
  }

  /** The value an `=`/`==`/single-valued `in` requirement demands for key, if any. */
  requiresExactMatch(key: string): string | undefined {
    for (const r of this.reqs) {
      if (r.key !== key) continue;
      if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) return r.values[0];
    }
    return undefined;
  }

  /** Upstream's canonical form: requirements sorted by key, joined by ','. */
  toString(): string {
    return this.reqs.map(requirementString).join(',');
  }
}

/** Parses the query-string form; throws a 400 StatusError with upstream's message. */
export function parseSelector(selector: string): Selector {
  const res = parseRequirements(selector);
  if ('error' in res) throw badRequest(res.error);
  return Selector.fromRequirements(res.requirements);
}

/** Parse that reports a malformed selector as a value. */
export function tryParseSelector(selector: string): { ok: true; selector: Selector } | { ok: false; message: string } {
  const res = parseRequirements(selector);
  return 'error' in res ? { ok: false, message: res.error } : { ok: true, selector: Selector.fromRequirements(res.requirements) };
}

/** `key=value` requirements for every entry, as upstream SelectorFromSet (validated). */
export function selectorFromSet(set: Labels | undefined | null): Selector {
  const reqs: Requirement[] = Object.entries(set ?? {}).map(([key, v]) => ({ key, operator: '=', values: [v] }));
  return Selector.everything().add(...reqs);
}

const expressionOperators: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * metav1.LabelSelector -> Selector with upstream semantics: null/undefined
 * selects nothing, an empty selector selects everything. Invalid selectors
 * throw a 400 StatusError.
 */
export function labelSelectorAsSelector(ls: LabelSelector | undefined | null): Selector {
  if (ls === undefined || ls === null) return Selector.nothing();
  const matchLabels = ls.matchLabels ?? {};
  const exprs = ls.matchExpressions ?? [];
  if (Object.keys(matchLabels).length + exprs.length === 0) return Selector.everything();
  const reqs: Requirement[] = [];
  for (const [key, v] of Object.entries(matchLabels)) reqs.push({ key, operator: '=', values: [v] });
  for (const e of exprs) {
    const op = expressionOperators[e.operator];
    if (!op) throw badRequest(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    reqs.push({ key: e.key, operator: op, values: [...(e.values ?? [])] });
  }
  return Selector.everything().add(...reqs);
}

/** Same as labelSelectorAsSelector; the name upstream code reaches for. */
export const selectorFromLabelSelector = labelSelectorAsSelector;

/** The canonical query-string form of a metav1.LabelSelector (upstream FormatLabelSelector: "<none>" when empty). */
export function formatLabelSelector(ls: LabelSelector | undefined | null): string {
  if (ls === undefined || ls === null) return '<none>';
  const s = labelSelectorAsSelector(ls).toString();
  return s === '' ? '<none>' : s;
}
