import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Counter, Histogram } from './metrics.js';

describe('metrics exposition', () => {
  test('labels are sorted and escaped, one series per label set whatever the key order', () => {
    const c = new Counter('apiserver_request_total', 'help');
    c.inc({ verb: 'GET', code: '200' });
    c.inc({ code: '200', verb: 'GET' });
    c.inc({ verb: 'a"b\\c\nd', code: '500' });
    c.inc();
    assert.deepEqual(c.render().sort(), ['apiserver_request_total 1', 'apiserver_request_total{code="200",verb="GET"} 2', 'apiserver_request_total{code="500",verb="a\\"b\\\\c\\nd"} 1'].sort());
    assert.equal(c.get({ code: '200', verb: 'GET' }), 2);
  });

  test('histogram series carry their labels before le', () => {
    const h = new Histogram('x_seconds', 'help', [0.1, 1]);
    h.observe({ verb: 'LIST' }, 0.5);
    const lines = h.render();
    assert.ok(lines.includes('x_seconds_bucket{verb="LIST",le="0.1"} 0'), lines.join('\n'));
    assert.ok(lines.includes('x_seconds_bucket{verb="LIST",le="1"} 1'), lines.join('\n'));
    assert.ok(lines.includes('x_seconds_count{verb="LIST"} 1'), lines.join('\n'));
  });
});
