/**
 * pods/log, pods/exec, pods/attach, pods/portforward and nodes/proxy.
 *
 * The API server checks the request (the pod exists, which container is
 * meant, the pod has a node), finds the node's kubelet and forwards to it
 * with its own client certificate. Upgrades are passed through untouched
 * rather than terminated here: whatever protocol the client chose
 * (WebSocket v5 channels, SPDY/3.1, SPDY tunnelled in WebSocket) is spoken
 * end to end with the kubelet, which implements all of them. One codec, in
 * one place, and the kubelet's own errors (`container not found ("x")`)
 * reach kubectl exactly as upstream's do.
 */
import type { IncomingMessage } from 'node:http';
import { StatusError, badRequest, invalid, methodNotAllowed } from '../../machinery/errors/status-error.js';
import type { FieldError } from '../../machinery/errors/field.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import type { RequestContext } from '../context.js';
import type { HttpRequest, ResourceHandlers, SubresourceHandler } from '../endpoints/resource-handler.js';
import type { Response } from '../http/respond.js';
import type { ResourceRequestInfo } from '../request-info.js';
import { chooseContainer } from './pod-containers.js';
import { copyResponseHead, kubeletErrorStatus, relayBody, requestKubelet } from './http-proxy.js';
import { type KubeletClientConfig, type KubeletLocation, kubeletLocation } from './kubelet-client.js';
import { proxyUpgrade } from './upgrade-proxy.js';
import { UpgradeResponse } from './upgrade-response.js';

export interface StreamingDeps {
  /**
   * The API server's identity towards kubelets. Without it kubelets cannot
   * be reached, and requests fail as if they were down.
   */
  kubeletClient?: KubeletClientConfig;
}

type Args = Parameters<SubresourceHandler>[0];

const TRUE = new Set(['true', '1']);

function flag(q: URLSearchParams, name: string): boolean {
  return TRUE.has(q.get(name) ?? '');
}

async function getPod(args: Args): Promise<Readonly<KubeObject>> {
  return (await args.ep.store.get(args.info.namespace, args.info.name)).object;
}

async function nodeLocation(handlers: ResourceHandlers, nodeName: string): Promise<KubeletLocation> {
  const nodes = handlers.deps.endpoints.get('', 'v1', 'nodes');
  if (!nodes) throw new StatusError(500, 'InternalError', 'nodes are not served');
  const node = (await nodes.store.get('', nodeName)).object;
  const loc = kubeletLocation(node);
  if (!loc.ok) throw new StatusError(500, '', loc.message);
  return loc.location;
}

function clientConfig(deps: StreamingDeps): KubeletClientConfig {
  // No identity: dialling would only be refused by the kubelet; say so the way an unreachable kubelet does.
  return deps.kubeletClient ?? { certPEM: '', keyPEM: '', caPEM: '' };
}

function requireUpgrade(res: Response): UpgradeResponse {
  if (res instanceof UpgradeResponse) return res;
  throw badRequest('Upgrade request required');
}

function upgradeWithoutIdentity(deps: StreamingDeps): void {
  if (!deps.kubeletClient) throw new StatusError(500, '', 'error dialing backend: no client certificate configured for kubelets');
}

/** Validates PodLogOptions as upstream does before any kubelet is asked. */
function logParams(q: URLSearchParams, podName: string): URLSearchParams {
  const out = new URLSearchParams();
  const errs: FieldError[] = [];
  const int = (name: string): number | undefined => {
    const v = q.get(name);
    if (v === null || v === '') return undefined;
    if (!/^-?\d+$/.test(v)) throw badRequest(`strconv.ParseInt: parsing "${v}": invalid syntax`);
    return Number(v);
  };
  for (const name of ['follow', 'previous', 'timestamps']) if (flag(q, name)) out.set(name, 'true');
  const tail = int('tailLines');
  if (tail !== undefined) {
    if (tail < 0) errs.push({ type: 'FieldValueInvalid', field: 'tailLines', value: tail, detail: 'must be greater than or equal to 0' });
    else out.set('tailLines', String(tail));
  }
  const limit = int('limitBytes');
  if (limit !== undefined) {
    if (limit < 1) errs.push({ type: 'FieldValueInvalid', field: 'limitBytes', value: limit, detail: 'must be greater than 0' });
    else out.set('limitBytes', String(limit));
  }
  const sinceSeconds = int('sinceSeconds');
  const sinceTime = q.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTime) errs.push({ type: 'FieldValueForbidden', field: '', detail: 'at most one of `sinceTime` or `sinceSeconds` may be specified' });
  if (sinceSeconds !== undefined) {
    if (sinceSeconds < 1) errs.push({ type: 'FieldValueInvalid', field: 'sinceSeconds', value: sinceSeconds, detail: 'must be greater than 0' });
    else out.set('sinceSeconds', String(sinceSeconds));
  }
  if (sinceTime) {
    if (Number.isNaN(Date.parse(sinceTime))) throw badRequest(`parsing time "${sinceTime}" as "2006-01-02T15:04:05Z07:00": cannot parse "${sinceTime}" as "2006"`);
    out.set('sinceTime', sinceTime);
  }
  const stream = q.get('stream');
  if (stream) {
    if (!['All', 'Stdout', 'Stderr'].includes(stream)) errs.push({ type: 'FieldValueNotSupported', field: 'stream', value: stream, valid: ['All', 'Stderr', 'Stdout'] });
    else if (stream !== 'All') out.set('stream', stream);
  }
  if (errs.length) throw invalid({ group: '', kind: 'PodLogOptions' }, podName, errs);
  return out;
}

