/**
 * `$(VAR)` references as container env values, command, args and
 * subPathExpr use them: `$$` is an escaped `$`, an unresolved reference stays
 * verbatim, and an unterminated `$(` is kept as text.
 */

/** Looks a name up; `undefined` leaves the reference as written. */
export type ExpansionMapping = (name: string) => string | undefined;

export function expand(input: string, mapping: ExpansionMapping): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const next = input[cursor + 1];
    let advance = 1;
    if (next === '$') {
      out += '$';
    } else if (next === '(') {
      const close = input.indexOf(')', cursor + 2);
      if (close === -1) {
        out += '$(';
      } else {
        const name = input.slice(cursor + 2, close);
        const value = mapping(name);
        out += value ?? `$(${name})`;
        advance = close - cursor;
      }
    } else {
      out += '$' + next;
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/** A mapping over several maps, the first holding the name wins. */
export function mappingFor(...contexts: ReadonlyMap<string, string>[]): ExpansionMapping {
  return (name) => {
    for (const c of contexts) {
      const v = c.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  };
}
