import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { median, percentile, summarize } from './stats.js';

describe('percentile', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
  const cases: { name: string; samples: number[]; p: number; want: number }[] = [
    { name: 'p50 of 1..100 is 50', samples: hundred, p: 50, want: 50 },
    { name: 'p99 of 1..100 is 99', samples: hundred, p: 99, want: 99 },
    { name: 'p100 is the max', samples: hundred, p: 100, want: 100 },
    { name: 'p0 is the min', samples: hundred, p: 0, want: 1 },
    { name: 'single sample', samples: [7], p: 99, want: 7 },
    { name: 'nearest rank rounds up', samples: [1, 2, 3], p: 50, want: 2 },
    { name: 'fractions are not truncated', samples: [0.25, 0.5], p: 100, want: 0.5 },
  ];
  for (const c of cases) test(c.name, () => assert.equal(percentile(c.samples, c.p), c.want));

  test('no samples gives NaN', () => assert.ok(Number.isNaN(percentile([], 50))));
  test('median of an even count is the lower middle', () => assert.equal(median([4, 1, 3, 2]), 2));
  test('summary orders p50 <= p99 <= max', () => {
    const s = summarize([5, 1, 9, 3, 7]);
    assert.deepEqual(s, { p50: 5, p99: 9, max: 9 });
  });
});
