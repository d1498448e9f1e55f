import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { builtinScheme } from './index.js';
import { builtinProtoTags, protoSchemaLookup } from './proto-tags.js';
import { decodeKubernetesProtobuf, encodeKubernetesProtobuf } from '../machinery/protobuf/codec.js';
import { isUnionTags, normalizeFieldTag } from '../machinery/protobuf/tags.js';
import { type Schema, refName } from '../machinery/schema/types.js';
import { createCA, issueCertificate } from '../machinery/pki/index.js';

const scheme = builtinScheme();
const lookup = protoSchemaLookup(scheme);

/** Definitions whose protobuf layout is fixed by the codec, not by a table. */
const SPECIAL = new Set([
  'io.k8s.apimachinery.pkg.api.resource.Quantity',
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Duration',
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
]);

function refsIn(s: Schema | undefined, out: Set<string>): void {
  if (!s) return;
  if (s.$ref) out.add(refName(s.$ref));
  for (const sub of [s.items, typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined, ...(s.allOf ?? []), ...Object.values(s.properties ?? {})]) refsIn(sub, out);
}

describe('builtin protobuf tag tables', () => {
  test('every object definition reachable from a built-in resource has field numbers for every property', () => {
    const reachable = new Set<string>();
    const queue = scheme.types().map((t) => t.definition.name);
    while (queue.length) {
      const name = queue.pop()!;
      if (reachable.has(name)) continue;
      reachable.add(name);
      const found = new Set<string>();
      refsIn(scheme.definition(name), found);
      queue.push(...found);
    }
    assert.ok(reachable.size > 300, `only ${reachable.size} definitions reachable`);
    const missing: string[] = [];
    for (const name of reachable) {
      const def = scheme.allDefinitions().get(name)!;
      if (SPECIAL.has(name) || def.type !== 'object' || !def.properties) continue;
      const tags = builtinProtoTags[name];
      if (!tags) {
        missing.push(`${name} (no table)`);
        continue;
      }
      if (isUnionTags(tags)) continue;
      const isKind = !!def['x-kubernetes-group-version-kind'] || scheme.types().some((t) => t.definition.name === name);
      for (const prop of Object.keys(def.properties)) {
        if (tags[prop] !== undefined) continue;
        // A kind's apiVersion/kind travel in the envelope, not in its message.
        if (isKind && (prop === 'apiVersion' || prop === 'kind')) continue;
        if ((prop === 'apiVersion' || prop === 'kind') && (name.endsWith('.Status') || name.endsWith('.DeleteOptions'))) continue;
        missing.push(`${name}.${prop}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  test('no table names a property its definition lacks, and field numbers are unique per message', () => {
    const problems: string[] = [];
    for (const [name, tags] of Object.entries(builtinProtoTags)) {
      const def = scheme.allDefinitions().get(name);
      if (!def) {
        problems.push(`${name} is not a definition`);
        continue;
      }
      if (isUnionTags(tags)) continue;
      const seen = new Set<string>();
      for (const [prop, t] of Object.entries(tags)) {
        if (!def.properties?.[prop]) problems.push(`${name}.${prop} is not a property`);
        const key = normalizeFieldTag(t).path.join('.');
        if (seen.has(key)) problems.push(`${name}: field ${key} used twice`);
        seen.add(key);
      }
    }
    assert.deepEqual(problems, []);
  });

  const roundTrips: { name: string; def: string; obj: Record<string, unknown> }[] = [
    {
      name: 'Deployment with a pod template',
      def: 'io.k8s.api.apps.v1.Deployment',
      obj: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'd', namespace: 'ns', labels: { app: 'd' }, creationTimestamp: '2024-05-06T07:08:09Z' },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: 'd' } },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
          template: {
            metadata: { labels: { app: 'd' } },
            spec: {
              containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: { limits: { cpu: '500m' } } }],
              volumes: [{ name: 'v', emptyDir: { sizeLimit: '1Gi' } }, { name: 'cm', configMap: { name: 'cfg', optional: false } }],
              securityContext: { runAsUser: 0, supplementalGroups: [1, 2] },
            },
          },
        },
        status: {},
      },
    },
    {
      name: 'Secret bytes and SubjectAccessReview extra',
      def: 'io.k8s.api.authorization.v1.SubjectAccessReview',
      obj: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        metadata: {},
        spec: { user: 'u', groups: ['g'], extra: { scopes: ['a', 'b'], empty: [] }, resourceAttributes: { verb: 'get', resource: 'pods' } },
        status: { allowed: true },
      },
    },
    {
      name: 'CustomResourceDefinition schema with unions and JSON',
      def: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
      obj: {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'foos.example.com' },
        spec: {
          group: 'example.com',
          names: { plural: 'foos', kind: 'Foo' },
          scope: 'Namespaced',
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: 'object',
                  properties: {
                    spec: { type: 'object', additionalProperties: { type: 'string' }, default: { a: 1 } },
                    list: { type: 'array', items: { type: 'integer' }, 'x-kubernetes-list-type': 'set' },
                    free: { type: 'object', additionalProperties: true, 'x-kubernetes-preserve-unknown-fields': true },
                  },
                },
              },
            },
          ],
        },
        status: { acceptedNames: { plural: '', kind: '' }, storedVersions: [] },
      },
    },
  ];
  for (const c of roundTrips) {
    test(`round trip: ${c.name}`, () => {
      const bytes = encodeKubernetesProtobuf(c.obj, c.def, lookup);
      const back = decodeKubernetesProtobuf(bytes, lookup);
      assert.deepEqual(back.object, c.obj);
    });
  }
});
