/** Upstream ValidateCustomResourceDefinition / ...Update / ...StatusUpdate essentials. */
import { type FieldError, field } from '../../../machinery/errors/field.js';
import type { Schema } from '../../../machinery/schema/types.js';
import { checkStructuralSchema } from '../../../machinery/schema/structural.js';
import { isDNS1035Label, isDNS1123Subdomain } from '../../../machinery/validation/names.js';
import type { CustomResourceColumnDefinitionT, CustomResourceConversionT, CustomResourceDefinitionNamesT, CustomResourceDefinitionT, CustomResourceDefinitionVersionT } from './types.js';

const PRINTER_COLUMN_TYPES = ['integer', 'number', 'string', 'boolean', 'date'];
const PRINTER_COLUMN_FORMATS = ['int32', 'int64', 'float', 'double', 'byte', 'date', 'date-time', 'password'];
const SCOPES = ['Cluster', 'Namespaced'];
const CONVERSION_STRATEGIES = ['None', 'Webhook'];

function dns1035(value: string, path: string, prefix = ''): FieldError[] {
  const errs = isDNS1035Label(value);
  return errs.length ? [field.invalid(path, value, prefix + errs.join(','))] : [];
}

export function validateNames(names: CustomResourceDefinitionNamesT | undefined, path: string): FieldError[] {
  const n = names ?? ({ plural: '', kind: '' } as CustomResourceDefinitionNamesT);
  const out: FieldError[] = [];
  if (n.plural) out.push(...dns1035(n.plural, `${path}.plural`));
  else out.push(field.required(`${path}.plural`, ''));
  if (n.singular) out.push(...dns1035(n.singular, `${path}.singular`));
  else out.push(field.required(`${path}.singular`, ''));
  if (n.kind) out.push(...dns1035(n.kind.toLowerCase(), `${path}.kind`, 'may have mixed case, but should otherwise match: ').map((e) => ({ ...e, value: n.kind })));
  else out.push(field.required(`${path}.kind`, ''));
  if (n.listKind) out.push(...dns1035(n.listKind.toLowerCase(), `${path}.listKind`, 'may have mixed case, but should otherwise match: ').map((e) => ({ ...e, value: n.listKind })));
  else out.push(field.required(`${path}.listKind`, ''));
  if (n.kind && n.kind === n.listKind) out.push(field.invalid(`${path}.listKind`, n.listKind, 'kind and listKind may not be the same'));
  (n.shortNames ?? []).forEach((s, i) => out.push(...dns1035(s, `${path}.shortNames[${i}]`)));
  (n.categories ?? []).forEach((c, i) => out.push(...dns1035(c, `${path}.categories[${i}]`)));
  return out;
}

function validatePrinterColumn(c: CustomResourceColumnDefinitionT, path: string): FieldError[] {
  const out: FieldError[] = [];
  if (!c.name) out.push(field.required(`${path}.name`, ''));
  if (!c.type) out.push(field.required(`${path}.type`, ''));
  else if (!PRINTER_COLUMN_TYPES.includes(c.type)) out.push(field.notSupported(`${path}.type`, c.type, PRINTER_COLUMN_TYPES));
  if (c.format && !PRINTER_COLUMN_FORMATS.includes(c.format)) out.push(field.notSupported(`${path}.format`, c.format, PRINTER_COLUMN_FORMATS));
  if (c.priority !== undefined && c.priority < 0) out.push(field.invalid(`${path}.priority`, c.priority, 'negative priorities not allowed'));
  if (!c.jsonPath) out.push(field.required(`${path}.jsonPath`, ''));
  return out;
}

