/**
 * Small hand-written schemas of Deployment and custom-resource fields for the
 * apply tests; just enough structure to exercise every list and map type.
 */
import { MapResolver, type Schema, refTo } from '../schema/types.js';

const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer' };
const stringMap: Schema = { type: 'object', additionalProperties: str };

export const definitions = new Map<string, Schema>([
  [
    'ObjectMeta',
    {
      type: 'object',
      properties: {
        name: str,
        namespace: str,
        uid: str,
        resourceVersion: str,
        generation: int,
        creationTimestamp: str,
        labels: stringMap,
        annotations: stringMap,
        finalizers: { type: 'array', items: str, 'x-kubernetes-patch-strategy': 'merge' },
        managedFields: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    },
  ],
  ['ContainerPort', { type: 'object', properties: { containerPort: int, protocol: { type: 'string', default: 'TCP' }, name: str } }],
  [
    'Container',
    {
      type: 'object',
      properties: {
        name: str,
        image: str,
        args: { type: 'array', items: str },
        ports: { type: 'array', items: refTo('ContainerPort'), 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['containerPort', 'protocol'] },
        env: { type: 'array', items: { type: 'object', properties: { name: str, value: str } }, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name' },
        resources: { type: 'object', properties: { limits: stringMap, requests: stringMap } },
      },
    },
  ],
  ['LabelSelector', { type: 'object', properties: { matchLabels: stringMap }, 'x-kubernetes-map-type': 'atomic' }],
  [
    'Deployment',
    {
      type: 'object',
      properties: {
        apiVersion: str,
        kind: str,
        metadata: refTo('ObjectMeta'),
        spec: {
          type: 'object',
          properties: {
            replicas: int,
            selector: refTo('LabelSelector'),
            strategy: { type: 'object', properties: { type: str, rollingUpdate: { type: 'object', properties: { maxSurge: { 'x-kubernetes-int-or-string': true } } } } },
            template: {
              type: 'object',
              properties: {
                metadata: refTo('ObjectMeta'),
                spec: {
                  type: 'object',
                  properties: {
                    containers: { type: 'array', items: refTo('Container'), 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name' },
                    tolerations: { type: 'array', items: { type: 'object', properties: { key: str } }, 'x-kubernetes-list-type': 'atomic' },
                  },
                },
              },
            },
          },
        },
        status: { type: 'object', properties: { replicas: int, readyReplicas: int } },
      },
    },
  ],
  [
    'Widget',
    {
      type: 'object',
      properties: {
        apiVersion: str,
        kind: str,
        metadata: refTo('ObjectMeta'),
        spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
  ],
]);

export const resolver = new MapResolver(definitions);
export const deploymentSchema = refTo('Deployment');
export const widgetSchema = refTo('Widget');
/** What Go's zero Deployment looks like after encoding: its value structs present. */
export const deploymentZero = { metadata: {}, spec: { strategy: {}, template: { metadata: {}, spec: { containers: null } } }, status: {} };
