/** apiextensions.k8s.io/v1: CustomResourceDefinition and the JSON schema dialect it carries. */
import { def, t, type Static, type T } from '../../schema/dsl.js';
import { ObjectMeta, Time } from '../../meta/v1.js';

export const GROUP = 'apiextensions.k8s.io';
export const VERSION = 'v1';
const X = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.';
const str = (description: string): T<string> => t.string({ description });
const bool = (description: string): T<boolean> => t.bool({ description });
const i64 = (description: string): T<number> => t.int64({ description });
const strList = (description: string): T<string[]> => t.array(t.string(), { listType: 'atomic', description });

export const JSONSCHEMAPROPS_NAME = X + 'JSONSchemaProps';

/** Any JSON value (upstream's apiextensions JSON type). */
export const JSON_ = def(X + 'JSON', t.any({ description: 'Any JSON value.' }));
/** A schema or a boolean. */
export const JSONSchemaPropsOrBool = def(X + 'JSONSchemaPropsOrBool', t.any({ description: 'A schema, or a boolean allowing (true) or forbidding (false) anything.' }));
/** A schema or a list of schemas. */
export const JSONSchemaPropsOrArray = def(X + 'JSONSchemaPropsOrArray', t.any({ description: 'A schema for every item, or a list of schemas by position.' }));
/** A schema or a list of property names. */
export const JSONSchemaPropsOrStringArray = def(X + 'JSONSchemaPropsOrStringArray', t.any({ description: 'A schema, or a list of property names that must also be present.' }));

export const ExternalDocumentation = def(
  X + 'ExternalDocumentation',
  t.object({ description: str('What the documentation is about.'), url: str('Where the documentation is.') }, { description: 'A link to more documentation.' }),
);

export const VALIDATION_RULE_REASONS = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'] as const;

export const ValidationRule = def(
  X + 'ValidationRule',
  t.object(
    {
      fieldPath: str('The field the failure is reported against, as a JSON path relative to the schema, e.g. .spec.replicas.'),
      message: str('The message shown when the rule fails.'),
      messageExpression: str('A CEL expression producing the failure message; takes precedence over message.'),
      optionalOldSelf: bool('Run transition rules even when there is no old value, with oldSelf as an optional.'),
      reason: t.enum(VALIDATION_RULE_REASONS, { description: 'The machine-readable reason reported on failure; defaults to FieldValueInvalid.' }),
      rule: str('A CEL expression that must evaluate to true, with self bound to the value (and oldSelf on updates).'),
    },
    { required: ['rule'], description: 'A CEL validation rule.' },
  ),
);

/** The TypeScript shape of a JSONSchemaProps (recursive, so written out by hand). */
export interface JSONSchemaPropsT {
  $ref?: string;
  $schema?: string;
  additionalItems?: JSONSchemaPropsT | boolean;
  additionalProperties?: JSONSchemaPropsT | boolean;
  allOf?: JSONSchemaPropsT[];
  anyOf?: JSONSchemaPropsT[];
  default?: unknown;
  definitions?: Record<string, JSONSchemaPropsT>;
  dependencies?: Record<string, JSONSchemaPropsT | string[]>;
  description?: string;
  enum?: unknown[];
  example?: unknown;
  exclusiveMaximum?: boolean;
  exclusiveMinimum?: boolean;
  externalDocs?: { description?: string; url?: string };
  format?: string;
  id?: string;
  items?: JSONSchemaPropsT | JSONSchemaPropsT[];
  maxItems?: number;
  maxLength?: number;
  maxProperties?: number;
  maximum?: number;
  minItems?: number;
  minLength?: number;
  minProperties?: number;
  minimum?: number;
  multipleOf?: number;
  not?: JSONSchemaPropsT;
  nullable?: boolean;
  oneOf?: JSONSchemaPropsT[];
  pattern?: string;
  patternProperties?: Record<string, JSONSchemaPropsT>;
  properties?: Record<string, JSONSchemaPropsT>;
  required?: string[];
  title?: string;
  type?: string;
  uniqueItems?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-validations'?: Static<typeof ValidationRule>[];
}

const self = (description: string) => t.lazyRef<JSONSchemaPropsT>(JSONSCHEMAPROPS_NAME, { description });
const selfItem = () => t.lazyRef<JSONSchemaPropsT>(JSONSCHEMAPROPS_NAME);