function validateVersion(v: CustomResourceDefinitionVersionT, path: string): FieldError[] {
  const out: FieldError[] = [];
  if (!v.name) out.push(field.required(`${path}.name`, ''));
  else out.push(...dns1035(v.name, `${path}.name`));
  const schema = v.schema?.openAPIV3Schema;
  if (!schema) out.push(field.required(`${path}.schema.openAPIV3Schema`, 'schemas are required'));
  else out.push(...checkStructuralSchema(schema as Schema, `${path}.schema.openAPIV3Schema`));
  const scale = v.subresources?.scale;
  if (scale) {
    const sp = `${path}.subresources.scale`;
    if (!scale.specReplicasPath) out.push(field.required(`${sp}.specReplicasPath`, ''));
    else if (!scale.specReplicasPath.startsWith('.spec.')) out.push(field.invalid(`${sp}.specReplicasPath`, scale.specReplicasPath, 'should be a json path under .spec'));
    if (!scale.statusReplicasPath) out.push(field.required(`${sp}.statusReplicasPath`, ''));
    else if (!scale.statusReplicasPath.startsWith('.status.')) out.push(field.invalid(`${sp}.statusReplicasPath`, scale.statusReplicasPath, 'should be a json path under .status'));
    const sel = scale.labelSelectorPath;
    if (sel && !sel.startsWith('.spec.') && !sel.startsWith('.status.')) out.push(field.invalid(`${sp}.labelSelectorPath`, sel, 'should be a json path under either .spec or .status'));
  }
  (v.additionalPrinterColumns ?? []).forEach((c, i) => out.push(...validatePrinterColumn(c, `${path}.additionalPrinterColumns[${i}]`)));
  const seen = new Set<string>();
  (v.selectableFields ?? []).forEach((f, i) => {
    const fp = `${path}.selectableFields[${i}].jsonPath`;
    if (!f.jsonPath) out.push(field.required(fp, ''));
    else if (seen.has(f.jsonPath)) out.push(field.duplicate(fp, f.jsonPath));
    seen.add(f.jsonPath);
  });
  if (v.deprecationWarning !== undefined && !v.deprecated) out.push(field.invalid(`${path}.deprecationWarning`, v.deprecationWarning, 'can only be set for deprecated versions'));
  if (v.deprecationWarning && v.deprecationWarning.length > 256) out.push(field.tooLong(`${path}.deprecationWarning`, '', 256));
  return out;
}

function validateConversion(c: CustomResourceConversionT | undefined, preserveUnknownFields: boolean, path: string): FieldError[] {
  if (!c) return [];
  const out: FieldError[] = [];
  if (!CONVERSION_STRATEGIES.includes(c.strategy)) return [field.notSupported(`${path}.strategy`, c.strategy, CONVERSION_STRATEGIES)];
  if (c.strategy === 'Webhook') {
    if (!c.webhook) return [field.required(`${path}.webhook`, 'required when strategy is set to Webhook')];
    const cfg = c.webhook.clientConfig;
    if (!cfg) out.push(field.required(`${path}.webhook.clientConfig`, 'required when strategy is set to Webhook'));
    else if (cfg.url && cfg.service) out.push(field.required(`${path}.webhook.clientConfig`, 'exactly one of url or service is required'));
    else if (!cfg.url && !cfg.service) out.push(field.required(`${path}.webhook.clientConfig`, 'exactly one of url or service is required'));
    if (!c.webhook.conversionReviewVersions || c.webhook.conversionReviewVersions.length === 0) {
      out.push(field.required(`${path}.webhook.conversionReviewVersions`, 'must include at least one of v1, v1beta1'));
    }
    if (preserveUnknownFields) out.push(field.invalid(`${path}.strategy`, c.strategy, 'must be None if spec.preserveUnknownFields is true'));
  } else if (c.webhook) {
    out.push(field.forbidden(`${path}.webhook`, 'should not be set when strategy is not set to Webhook'));
  }
  return out;
}

