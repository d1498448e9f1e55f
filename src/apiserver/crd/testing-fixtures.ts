/**
 * CRDs the CRD controller's tests share: a namespaced Widget with two
 * versions (v1 stored, with status and scale subresources, printer columns,
 * defaults, an enum and a minimum; v1beta1 schemaless), and helpers to vary it.
 */
import type { CustomResourceDefinitionT } from '../../api/apiextensions/v1/types.js';

export function widgetCRD(opts: { group?: string; plural?: string; kind?: string; shortNames?: string[]; scope?: 'Namespaced' | 'Cluster' } = {}): CustomResourceDefinitionT {
  const group = opts.group ?? 'example.com';
  const plural = opts.plural ?? 'widgets';
  const kind = opts.kind ?? 'Widget';
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: opts.scope ?? 'Namespaced',
      names: { plural, singular: kind.toLowerCase(), kind, shortNames: opts.shortNames ?? ['wd'], categories: ['all-widgets'] },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } },
          additionalPrinterColumns: [
            { name: 'Color', type: 'string', jsonPath: '.spec.color' },
            { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: 'A widget.',
              properties: {
                spec: {
                  type: 'object',
                  description: 'What the widget should be.',
                  required: ['color'],
                  properties: {
                    color: { type: 'string', enum: ['red', 'green', 'blue'] },
                    replicas: { type: 'integer', minimum: 1, default: 1 },
                    size: { type: 'string', default: 'medium' },
                    extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                  },
                },
                status: { type: 'object', properties: { replicas: { type: 'integer' }, selector: { type: 'string' }, phase: { type: 'string' } } },
              },
            },
          },
        },
        {
          name: 'v1beta1',
          served: true,
          storage: false,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } },
        },
      ],
    },
  } as CustomResourceDefinitionT;
}
