import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expand, mappingFor } from './expansion.js';

describe('expand', () => {
  const mapping = mappingFor(new Map([['VAR_A', 'A'], ['VAR_B', 'B'], ['EMPTY', '']]), new Map([['SVC', 'svc'], ['VAR_A', 'shadowed']]));
  const cases: { name: string; input: string; want: string }[] = [
    { name: 'plain text is unchanged', input: 'hello', want: 'hello' },
    { name: 'one reference', input: '$(VAR_A)', want: 'A' },
    { name: 'references inside text', input: 'x-$(VAR_A)-$(VAR_B)-y', want: 'x-A-B-y' },
    { name: 'first context wins', input: '$(VAR_A)', want: 'A' },
    { name: 'second context is consulted', input: '$(SVC)', want: 'svc' },
    { name: 'empty value expands to empty', input: '[$(EMPTY)]', want: '[]' },
    { name: 'unknown reference stays verbatim', input: '$(NOPE)', want: '$(NOPE)' },
    { name: 'double dollar escapes', input: '$$(VAR_A)', want: '$(VAR_A)' },
    { name: 'triple dollar escapes then expands', input: '$$$(VAR_A)', want: '$A' },
    { name: 'dollar before other character is kept', input: '$VAR_A $x', want: '$VAR_A $x' },
    { name: 'trailing dollar is kept', input: 'cost$', want: 'cost$' },
    { name: 'unterminated reference is kept', input: '$(VAR_A', want: '$(VAR_A' },
    { name: 'empty name is looked up and kept', input: '$()', want: '$()' },
    { name: 'double dollar alone', input: '$$', want: '$' },
  ];
  for (const c of cases) test(c.name, () => assert.equal(expand(c.input, mapping), c.want));
});