function isEstablished(crd: CustomResourceDefinitionT | undefined): boolean {
  return (crd?.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
}

export function validateCustomResourceDefinition(crd: CustomResourceDefinitionT, old: CustomResourceDefinitionT | undefined, opts: { subresource?: string } = {}): FieldError[] {
  if (opts.subresource === 'status') return validateStatus(crd);
  const out: FieldError[] = [];
  const spec = crd.spec ?? ({} as NonNullable<CustomResourceDefinitionT['spec']>);
  const name = crd.metadata?.name ?? '';
  const plural = spec.names?.plural ?? '';
  const group = spec.group ?? '';
  if (name !== `${plural}.${group}`) out.push(field.invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));

  if (!group) out.push(field.required('spec.group', ''));
  else {
    const errs = isDNS1123Subdomain(group);
    if (errs.length) out.push(field.invalid('spec.group', group, errs.join(',')));
    else if (group.split('.').length < 2) out.push(field.invalid('spec.group', group, 'should be a domain with at least one dot'));
  }

  const scope = spec.scope ?? '';
  if (!scope) out.push(field.required('spec.scope', ''));
  else if (!SCOPES.includes(scope)) out.push(field.notSupported('spec.scope', scope, SCOPES));

  const versions = spec.versions ?? [];
  if (versions.length === 0) out.push(field.required('spec.versions', 'must have exactly one version marked as storage version'));
  const seen = new Set<string>();
  let unique = true;
  let storageCount = 0;
  versions.forEach((v, i) => {
    if (v.storage) storageCount++;
    if (seen.has(v.name)) unique = false;
    seen.add(v.name);
    out.push(...validateVersion(v, `spec.versions[${i}]`));
  });
  if (!unique) out.push(field.invalid('spec.versions', versions, 'must contain unique version names'));
  if (versions.length > 0 && storageCount !== 1) out.push(field.invalid('spec.versions', versions, 'must have exactly one version marked as storage version'));

  out.push(...validateNames(spec.names, 'spec.names'));
  if (spec.preserveUnknownFields) {
    out.push(field.invalid('spec.preserveUnknownFields', true, 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'));
  }
  out.push(...validateConversion(spec.conversion, spec.preserveUnknownFields ?? false, 'spec.conversion'));

  if (old) {
    const o = old.spec ?? ({} as NonNullable<CustomResourceDefinitionT['spec']>);
    if (o.group !== spec.group) out.push(field.invalid('spec.group', spec.group, 'field is immutable'));
    if (o.names?.plural !== spec.names?.plural) out.push(field.invalid('spec.names.plural', spec.names?.plural, 'field is immutable'));
    // Once objects may exist their scope and kinds are fixed.
    if (isEstablished(old)) {
      if (o.scope !== spec.scope) out.push(field.invalid('spec.scope', spec.scope, 'field is immutable'));
      if (o.names?.kind !== spec.names?.kind) out.push(field.invalid('spec.names.kind', spec.names?.kind, 'field is immutable'));
      if (o.names?.listKind !== spec.names?.listKind) out.push(field.invalid('spec.names.listKind', spec.names?.listKind, 'field is immutable'));
    }
  }
  out.push(...validateStoredVersions(crd));
  return out;
}

function validateStoredVersions(crd: CustomResourceDefinitionT): FieldError[] {
  const stored = crd.status?.storedVersions;
  if (!stored || stored.length === 0) return [];
  const out: FieldError[] = [];
  const versions = crd.spec?.versions ?? [];
  stored.forEach((s, i) => {
    if (!versions.some((v) => v.name === s)) out.push(field.invalid(`status.storedVersions[${i}]`, s, 'must appear in spec.versions'));
  });
  const storage = versions.find((v) => v.storage);
  if (storage && !stored.includes(storage.name)) out.push(field.invalid('status.storedVersions', stored, `must have the storage version ${storage.name}`));
  return out;
}

function validateStatus(crd: CustomResourceDefinitionT): FieldError[] {
  const out: FieldError[] = [];
  if (crd.status?.acceptedNames && crd.status.acceptedNames.plural) out.push(...validateNames(crd.status.acceptedNames, 'status.acceptedNames'));
  out.push(...validateStoredVersions(crd));
  return out;
}