export const JSONSchemaProps = def<JSONSchemaPropsT>(
  JSONSCHEMAPROPS_NAME,
  t.object(
    {
      $ref: str('A reference to another schema; not allowed in CRD schemas.'),
      $schema: str('The JSON schema dialect; not allowed in CRD schemas.'),
      additionalItems: t.ref(JSONSchemaPropsOrBool, { description: 'Schema of items past those listed in items; not allowed in CRD schemas.' }),
      additionalProperties: t.ref(JSONSchemaPropsOrBool, { description: 'Schema of the values of properties not listed in properties: a map value schema.' }),
      allOf: t.array(selfItem(), { listType: 'atomic', description: 'Schemas that must all match.' }),
      anyOf: t.array(selfItem(), { listType: 'atomic', description: 'Schemas of which at least one must match.' }),
      default: t.ref(JSON_, { description: 'The value used when the field is absent; not allowed under metadata or with nullable fields set to null.' }),
      definitions: t.map(selfItem(), { description: 'Named schemas; not allowed in CRD schemas.' }),
      dependencies: t.map(t.ref(JSONSchemaPropsOrStringArray), { description: 'Schemas or property lists that apply when a property is present; not allowed in CRD schemas.' }),
      description: str('What the field means; shown by kubectl explain.'),
      enum: t.array(t.ref(JSON_), { listType: 'atomic', description: 'The values the field may take.' }),
      example: t.ref(JSON_, { description: 'An example value.' }),
      exclusiveMaximum: bool('Whether maximum itself is excluded.'),
      exclusiveMinimum: bool('Whether minimum itself is excluded.'),
      externalDocs: t.ref(ExternalDocumentation, { description: 'A link to more documentation.' }),
      format: str('A format the string must have, e.g. date-time, int32, uri, byte.'),
      id: str('An identifier of the schema; not allowed in CRD schemas.'),
      items: t.ref(JSONSchemaPropsOrArray, { description: 'The schema of array items.' }),
      maxItems: i64('Maximum array length.'),
      maxLength: i64('Maximum string length.'),
      maxProperties: i64('Maximum number of object properties.'),
      maximum: t.number({ description: 'Maximum numeric value.' }),
      minItems: i64('Minimum array length.'),
      minLength: i64('Minimum string length.'),
      minProperties: i64('Minimum number of object properties.'),
      minimum: t.number({ description: 'Minimum numeric value.' }),
      multipleOf: t.number({ description: 'The number must be a multiple of this.' }),
      not: self('A schema that must not match.'),
      nullable: bool('Whether null is accepted (and kept) as a value.'),
      oneOf: t.array(selfItem(), { listType: 'atomic', description: 'Schemas of which exactly one must match.' }),
      pattern: str('A regular expression the string must match.'),
      patternProperties: t.map(selfItem(), { description: 'Schemas for properties whose names match a pattern; not allowed in CRD schemas.' }),
      properties: t.map(selfItem(), { description: 'The schemas of the known fields of an object.' }),
      required: strList('Fields that must be present.'),
      title: str('A short title.'),
      type: str('The JSON type: object, array, string, integer, number or boolean.'),
      uniqueItems: bool('Whether items must be unique; not allowed in CRD schemas (use x-kubernetes-list-type: set).'),
      'x-kubernetes-embedded-resource': bool('Marks an object holding a whole Kubernetes object, with apiVersion, kind and metadata validated and pruned as such.'),
      'x-kubernetes-int-or-string': bool('Accepts an integer or a string.'),
      'x-kubernetes-list-map-keys': strList('Fields that identify the items of a list with x-kubernetes-list-type map.'),
      'x-kubernetes-list-type': str('How apply merges the list: atomic (replaced whole), set (unique scalars) or map (items keyed by x-kubernetes-list-map-keys).'),
      'x-kubernetes-map-type': str('How apply merges the object: granular (per field) or atomic (replaced whole).'),
      'x-kubernetes-preserve-unknown-fields': bool('Keeps fields not described by the schema instead of pruning them.'),
      'x-kubernetes-validations': t.array(t.ref(ValidationRule), {
        listType: 'map',
        mapKeys: ['rule'],
        mergeKey: 'rule',
        patchStrategy: 'merge',
        description: 'CEL rules the value must satisfy.',
      }),
    },
    { description: 'A JSON schema (OpenAPI v3 subset) describing a custom resource field.' },
  ) as unknown as T<JSONSchemaPropsT>,
);

export const CustomResourceValidation = def(
  X + 'CustomResourceValidation',
  t.object({ openAPIV3Schema: t.ref(JSONSchemaProps, { description: 'The structural schema objects of the version must satisfy.' }) }, { description: 'How custom objects are validated.' }),
);

export const CustomResourceSubresourceStatus = def(
  X + 'CustomResourceSubresourceStatus',
  t.object({}, { description: 'Enables the /status subresource: status is then written only through it, and spec changes bump metadata.generation.' }),
);

export const CustomResourceSubresourceScale = def(
  X + 'CustomResourceSubresourceScale',
  t.object(
    {
      labelSelectorPath: str('JSON path (under .spec or .status) of the serialized label selector reported in Scale status.selector.'),
      specReplicasPath: str('JSON path under .spec of the desired replica count.'),
      statusReplicasPath: str('JSON path under .status of the observed replica count.'),
    },
    { required: ['specReplicasPath', 'statusReplicasPath'], description: 'Enables the /scale subresource.' },
  ),
);

