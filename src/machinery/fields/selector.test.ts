import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors/status-error.js';
import { escapeValue, parseFieldSelector, tryParseFieldSelector } from './selector.js';

describe('parseFieldSelector', () => {
  const forms: [string, string, string][] = [
    ['single term', 'metadata.name=foo', 'metadata.name=foo'],
    ['double equals prints as =', 'a==b', 'a=b'],
    ['terms sorted', 'b=1,a!=2', 'a!=2,b=1'],
    ['escaped comma', 'a=x\\,y', 'a=x\\,y'],
    ['escaped equals and backslash', 'a=x\\=\\\\', 'a=x\\=\\\\'],
    ['empty', '', ''],
    ['empty value', 'spec.nodeName=', 'spec.nodeName='],
  ];
  for (const [name, input, want] of forms) test(`form: ${name}`, () => assert.equal(parseFieldSelector(input).toString(), want));

  test('unescapes values', () => {
    assert.deepEqual(parseFieldSelector('a=x\\,y').requirements(), [{ field: 'a', operator: '=', value: 'x,y' }]);
  });

  const errors: [string, string, string][] = [
    ['no operator', 'a', "invalid selector: 'a'; can't understand 'a'"],
    ['unescaped =', 'a=b=c', 'invalid field selector: unescaped character in value: 61'],
    ['bad escape', 'a=\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['dangling escape', 'a=x\\', 'invalid field selector: invalid escape sequence: \\'],
  ];
  for (const [name, input, msg] of errors) {
    test(`error: ${name}`, () => {
      assert.deepEqual(tryParseFieldSelector(input), { ok: false, message: msg });
      assert.throws(() => parseFieldSelector(input), (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === msg);
    });
  }

  const fieldsOf = (o: Record<string, string>) => (f: string) => o[f];
  const matches: [string, string, Record<string, string>, boolean][] = [
    ['equal', 'status.phase=Running', { 'status.phase': 'Running' }, true],
    ['not equal', 'status.phase!=Running', { 'status.phase': 'Pending' }, true],
    ['missing field equals empty', 'spec.nodeName=', {}, true],
    ['missing field not-equal', 'spec.nodeName!=n1', {}, true],
    ['and', 'a=1,b=2', { a: '1', b: '3' }, false],
  ];
  for (const [name, sel, obj, want] of matches) test(`matches: ${name}`, () => assert.equal(parseFieldSelector(sel).matches(fieldsOf(obj)), want));

  test('requiresExactMatch', () => assert.equal(parseFieldSelector('spec.nodeName=n1,x!=y').requiresExactMatch('spec.nodeName'), 'n1'));
  test('escapeValue', () => assert.equal(escapeValue('a,b=c\\'), 'a\\,b\\=c\\\\'));
});
