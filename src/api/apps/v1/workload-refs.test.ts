import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Schema } from '../../../machinery/schema/types.js';
import { metaDefinitions } from '../../meta/v1.js';
import type { GroupVersionModule } from '../../scheme.js';
import * as coreTypes from '../../core/v1/types.js';
import { appsV1 } from './index.js';
import { batchV1 } from '../../batch/v1/index.js';
import { autoscalingV1 } from '../../autoscaling/v1/index.js';
import { autoscalingV2 } from '../../autoscaling/v2/index.js';
import { policyV1 } from '../../policy/v1/index.js';

function refsOf(s: unknown, out: string[] = []): string[] {
  if (Array.isArray(s)) for (const x of s) refsOf(x, out);
  else if (s && typeof s === 'object') {
    for (const [k, v] of Object.entries(s)) {
      if (k === '$ref' && typeof v === 'string') out.push(v.replace('#/definitions/', ''));
      else refsOf(v, out);
    }
  }
  return out;
}

const coreNames = new Set(
  (Object.values(coreTypes) as unknown[])
    .filter((v): v is { name: string; definition: Schema } => !!v && typeof v === 'object' && 'name' in v && 'definition' in v)
    .map((d) => d.name),
);
const metaNames = new Set(metaDefinitions.map((d) => d.name));

const modules: [string, GroupVersionModule, boolean][] = [
  ['apps/v1', appsV1, true],
  ['batch/v1', batchV1, true],
  ['autoscaling/v1', autoscalingV1, false],
  ['autoscaling/v2', autoscalingV2, false],
  ['policy/v1', policyV1, false],
];

describe('every $ref resolves', () => {
  for (const [name, mod, usesCore] of modules) {
    test(name, () => {
      const own = new Set(mod.definitions.map((d) => d.name));
      assert.equal(own.size, mod.definitions.length, 'definition names are unique');
      for (const d of mod.definitions) {
        for (const ref of refsOf(d.definition)) {
          const ok = own.has(ref) || metaNames.has(ref) || (usesCore && coreNames.has(ref));
          assert.ok(ok, `${d.name} refers to unknown ${ref}`);
        }
      }
      for (const r of mod.resources) assert.ok(own.has(r.definition.name), `${r.resource} definition is listed`);
    });
  }
});

describe('module identity', () => {
  for (const [name, mod] of modules) {
    test(name, () => {
      assert.equal(`${mod.group}/${mod.version}`, name);
      for (const r of mod.resources) {
        assert.equal(r.group, mod.group);
        assert.equal(r.version, mod.version);
        for (const d of [r.definition]) {
          const p = d.definition.properties!;
          for (const f of ['apiVersion', 'kind', 'metadata']) assert.ok(p[f], `${r.kind} has ${f}`);
        }
      }
    });
  }
});
