/** Containers of every kind (init, sidecar, app, ephemeral), as upstream validates them. */
import { type FieldError, FieldPath, field } from '../../../../machinery/errors/field.js';
import { isEnvVarName, isValidPortName, isValidPortNum } from '../../../../machinery/validation/names.js';
import type { ContainerT, EnvFromSourceT, EnvVarT, EphemeralContainerT, LifecycleHandlerT, ProbeT, VolumeMountT } from '../types/container.js';
import { dnsLabel, isConfigMapKey, nonNegative, portNumOrName } from './common.js';
import { validateResourceRequirements } from './resources.js';

type AnyContainer = ContainerT | EphemeralContainerT;

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const MOUNT_PROPAGATION = ['Bidirectional', 'HostToContainer', 'None'];
const ENV_FIELD_PATHS = [
  'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName',
  'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
];

function validatePorts(ports: ContainerT['ports'], path: FieldPath, portNames: Set<string>, hostNetwork: boolean): FieldError[] {
  const errs: FieldError[] = [];
  (ports ?? []).forEach((port, i) => {
    const p = path.index(i);
    if (port.name) {
      for (const m of isValidPortName(port.name)) errs.push(field.invalid(p.child('name').text, port.name, m));
      if (portNames.has(port.name)) errs.push(field.duplicate(p.child('name').text, port.name));
      portNames.add(port.name);
    }
    if (!port.containerPort) errs.push(field.required(p.child('containerPort').text, ''));
    else for (const m of isValidPortNum(port.containerPort)) errs.push(field.invalid(p.child('containerPort').text, port.containerPort, m));
    if (port.hostPort) for (const m of isValidPortNum(port.hostPort)) errs.push(field.invalid(p.child('hostPort').text, port.hostPort, m));
    if (hostNetwork && port.hostPort && port.hostPort !== port.containerPort) {
      errs.push(field.invalid(p.child('hostPort').text, port.hostPort, 'must match `containerPort` when `hostNetwork` is true'));
    }
    if (!port.protocol) errs.push(field.required(p.child('protocol').text, ''));
    else if (!PROTOCOLS.includes(port.protocol)) errs.push(field.notSupported(p.child('protocol').text, port.protocol, PROTOCOLS));
  });
  return errs;
}

