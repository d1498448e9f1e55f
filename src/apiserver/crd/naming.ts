/**
 * Name acceptance, as upstream's naming controller decides it: a CRD keeps
 * the names it already has, and takes a requested name only when no other
 * resource of its group uses it (plural, singular and short names share one
 * namespace; kinds and list kinds another). The result says which names are
 * accepted and why the rest are not.
 */
import type { CustomResourceDefinitionNamesT } from '../../api/apiextensions/v1/types.js';

/** Names already taken in one group, by other CRDs or built-in resources. */
export interface UsedNames {
  resources: Set<string>;
  kinds: Set<string>;
}

export interface NamesDecision {
  accepted: CustomResourceDefinitionNamesT;
  /** True when every requested name was accepted. */
  ok: boolean;
  /** Condition reason: NoConflicts, or which kind of name conflicts (upstream's reasons). */
  reason: string;
  message: string;
}

export function emptyUsedNames(): UsedNames {
  return { resources: new Set(), kinds: new Set() };
}

/** Adds one resource's names to what a group uses. */
export function addUsedNames(used: UsedNames, names: Partial<CustomResourceDefinitionNamesT> | undefined): void {
  if (!names) return;
  for (const n of [names.plural, names.singular, ...(names.shortNames ?? [])]) if (n) used.resources.add(n);
  for (const k of [names.kind, names.listKind]) if (k) used.kinds.add(k);
}

/** Null when the requested name is acceptable, else the conflict message. */
function conflictOf(requested: string | undefined, accepted: string | undefined, used: Set<string>): string | null {
  if (!requested || requested === accepted || !used.has(requested)) return null;
  return `"${requested}" is already in use`;
}

/**
 * Decides the names a CRD is served under. `current` is its
 * status.acceptedNames (names it already owns stay its own).
 */
export function acceptNames(requested: CustomResourceDefinitionNamesT, current: Partial<CustomResourceDefinitionNamesT> | undefined, used: UsedNames): NamesDecision {
  const cur = current ?? {};
  const accepted: CustomResourceDefinitionNamesT = { plural: cur.plural ?? '', kind: cur.kind ?? '' };
  if (cur.singular) accepted.singular = cur.singular;
  if (cur.listKind) accepted.listKind = cur.listKind;
  if (cur.shortNames) accepted.shortNames = [...cur.shortNames];
  let reason = '';
  let message = '';
  const fail = (r: string, m: string) => {
    reason = r;
    message = m;
  };

  const plural = conflictOf(requested.plural, cur.plural, used.resources);
  if (plural) fail('PluralConflict', plural);
  else accepted.plural = requested.plural;

  const singular = conflictOf(requested.singular, cur.singular, used.resources);
  if (singular) fail('SingularConflict', singular);
  else if (requested.singular) accepted.singular = requested.singular;

  const wantShort = requested.shortNames ?? [];
  if (JSON.stringify(wantShort) !== JSON.stringify(cur.shortNames ?? [])) {
    const owned = new Set(cur.shortNames ?? []);
    const errs = wantShort.filter((s) => !owned.has(s)).map((s) => conflictOf(s, undefined, used.resources)).filter((e): e is string => e !== null);
    if (errs.length) fail('ShortNamesConflict', errs.length === 1 ? errs[0]! : `[${errs.join(', ')}]`);
    else if (wantShort.length) accepted.shortNames = [...wantShort];
    else delete accepted.shortNames;
  }

  const kind = conflictOf(requested.kind, cur.kind, used.kinds);
  if (kind) fail('KindConflict', kind);
  else accepted.kind = requested.kind;

  const listKind = conflictOf(requested.listKind, cur.listKind, used.kinds);
  if (listKind) fail('ListKindConflict', listKind);
  else if (requested.listKind) accepted.listKind = requested.listKind;

  if (requested.categories?.length) accepted.categories = [...requested.categories];
  else delete accepted.categories;

  if (!reason) return { accepted, ok: true, reason: 'NoConflicts', message: 'no conflicts found' };
  return { accepted, ok: false, reason, message };
}