export const CustomResourceSubresources = def(
  X + 'CustomResourceSubresources',
  t.object(
    {
      scale: t.ref(CustomResourceSubresourceScale, { description: 'Serves /scale.' }),
      status: t.ref(CustomResourceSubresourceStatus, { description: 'Serves /status.' }),
    },
    { description: 'The subresources custom objects have.' },
  ),
);

export const CustomResourceColumnDefinition = def(
  X + 'CustomResourceColumnDefinition',
  t.object(
    {
      description: str('What the column shows.'),
      format: str('An OpenAPI format refining type, e.g. int32 or date-time.'),
      jsonPath: str('A simple JSON path evaluated against each object for the value of the column.'),
      name: str('The column header.'),
      priority: t.int32({ description: 'Importance of the column; 0 is shown by default, higher values only in wide output.' }),
      type: str('The OpenAPI type of the column: integer, number, string, boolean or date.'),
    },
    { required: ['name', 'type', 'jsonPath'], description: 'An extra column of kubectl get output.' },
  ),
);

export const SelectableField = def(
  X + 'SelectableField',
  t.object({ jsonPath: str('A simple JSON path to a string, integer or boolean field usable in field selectors.') }, { required: ['jsonPath'], description: 'A field usable in field selectors.' }),
);

export const CustomResourceDefinitionVersion = def(
  X + 'CustomResourceDefinitionVersion',
  t.object(
    {
      additionalPrinterColumns: t.array(t.ref(CustomResourceColumnDefinition), { listType: 'atomic', description: 'Extra columns of kubectl get; when empty only the age is shown.' }),
      deprecated: bool('Whether this version is deprecated; requests to it then get a warning.'),
      deprecationWarning: str('A custom warning for requests to this deprecated version.'),
      name: str('The version name, e.g. v1 or v2beta1, served under /apis/<group>/<name>.'),
      schema: t.ref(CustomResourceValidation, { description: 'The schema of this version.' }),
      selectableFields: t.array(t.ref(SelectableField), { listType: 'atomic', description: 'Fields usable in field selectors beyond metadata.name and metadata.namespace.' }),
      served: bool('Whether this version is served by the REST API.'),
      storage: bool('Whether objects are persisted in this version; exactly one version has it.'),
      subresources: t.ref(CustomResourceSubresources, { description: 'The subresources of this version.' }),
    },
    { required: ['name', 'served', 'storage'], description: 'One version of a custom resource.' },
  ),
);

export const CustomResourceDefinitionNames = def(
  X + 'CustomResourceDefinitionNames',
  t.object(
    {
      categories: strList('Groups of resources this one belongs to, e.g. all, for `kubectl get <category>`.'),
      kind: str('The CamelCase kind of the objects.'),
      listKind: str('The kind of lists of the objects; defaults to <kind>List.'),
      plural: str('The plural lower-case name used in URLs: /apis/<group>/<version>/<plural>.'),
      shortNames: strList('Short aliases kubectl accepts.'),
      singular: str('The singular lower-case name; defaults to the lower-cased kind.'),
    },
    { required: ['plural', 'kind'], description: 'The names a custom resource is known by.' },
  ),
);

export const ServiceReference = def(
  X + 'ServiceReference',
  t.object(
    {
      name: str('Name of the service.'),
      namespace: str('Namespace of the service.'),
      path: str('URL path requests are sent to.'),
      port: t.int32({ description: 'Port of the service; defaults to 443.' }),
    },
    { required: ['namespace', 'name'], description: 'A Service that receives webhook calls.' },
  ),
);

export const WebhookClientConfig = def(
  X + 'WebhookClientConfig',
  t.object(
    {
      caBundle: t.bytes({ description: 'PEM CA bundle used to verify the webhook server certificate.' }),
      service: t.ref(ServiceReference, { description: 'The in-cluster service to call; mutually exclusive with url.' }),
      url: str('The https URL to call; mutually exclusive with service.'),
    },
    { description: 'How to reach a webhook.' },
  ),
);

export const WebhookConversion = def(
  X + 'WebhookConversion',
  t.object(
    {
      clientConfig: t.ref(WebhookClientConfig, { description: 'How to reach the conversion webhook.' }),
      conversionReviewVersions: strList('ConversionReview versions the webhook accepts, in order of preference.'),
    },
    { required: ['conversionReviewVersions'], description: 'A conversion webhook.' },
  ),
);

