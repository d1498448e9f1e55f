import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors/status-error.js';
import { Selector, labelSelectorAsSelector, parseSelector, selectorFromSet } from './selector.js';

describe('parseSelector canonical form', () => {
  const table: [string, string, string][] = [
    ['equals', 'a=b', 'a=b'],
    ['double equals', 'a==b', 'a==b'],
    ['not equals', 'a!=b', 'a!=b'],
    ['in sorts values', 'a in (y,x)', 'a in (x,y)'],
    ['notin', 'a notin (x)', 'a notin (x)'],
    ['exists', 'a', 'a'],
    ['does not exist', '!a', '!a'],
    ['greater than', 'a>1', 'a>1'],
    ['less than', 'a<1', 'a<1'],
    ['sorted by key', 'b=1,a=2', 'a=2,b=1'],
    ['whitespace tolerant', '  a = b ,  c  ', 'a=b,c'],
    ['empty value', 'a=', 'a='],
    ['empty set', 'a in ()', 'a in ()'],
    ['prefixed key', 'example.com/k in (v1, v2)', 'example.com/k in (v1,v2)'],
    ['in as a key', 'in=x', 'in=x'],
    ['empty', '', ''],
  ];
  for (const [name, input, want] of table) test(name, () => assert.equal(parseSelector(input).toString(), want));
});

describe('parseSelector errors', () => {
  const table: [string, string, string][] = [
    ['missing operator', 'a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['junk after requirement', 'a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['non-integer gt', 'a>x', `unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`],
    ['in without parens', 'a in x', "unable to parse requirement: found 'x' expected: '('"],
    ['trailing comma', 'a,', "found '', expected: identifier after ','"],
    ['leading operator', '=b', "found '=', expected: !, identifier, or 'end of string'"],
  ];
  for (const [name, input, msg] of table) {
    test(name, () => assert.throws(() => parseSelector(input), (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === msg));
  }
  test('invalid key uses the <nil> path as upstream', () => {
    assert.throws(() => parseSelector('a@b=c'), (e: unknown) => e instanceof StatusError && e.message.startsWith('unable to parse requirement: <nil>: Invalid value: "a@b": name part must consist of'));
  });
  test('invalid value', () => {
    assert.throws(() => parseSelector('a=-x-'), (e: unknown) => e instanceof StatusError && e.message.startsWith('unable to parse requirement: values[0][a]: Invalid value: "-x-": a valid label must be'));
  });
});

describe('Selector.matches', () => {
  const table: [string, string, Record<string, string> | undefined, boolean][] = [
    ['in matches', 'a in (x,y)', { a: 'x' }, true],
    ['in misses', 'a in (x,y)', { a: 'z' }, false],
    ['in on missing key', 'a in (x)', {}, false],
    ['notin on missing key', 'a notin (x)', {}, true],
    ['not equals on other value', 'a!=x', { a: 'y' }, true],
    ['does not exist', '!a', undefined, true],
    ['exists with empty value', 'a', { a: '' }, true],
    ['gt numeric', 'a>1', { a: '2' }, true],
    ['gt non-numeric label', 'a>1', { a: 'x' }, false],
    ['lt', 'a<10', { a: '-3' }, true],
    ['and of terms', 'a=1,b=2', { a: '1', b: '3' }, false],
    ['empty selects all', '', { z: 'z' }, true],
  ];
  for (const [name, sel, labels, want] of table) test(name, () => assert.equal(parseSelector(sel).matches(labels), want));
});

describe('labelSelectorAsSelector', () => {
  test('null selects nothing', () => {
    const s = labelSelectorAsSelector(null);
    assert.equal(s.matches({}), false);
    assert.equal(s.isEmpty(), false);
    assert.equal(s.isNothing(), true);
    assert.equal(Selector.everything().matches(undefined), true);
  });
  test('empty selects everything', () => {
    const s = labelSelectorAsSelector({});
    assert.equal(s.matches({ a: 'b' }), true);
    assert.equal(s.isEmpty(), true);
  });
  test('labels and expressions', () => {
    const s = labelSelectorAsSelector({ matchLabels: { a: 'b' }, matchExpressions: [{ key: 'c', operator: 'In', values: ['y', 'x'] }, { key: 'd', operator: 'DoesNotExist' }] });
    assert.equal(s.toString(), 'a=b,c in (x,y),!d');
    assert.equal(s.matches({ a: 'b', c: 'y' }), true);
    assert.equal(s.matches({ a: 'b', c: 'y', d: '' }), false);
  });
  test('bad operator', () => {
    assert.throws(() => labelSelectorAsSelector({ matchExpressions: [{ key: 'c', operator: 'Foo' }] }), { message: '"Foo" is not a valid label selector operator' });
  });
  test('In without values', () => {
    assert.throws(() => labelSelectorAsSelector({ matchExpressions: [{ key: 'c', operator: 'In', values: [] }] }), { message: /^values: Invalid value: .*: for 'in', 'notin' operators, values set can't be empty$/ });
  });
  test('selectorFromSet', () => assert.equal(selectorFromSet({ b: '2', a: '1' }).toString(), 'a=1,b=2'));
});
