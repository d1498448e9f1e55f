/** ConfigMap and Secret validation: keys, size, per-type required keys, immutability. */
import { type FieldError, FieldPath, field } from '../../../../machinery/errors/field.js';
import type { ConfigMapT, SecretT } from '../types/config.js';
import { immutable, isConfigMapKey, MAX_SECRET_SIZE, semanticEqual } from './common.js';

export const SERVICE_ACCOUNT_NAME_KEY = 'kubernetes.io/service-account.name';

function decodedLength(b64: string): number {
  return Buffer.from(b64, 'base64').length;
}

export function validateConfigMap(cm: ConfigMapT): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  const data = new FieldPath('data');
  const binary = new FieldPath('binaryData');
  for (const [k, v] of Object.entries(cm.data ?? {})) {
    for (const m of isConfigMapKey(k)) errs.push(field.invalid(data.key(k).text, k, m));
    if (cm.binaryData && k in cm.binaryData) errs.push(field.invalid(data.key(k).text, k, 'duplicate of key present in binaryData'));
    total += Buffer.byteLength(v ?? '');
  }
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) {
    for (const m of isConfigMapKey(k)) errs.push(field.invalid(binary.key(k).text, k, m));
    total += decodedLength(v ?? '');
  }
  if (total > MAX_SECRET_SIZE) errs.push(field.tooLong('', '', MAX_SECRET_SIZE));
  return errs;
}

function immutableData(next: { immutable?: boolean }, prev: { immutable?: boolean }, pairs: [string, unknown, unknown][]): FieldError[] {
  if (!prev.immutable) return [];
  const errs: FieldError[] = [];
  if (!next.immutable) errs.push(field.forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const [name, a, b] of pairs) if (!semanticEqual(a, b)) errs.push(field.forbidden(name, 'field is immutable when `immutable` is set'));
  return errs;
}

export function validateConfigMapUpdate(cm: ConfigMapT, old: ConfigMapT): FieldError[] {
  return [
    ...immutableData(cm, old, [
      ['data', cm.data, old.data],
      ['binaryData', cm.binaryData, old.binaryData],
    ]),
    ...validateConfigMap(cm),
  ];
}

/** The data keys a secret will hold once stringData is merged into data. */
function secretKeys(s: SecretT): Set<string> {
  return new Set([...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})]);
}

function secretValue(s: SecretT, key: string): Buffer | undefined {
  if (s.stringData && key in s.stringData) return Buffer.from(s.stringData[key] ?? '');
  if (s.data && key in s.data) return Buffer.from(s.data[key] ?? '', 'base64');
  return undefined;
}

function validJSON(buf: Buffer, path: FieldPath): FieldError[] {
  try {
    const v: unknown = JSON.parse(buf.toString('utf8'));
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('json: cannot unmarshal into Go value of type map[string]interface {}');
    return [];
  } catch (err) {
    return [field.invalid(path.text, '<secret contents redacted>', (err as Error).message)];
  }
}

export function validateSecret(s: SecretT): FieldError[] {
  const errs: FieldError[] = [];
  const dataPath = new FieldPath('data');
  let total = 0;
  for (const k of secretKeys(s)) {
    for (const m of isConfigMapKey(k)) errs.push(field.invalid(dataPath.key(k).text, k, m));
    total += secretValue(s, k)?.length ?? 0;
  }
  if (total > MAX_SECRET_SIZE) errs.push(field.tooLong(dataPath.text, '', MAX_SECRET_SIZE));
  const has = (k: string) => secretKeys(s).has(k);
  switch (s.type ?? '') {
    case 'kubernetes.io/service-account-token':
      if (!s.metadata?.annotations?.[SERVICE_ACCOUNT_NAME_KEY]) {
        errs.push(field.required(new FieldPath('metadata').child('annotations').key(SERVICE_ACCOUNT_NAME_KEY).text, ''));
      }
      break;
    case 'kubernetes.io/dockercfg': {
      const v = secretValue(s, '.dockercfg');
      if (!v) errs.push(field.required(dataPath.key('.dockercfg').text, ''));
      else errs.push(...validJSON(v, dataPath.key('.dockercfg')));
      break;
    }
    case 'kubernetes.io/dockerconfigjson': {
      const v = secretValue(s, '.dockerconfigjson');
      if (!v) errs.push(field.required(dataPath.key('.dockerconfigjson').text, ''));
      else errs.push(...validJSON(v, dataPath.key('.dockerconfigjson')));
      break;
    }
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) {
        errs.push(field.required(dataPath.key('username').text, ''), field.required(dataPath.key('password').text, ''));
      }
      break;
    case 'kubernetes.io/ssh-auth':
      if (!secretValue(s, 'ssh-privatekey')?.length) errs.push(field.required(dataPath.key('ssh-privatekey').text, ''));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) errs.push(field.required(dataPath.key('tls.crt').text, ''));
      if (!has('tls.key')) errs.push(field.required(dataPath.key('tls.key').text, ''));
      break;
    default:
  }
  return errs;
}

export function validateSecretUpdate(s: SecretT, old: SecretT): FieldError[] {
  return [
    ...immutable(s.type, old.type, new FieldPath('type')),
    ...immutableData(s, old, [['data', s.data, old.data]]),
    ...validateSecret(s),
  ];
}