export const CustomResourceConversion = def(
  X + 'CustomResourceConversion',
  t.object(
    {
      strategy: str('How objects are converted between versions: None (only apiVersion changes) or Webhook.'),
      webhook: t.ref(WebhookConversion, { description: 'The conversion webhook, when strategy is Webhook.' }),
    },
    { required: ['strategy'], description: 'How objects are converted between versions.' },
  ),
);

export const CustomResourceDefinitionSpec = def(
  X + 'CustomResourceDefinitionSpec',
  t.object(
    {
      conversion: t.ref(CustomResourceConversion, { description: 'How objects are converted between versions.' }),
      group: str('The API group of the resource, a DNS subdomain with at least one dot.'),
      names: t.ref(CustomResourceDefinitionNames, { description: 'The names of the resource.' }),
      preserveUnknownFields: bool('Deprecated; must be false. Use x-kubernetes-preserve-unknown-fields in the schema.'),
      scope: str('Whether objects are Namespaced or Cluster scoped.'),
      versions: t.array(t.ref(CustomResourceDefinitionVersion), { listType: 'atomic', description: 'The versions served; exactly one is the storage version.' }),
    },
    { required: ['group', 'names', 'scope', 'versions'], description: 'The desired custom resource.' },
  ),
);

export const CustomResourceDefinitionCondition = def(
  X + 'CustomResourceDefinitionCondition',
  t.object(
    {
      lastTransitionTime: t.ref(Time, { description: 'When the condition last changed status.' }),
      message: str('Human-readable details.'),
      reason: str('CamelCase reason for the last transition.'),
      status: str('True, False or Unknown.'),
      type: str('Established, NamesAccepted, NonStructuralSchema, Terminating or KubernetesAPIApprovalPolicyConformant.'),
    },
    { required: ['type', 'status'], description: 'One aspect of the state of a CRD.' },
  ),
);

export const CustomResourceDefinitionStatus = def(
  X + 'CustomResourceDefinitionStatus',
  t.object(
    {
      acceptedNames: t.ref(CustomResourceDefinitionNames, { description: 'The names actually served; they can differ from spec.names when those conflict.' }),
      conditions: t.array(t.ref(CustomResourceDefinitionCondition), { listType: 'map', mapKeys: ['type'], description: 'The state of the CRD.' }),
      storedVersions: strList('Every version objects have ever been stored in; a version leaves this list only after migration.'),
    },
    { description: 'The observed state of a CRD.' },
  ),
);

export const CustomResourceDefinition = def(
  X + 'CustomResourceDefinition',
  t.object(
    {
      apiVersion: str('The versioned schema of this representation of the object.'),
      kind: str('The REST resource this object represents, in CamelCase.'),
      metadata: t.ref(ObjectMeta),
      spec: t.ref(CustomResourceDefinitionSpec, { description: 'The resource to serve.' }),
      status: t.ref(CustomResourceDefinitionStatus, { description: 'Whether the resource is served, set by the server.' }),
    },
    { required: ['spec'], description: 'Defines a custom resource the API server serves; the name must be <plural>.<group>.' },
  ),
  { 'x-kubernetes-group-version-kind': [{ group: GROUP, version: VERSION, kind: 'CustomResourceDefinition' }] },
);

export const apiextensionsDefinitions = [
  JSON_,
  JSONSchemaPropsOrBool,
  JSONSchemaPropsOrArray,
  JSONSchemaPropsOrStringArray,
  ExternalDocumentation,
  ValidationRule,
  JSONSchemaProps,
  CustomResourceValidation,
  CustomResourceSubresourceStatus,
  CustomResourceSubresourceScale,
  CustomResourceSubresources,
  CustomResourceColumnDefinition,
  SelectableField,
  CustomResourceDefinitionVersion,
  CustomResourceDefinitionNames,
  ServiceReference,
  WebhookClientConfig,
  WebhookConversion,
  CustomResourceConversion,
  CustomResourceDefinitionSpec,
  CustomResourceDefinitionCondition,
  CustomResourceDefinitionStatus,
  CustomResourceDefinition,
] as const;

export type ValidationRuleT = Static<typeof ValidationRule>;
export type CustomResourceColumnDefinitionT = Static<typeof CustomResourceColumnDefinition>;
export type CustomResourceDefinitionVersionT = Static<typeof CustomResourceDefinitionVersion>;
export type CustomResourceDefinitionNamesT = Static<typeof CustomResourceDefinitionNames>;
export type CustomResourceConversionT = Static<typeof CustomResourceConversion>;
export type CustomResourceDefinitionSpecT = Static<typeof CustomResourceDefinitionSpec>;
export type CustomResourceDefinitionConditionT = Static<typeof CustomResourceDefinitionCondition>;
export type CustomResourceDefinitionStatusT = Static<typeof CustomResourceDefinitionStatus>;
export type CustomResourceDefinitionT = Static<typeof CustomResourceDefinition>;