function validateEnv(env: EnvVarT[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (env ?? []).forEach((ev, i) => {
    const p = path.index(i);
    if (!ev.name) errs.push(field.required(p.child('name').text, ''));
    else for (const m of isEnvVarName(ev.name)) errs.push(field.invalid(p.child('name').text, ev.name, m));
    const from = ev.valueFrom;
    if (!from) return;
    const fp = p.child('valueFrom');
    const set = (['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'] as const).filter((k) => from[k]);
    if (set.length === 0) {
      errs.push(field.invalid(fp.text, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
      return;
    }
    if (ev.value) errs.push(field.invalid(fp.text, '', 'may not be specified when `value` is not empty'));
    if (set.length > 1) errs.push(field.invalid(fp.text, '', 'may not have more than one field specified at a time'));
    if (from.fieldRef) {
      const rp = fp.child('fieldRef');
      const fpath = from.fieldRef.fieldPath;
      if (!fpath) errs.push(field.required(rp.child('fieldPath').text, ''));
      else if (!ENV_FIELD_PATHS.includes(fpath) && !/^metadata\.(labels|annotations)\['[^']+'\]$/.test(fpath)) {
        errs.push(field.notSupported(rp.child('fieldPath').text, fpath, ENV_FIELD_PATHS));
      }
    }
    if (from.resourceFieldRef && !from.resourceFieldRef.resource) errs.push(field.required(fp.child('resourceFieldRef').child('resource').text, ''));
    for (const k of ['configMapKeyRef', 'secretKeyRef'] as const) {
      const ref = from[k];
      if (!ref) continue;
      const rp = fp.child(k);
      if (!ref.name) errs.push(field.required(rp.child('name').text, ''));
      if (!ref.key) errs.push(field.required(rp.child('key').text, ''));
      else for (const m of isConfigMapKey(ref.key)) errs.push(field.invalid(rp.child('key').text, ref.key, m));
    }
  });
  return errs;
}

function validateEnvFrom(envFrom: EnvFromSourceT[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (envFrom ?? []).forEach((ef, i) => {
    const p = path.index(i);
    if (ef.prefix) for (const m of isEnvVarName(ef.prefix)) errs.push(field.invalid(p.child('prefix').text, ef.prefix, m));
    const n = Number(!!ef.configMapRef) + Number(!!ef.secretRef);
    if (n === 0) errs.push(field.invalid(p.text, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (n > 1) errs.push(field.invalid(p.text, '', 'may not have more than one field specified at a time'));
    if (ef.configMapRef && !ef.configMapRef.name) errs.push(field.required(p.child('configMapRef').child('name').text, ''));
    if (ef.secretRef && !ef.secretRef.name) errs.push(field.required(p.child('secretRef').child('name').text, ''));
  });
  return errs;
}

function validateVolumeMounts(mounts: VolumeMountT[] | undefined, volumes: Set<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const paths = new Set<string>();
  (mounts ?? []).forEach((m, i) => {
    const p = path.index(i);
    if (!m.name) errs.push(field.required(p.child('name').text, ''));
    else if (!volumes.has(m.name)) errs.push(field.notFound(p.child('name').text, m.name));
    if (!m.mountPath) errs.push(field.required(p.child('mountPath').text, ''));
    else if (paths.has(m.mountPath)) errs.push(field.invalid(p.child('mountPath').text, m.mountPath, 'must be unique'));
    if (m.mountPath) paths.add(m.mountPath);
    if (m.subPath) {
      if (m.subPath.startsWith('/')) errs.push(field.invalid(p.child('subPath').text, m.subPath, 'must be a relative path'));
      if (m.subPath.split('/').includes('..')) errs.push(field.invalid(p.child('subPath').text, m.subPath, "must not contain '..'"));
    }
    if (m.subPath && m.subPathExpr) errs.push(field.invalid(p.child('subPathExpr').text, m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
    if (m.mountPropagation !== undefined && !MOUNT_PROPAGATION.includes(m.mountPropagation)) {
      errs.push(field.notSupported(p.child('mountPropagation').text, m.mountPropagation, MOUNT_PROPAGATION));
    }
  });
  return errs;
}

/** validateHandler: exactly one of exec, httpGet, tcpSocket, grpc (probes) or sleep (hooks). */
function validateHandler(h: ProbeT | LifecycleHandlerT, kinds: readonly string[], path: FieldPath): FieldError[] {
  const rec = h as Record<string, unknown>;
  const set = kinds.filter((k) => rec[k] !== undefined && rec[k] !== null);
  const errs: FieldError[] = [];
  if (set.length === 0) return [field.required(path.text, 'must specify a handler type')];
  for (const extra of set.slice(1)) errs.push(field.forbidden(path.child(extra).text, 'may not specify more than 1 handler type'));
  if (h.exec && !h.exec.command?.length) errs.push(field.required(path.child('exec').child('command').text, ''));
  if (h.httpGet) {
    const p = path.child('httpGet');
    if (!h.httpGet.path) errs.push(field.required(p.child('path').text, ''));
    errs.push(...portNumOrName(h.httpGet.port, p.child('port')));
    if (h.httpGet.scheme !== undefined && !['HTTP', 'HTTPS'].includes(h.httpGet.scheme)) errs.push(field.notSupported(p.child('scheme').text, h.httpGet.scheme, ['HTTP', 'HTTPS']));
  }
  if (h.tcpSocket) errs.push(...portNumOrName(h.tcpSocket.port, path.child('tcpSocket').child('port')));
  const grpc = (h as ProbeT).grpc;
  if (grpc) for (const m of isValidPortNum(grpc.port)) errs.push(field.invalid(path.child('grpc').child('port').text, grpc.port, m));
  const sleep = (h as LifecycleHandlerT).sleep;
  if (sleep && (typeof sleep.seconds !== 'number' || sleep.seconds < 0)) {
    errs.push(field.invalid(path.child('sleep').child('seconds').text, sleep.seconds, 'must be non-negative and less than terminationGracePeriodSeconds.'));
  }
  return errs;
}

export function validateProbe(probe: ProbeT | undefined, path: FieldPath): FieldError[] {
  if (!probe) return [];
  return [
    ...validateHandler(probe, ['exec', 'httpGet', 'tcpSocket', 'grpc'], path),
    ...nonNegative(probe.initialDelaySeconds, path.child('initialDelaySeconds')),
    ...nonNegative(probe.timeoutSeconds, path.child('timeoutSeconds')),
    ...nonNegative(probe.periodSeconds, path.child('periodSeconds')),
    ...nonNegative(probe.successThreshold, path.child('successThreshold')),
    ...nonNegative(probe.failureThreshold, path.child('failureThreshold')),
    ...(typeof probe.terminationGracePeriodSeconds === 'number' && probe.terminationGracePeriodSeconds <= 0
      ? [field.invalid(path.child('terminationGracePeriodSeconds').text, probe.terminationGracePeriodSeconds, 'must be greater than 0')]
      : []),
  ];
}

function validateLifecycle(c: AnyContainer, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const kinds = ['exec', 'httpGet', 'tcpSocket', 'sleep'];
  if (c.lifecycle?.postStart) errs.push(...validateHandler(c.lifecycle.postStart, kinds, path.child('postStart')));
  if (c.lifecycle?.preStop) errs.push(...validateHandler(c.lifecycle.preStop, kinds, path.child('preStop')));
  return errs;
}

function mustBeOne(value: number | undefined, path: FieldPath): FieldError[] {
  return typeof value === 'number' && value !== 1 ? [field.invalid(path.text, value, 'must be 1')] : [];
}

export type ContainerRole = 'init' | 'app' | 'ephemeral';

export interface ContainerContext {
  role: ContainerRole;
  volumes: Set<string>;
  /** Names used so far across init and app containers (uniqueness spans both). */
  names: Set<string>;
  portNames: Set<string>;
  hostNetwork: boolean;
}

/** validateContainerCommon plus the role-specific rules for probes, hooks and restartPolicy. */
export function validateContainer(c: AnyContainer, path: FieldPath, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  const namePath = path.child('name');
  if (!c.name) errs.push(field.required(namePath.text, ''));
  else {
    errs.push(...dnsLabel(c.name, namePath));
    if (ctx.names.has(c.name)) errs.push(field.duplicate(namePath.text, c.name));
    ctx.names.add(c.name);
  }
  if (!c.image) errs.push(field.required(path.child('image').text, ''));
  else if (c.image.trim() !== c.image) errs.push(field.invalid(path.child('image').text, c.image, 'must not have leading or trailing whitespace'));
  switch (c.imagePullPolicy ?? '') {
    case 'Always':
    case 'IfNotPresent':
    case 'Never':
      break;
    case '':
      errs.push(field.required(path.child('imagePullPolicy').text, ''));
      break;
    default:
      errs.push(field.notSupported(path.child('imagePullPolicy').text, c.imagePullPolicy, PULL_POLICIES));
  }
  switch (c.terminationMessagePolicy ?? '') {
    case 'File':
    case 'FallbackToLogsOnError':
      break;
    case '':
      errs.push(field.required(path.child('terminationMessagePolicy').text, ''));
      break;
    default:
      errs.push(field.notSupported(path.child('terminationMessagePolicy').text, c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES));
  }
  if (c.stdinOnce && !c.stdin) errs.push(field.invalid(path.child('stdinOnce').text, true, 'must be false when `stdin` is false'));
  errs.push(...validatePorts(c.ports, path.child('ports'), ctx.portNames, ctx.hostNetwork));
  errs.push(...validateEnv(c.env, path.child('env')));
  errs.push(...validateEnvFrom(c.envFrom, path.child('envFrom')));
  errs.push(...validateVolumeMounts(c.volumeMounts, ctx.volumes, path.child('volumeMounts')));
  errs.push(...validateResourceRequirements(c.resources, path.child('resources')));

  const sidecar = ctx.role === 'init' && c.restartPolicy === 'Always';
  if (ctx.role === 'app' && c.restartPolicy !== undefined) {
    errs.push(field.forbidden(path.child('restartPolicy').text, 'may not be set for non-init containers'));
  }
  if (ctx.role === 'init' && c.restartPolicy !== undefined && c.restartPolicy !== 'Always') {
    errs.push(field.notSupported(path.child('restartPolicy').text, c.restartPolicy, ['Always']));
  }
  if (ctx.role === 'ephemeral') {
    // Upstream refuses fields that are not Go zero values: a pointer or slice once present, the
    // resources struct only when it holds something (clients such as kubectl debug send `resources: {}`).
    for (const k of ['livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'resources', 'ports'] as const) {
      const v = (c as Record<string, unknown>)[k];
      const set = k === 'resources' ? v !== undefined && v !== null && Object.values(v as object).some((x) => x !== undefined && x !== null) : v !== undefined && v !== null;
      if (set) errs.push(field.forbidden(path.child(k).text, 'cannot be set for an Ephemeral Container'));
    }
    return errs;
  }
  if (ctx.role === 'init' && !sidecar) {
    const detail = 'may not be set for init containers without restartPolicy=Always';
    for (const k of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
      if (c[k]) errs.push(field.forbidden(path.child(k).text, detail));
    }
    return errs;
  }
  errs.push(...validateLifecycle(c, path.child('lifecycle')));
  errs.push(...validateProbe(c.livenessProbe, path.child('livenessProbe')), ...mustBeOne(c.livenessProbe?.successThreshold, path.child('livenessProbe').child('successThreshold')));
  errs.push(...validateProbe(c.readinessProbe, path.child('readinessProbe')));
  if (c.readinessProbe && typeof c.readinessProbe.terminationGracePeriodSeconds === 'number') {
    errs.push(field.invalid(path.child('readinessProbe').child('terminationGracePeriodSeconds').text, c.readinessProbe.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
  }
  errs.push(...validateProbe(c.startupProbe, path.child('startupProbe')), ...mustBeOne(c.startupProbe?.successThreshold, path.child('startupProbe').child('successThreshold')));
  return errs;
}
