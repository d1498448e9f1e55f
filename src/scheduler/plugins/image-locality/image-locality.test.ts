import { test } from 'node:test';
import assert from 'node:assert/strict';
import { node, pod } from '../../../testing/builders.js';
import { frameworkWith, scores, snapshotOf } from '../plugin-test-kit.js';

const MB = 1024 * 1024;

test('ImageLocality: image size spread-weighted, names normalized to :latest', () => {
  const nodes = [
    node('has-big').image(['registry.example/app:latest'], 500 * MB).build(),
    node('has-small').image(['registry.example/app:latest'], 10 * MB).build(),
    node('none').build(),
  ];
  // has-big: 500MB * 2/3 nodes = 333MB -> 100*(333-23)/(1000-23) = 31; has-small: below the 23MB threshold -> 0.
  const got = scores(frameworkWith(['ImageLocality']), pod('p').image('registry.example/app').build(), snapshotOf(nodes));
  assert.deepEqual(got, { 'has-big': 31, 'has-small': 0, none: 0 });
});
