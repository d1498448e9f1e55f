/**
 * YAML in and out the way Kubernetes tools treat it: YAML 1.1 scalars (as
 * go-yaml v2 resolves them: yes/no/on/off are booleans), several documents
 * per stream with empty ones skipped, merge keys, and repeated keys either
 * tolerated (last wins) or reported by path for fieldValidation=Strict.
 */
import { type Document, isMap, isPair, isScalar, isSeq, parseAllDocuments, stringify } from 'yaml';
import type { StrictJSON } from './strict.js';

const PARSE_OPTIONS = { version: '1.1', uniqueKeys: false, merge: true } as const;

function toValue(doc: Document): unknown {
  if (doc.errors.length) throw new SyntaxError(doc.errors[0]!.message);
  return doc.toJS({ maxAliasCount: 1000 });
}

function isEmpty(doc: Document): boolean {
  return doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null && !doc.contents.source);
}

/** Every non-empty document of a stream; throws SyntaxError on malformed YAML. */
export function parseYAMLDocuments(text: string): unknown[] {
  const out: unknown[] = [];
  for (const doc of parseAllDocuments(text, PARSE_OPTIONS) as Document[]) {
    if (isEmpty(doc)) continue;
    out.push(toValue(doc));
  }
  return out;
}

/** The first document with the paths of keys repeated within one mapping. */
export function parseYAMLStrict(text: string): StrictJSON {
  const docs = (parseAllDocuments(text, PARSE_OPTIONS) as Document[]).filter((d) => !isEmpty(d));
  if (!docs.length) return { value: null, duplicates: [] };
  const doc = docs[0]!;
  const value = toValue(doc);
  const duplicates: string[] = [];
  collectDuplicates(doc.contents, '', duplicates);
  return { value, duplicates };
}

function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

function collectDuplicates(node: unknown, path: string, out: string[]): void {
  if (isMap(node)) {
    const seen = new Set<string>();
    for (const item of node.items) {
      if (!isPair(item)) continue;
      const k = keyText(item.key);
      const at = path ? `${path}.${k}` : k;
      if (k !== '<<') {
        if (seen.has(k)) out.push(at);
        seen.add(k);
      }
      collectDuplicates(item.value, at, out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((x, i) => collectDuplicates(x, `${path}[${i}]`, out));
  }
}

/** Block-style YAML as kubectl prints it: sequences flush with their key, no line folding. */
export function toYAML(value: unknown): string {
  return stringify(value, { version: '1.1', indentSeq: false, lineWidth: 0, aliasDuplicateObjects: false });
}
