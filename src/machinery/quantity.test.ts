import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ERR_QUANTITY_FORMAT, ERR_QUANTITY_NUMERIC, ERR_QUANTITY_SUFFIX, isQuantity, newMilliQuantity, newQuantity, parseQuantity } from './quantity.js';

describe('parseQuantity serialization', () => {
  // [input, upstream String()]
  const table: [string, string | number, string][] = [
    ['zero', '0', '0'],
    ['plain integer', '1', '1'],
    ['thousand becomes k', '1000', '1k'],
    ['fraction becomes milli', '1.5', '1500m'],
    ['leading-zero fraction', '0.1', '100m'],
    ['canonical milli kept', '100m', '100m'],
    ['1024Mi becomes 1Gi', '1024Mi', '1Gi'],
    ['1Gi kept', '1Gi', '1Gi'],
    ['1536Mi kept', '1536Mi', '1536Mi'],
    ['fractional binary', '1.5Gi', '1536Mi'],
    ['half a Gi', '0.5Gi', '512Mi'],
    ['binary below 1024 shown decimal', '0.5Ki', '512'],
    ['exponent kept', '1e3', '1e3'],
    ['upper-case exponent kept', '1E3', '1E3'],
    ['exponent canonicalized', '1000e3', '1e6'],
    ['negative exponent kept', '12e-3', '12e-3'],
    ['1Ki kept', '1Ki', '1Ki'],
    ['nano kept', '1n', '1n'],
    ['below nano rounds up', '0.1n', '1n'],
    ['negative fraction', '-1.5', '-1500m'],
    ['trailing zero fraction', '1.0', '1'],
    ['mega kept', '100M', '100M'],
    ['1000M becomes 1G', '1000M', '1G'],
    ['5.5k', '5.5k', '5500'],
    ['number input', 1.5, '1500m'],
    ['integer number input', 2048, '2048'],
    ['large decimal (slow path)', '123456789012345678901', '123456789012345678901'],
  ];
  for (const [name, input, want] of table) {
    test(name, () => assert.equal(parseQuantity(input).toString(), want));
  }
});

describe('parseQuantity errors', () => {
  const table: [string, string, string][] = [
    ['empty', '', ERR_QUANTITY_FORMAT],
    ['letters', 'abc', ERR_QUANTITY_FORMAT],
    ['bad suffix letter', '1Q', ERR_QUANTITY_FORMAT],
    ['unknown suffix', '1ki', ERR_QUANTITY_SUFFIX],
    ['bare e', '1e', ERR_QUANTITY_SUFFIX],
    ['lone dot', '.', ERR_QUANTITY_NUMERIC],
  ];
  for (const [name, input, msg] of table) {
    test(name, () => {
      assert.throws(() => parseQuantity(input), { message: msg });
      assert.equal(isQuantity(input), false);
    });
  }
});

describe('Quantity arithmetic', () => {
  const values: [string, string, number, number][] = [
    ['1.5 rounds up', '1.5', 2, 1500],
    ['100m', '100m', 1, 100],
    ['1Ki', '1Ki', 1024, 1024000],
    ['-1.5 rounds away from zero', '-1.5', -2, -1500],
    ['1n milli rounds up', '1n', 1, 1],
  ];
  for (const [name, s, value, milli] of values) {
    test(`value/milliValue: ${name}`, () => {
      const q = parseQuantity(s);
      assert.equal(q.value(), value);
      assert.equal(q.milliValue(), milli);
    });
  }

  const cmps: [string, string, number][] = [
    ['1Gi', '1G', 1],
    ['1000m', '1', 0],
    ['100m', '0.2', -1],
    ['1e3', '1k', 0],
  ];
  for (const [a, b, want] of cmps) test(`cmp ${a} vs ${b}`, () => assert.equal(parseQuantity(a).cmp(parseQuantity(b)), want));

  test('add and sub are exact', () => {
    assert.equal(parseQuantity('100m').add(parseQuantity('1.9')).toString(), '2');
    assert.equal(parseQuantity('0.1').add(parseQuantity('0.2')).toString(), '300m');
    assert.equal(parseQuantity('1Gi').sub(parseQuantity('512Mi')).toString(), '512Mi');
  });

  test('a zero receiver takes the format of what is added', () => {
    assert.equal(newQuantity(0, 'DecimalSI').add(parseQuantity('1Gi')).toString(), '1Gi');
  });

  test('constructors', () => {
    assert.equal(newMilliQuantity(1500, 'DecimalSI').toString(), '1500m');
    assert.equal(newQuantity(2048, 'BinarySI').toString(), '2Ki');
  });
});