export function streamingHandlers(deps: StreamingDeps): Map<string, SubresourceHandler> {
  const m = new Map<string, SubresourceHandler>();

  // GET pods/{name}/log
  m.set('/pods/log', async (args) => {
    if (args.info.verb !== 'get') throw methodNotAllowed();
    const pod = await getPod(args);
    const choice = chooseContainer(pod, args.query.get('container') ?? '');
    if (!choice.ok) throw choice.error;
    const params = logParams(args.query, args.info.name);
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    if (!nodeName) {
      // A pod no node runs yet has no log: upstream answers with an empty body.
      args.res.statusCode = 200;
      args.res.setHeader('Content-Type', 'text/plain');
      args.res.end();
      return;
    }
    const location = await nodeLocation(args.handlers, nodeName);
    const path = `/containerLogs/${enc(args.info.namespace)}/${enc(args.info.name)}/${enc(choice.container)}${params.size ? `?${params}` : ''}`;
    const r = await requestKubelet({ location, method: 'GET', path, client: clientConfig(deps), signal: args.ctx.signal });
    if (!r.ok) throw new StatusError(500, '', r.message);
    if ((r.res.statusCode ?? 500) < 200 || (r.res.statusCode ?? 500) > 206) throw await kubeletErrorStatus(r.res, { resource: 'pods/log', name: args.info.name });
    args.res.statusCode = 200;
    args.res.setHeader('Content-Type', 'text/plain');
    args.res.setHeader('Cache-Control', 'no-cache, private');
    await relayBody(r.res, args.res);
  });

  const execOrAttach = (kind: 'exec' | 'attach'): SubresourceHandler => async (args) => {
    if (args.info.verb !== 'connect' && args.info.verb !== 'get' && args.info.verb !== 'create') throw methodNotAllowed();
    const pod = await getPod(args);
    const choice = chooseContainer(pod, args.query.get('container') ?? '');
    if (!choice.ok) throw choice.error;
    const res = requireUpgrade(args.res);
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    if (!nodeName) throw badRequest(`pod ${args.info.name} does not have a host assigned`);
    const location = await nodeLocation(args.handlers, nodeName);
    const params = new URLSearchParams();
    if (kind === 'exec') for (const c of args.query.getAll('command')) params.append('command', c);
    // The kubelet's names for the stream flags, as upstream's streamLocation sends them.
    if (flag(args.query, 'stdin')) params.set('input', '1');
    if (flag(args.query, 'stdout')) params.set('output', '1');
    if (flag(args.query, 'stderr')) params.set('error', '1');
    if (flag(args.query, 'tty')) params.set('tty', '1');
    upgradeWithoutIdentity(deps);
    const path = `/${kind}/${enc(args.info.namespace)}/${enc(args.info.name)}/${enc(choice.container)}?${params}`;
    await proxyUpgrade({ req: args.req as IncomingMessage, res, location, path, client: clientConfig(deps), signal: args.ctx.signal });
  };
  m.set('/pods/exec', execOrAttach('exec'));
  m.set('/pods/attach', execOrAttach('attach'));

  m.set('/pods/portforward', async (args) => {
    const pod = await getPod(args);
    const res = requireUpgrade(args.res);
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    if (!nodeName) throw badRequest(`pod ${args.info.name} does not have a host assigned`);
    const location = await nodeLocation(args.handlers, nodeName);
    const params = new URLSearchParams();
    for (const p of args.query.getAll('ports').flatMap((v) => v.split(','))) if (p.trim()) params.append('port', p.trim());
    upgradeWithoutIdentity(deps);
    const path = `/portForward/${enc(args.info.namespace)}/${enc(args.info.name)}${params.size ? `?${params}` : ''}`;
    await proxyUpgrade({ req: args.req as IncomingMessage, res, location, path, client: clientConfig(deps), signal: args.ctx.signal });
  });

  return m;
}

/**
 * nodes/{name}/proxy/{path}: any method, any path on the node's kubelet
 * (`kubectl get --raw /api/v1/nodes/n/proxy/metrics/resource`), upgrades included.
 */
export async function serveNodeProxy(deps: StreamingDeps, handlers: ResourceHandlers, info: ResourceRequestInfo, req: HttpRequest, res: Response, query: URLSearchParams, ctx: RequestContext): Promise<void> {
  const location = await nodeLocation(handlers, info.name);
  const rest = info.subresource === 'proxy' ? '' : info.subresource.slice('proxy'.length);
  const path = `${rest || '/'}${query.size ? `?${query}` : ''}`;
  if (res instanceof UpgradeResponse) {
    upgradeWithoutIdentity(deps);
    await proxyUpgrade({ req: req as IncomingMessage, res, location, path, client: clientConfig(deps), signal: ctx.signal });
    return;
  }
  const method = (req.method ?? 'GET').toUpperCase();
  const r = await requestKubelet({ location, method, path, client: clientConfig(deps), headers: req.headers, body: method === 'GET' || method === 'HEAD' ? undefined : req, signal: ctx.signal });
  if (!r.ok) throw new StatusError(503, 'ServiceUnavailable', `error trying to reach service: ${r.message.replace(/^\w+ "[^"]*": /, '')}`);
  copyResponseHead(r.res, res);
  await relayBody(r.res, res);
}

/** True for nodes/{name}/proxy and nodes/{name}/proxy/... requests. */
export function isNodeProxy(info: ResourceRequestInfo): boolean {
  return info.isResourceRequest && info.group === '' && info.resource === 'nodes' && !!info.name && (info.subresource === 'proxy' || info.subresource.startsWith('proxy/'));
}

function enc(s: string): string {
  return encodeURIComponent(s);
}
