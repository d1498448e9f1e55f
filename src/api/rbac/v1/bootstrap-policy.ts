/**
 * The cluster roles and bindings a fresh cluster starts with, granting what
 * upstream's default RBAC policy grants so tools and components that assume
 * those roles (kubectl's admin/edit/view, the scheduler, the kubelet) work.
 */
import { GROUP, type ClusterRoleBindingT, type ClusterRoleT, type PolicyRuleT, type SubjectT } from './types.js';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const READ_WRITE = [...READ, ...WRITE];

const sorted = (xs: readonly string[]): string[] => [...new Set(xs)].sort();

/** A resource rule; lists are sorted and deduplicated as upstream's rule builder does. */
function rule(verbs: readonly string[], groups: readonly string[], resources: readonly string[], names?: readonly string[]): PolicyRuleT {
  const r: PolicyRuleT = { verbs: sorted(verbs), apiGroups: sorted(groups), resources: sorted(resources) };
  if (names) r.resourceNames = sorted(names);
  return r;
}

function urls(verbs: readonly string[], paths: readonly string[]): PolicyRuleT {
  return { verbs: sorted(verbs), nonResourceURLs: sorted(paths) };
}

const core = [''];
const apps = ['apps'];
const batch = ['batch'];
const extensions = ['extensions'];
const policy = ['policy'];
const networking = ['networking.k8s.io'];
const storage = ['storage.k8s.io'];
const coordination = ['coordination.k8s.io'];
const discovery = ['discovery.k8s.io'];
const authn = ['authentication.k8s.io'];
const authz = ['authorization.k8s.io'];
const certificates = ['certificates.k8s.io'];

const eventsRule = rule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']);

export const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' } as const;
export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';
const AGGREGATE_TO = 'rbac.authorization.k8s.io/aggregate-to-';

function clusterRole(name: string, rules: PolicyRuleT[] | undefined, opts: { labels?: Record<string, string>; aggregateFrom?: string } = {}): ClusterRoleT {
  const role: ClusterRoleT = {
    apiVersion: `${GROUP}/v1`,
    kind: 'ClusterRole',
    metadata: { name, labels: { ...BOOTSTRAP_LABELS, ...opts.labels }, annotations: { [AUTOUPDATE_ANNOTATION]: 'true' } },
  };
  if (opts.aggregateFrom) role.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [AGGREGATE_TO + opts.aggregateFrom]: 'true' } }] };
  if (rules) role.rules = rules;
  return role;
}

const group = (name: string): SubjectT => ({ apiGroup: GROUP, kind: 'Group', name });
const user = (name: string): SubjectT => ({ apiGroup: GROUP, kind: 'User', name });
const serviceAccount = (namespace: string, name: string): SubjectT => ({ kind: 'ServiceAccount', name, namespace });

function binding(role: string, subjects: SubjectT[] | undefined, name = role): ClusterRoleBindingT {
  const b: ClusterRoleBindingT = {
    apiVersion: `${GROUP}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: { ...BOOTSTRAP_LABELS }, annotations: { [AUTOUPDATE_ANNOTATION]: 'true' } },
    roleRef: { apiGroup: GROUP, kind: 'ClusterRole', name: role },
  };
  if (subjects) b.subjects = subjects;
  return b;
}

function nodeRules(): PolicyRuleT[] {
  return [
    rule(['create'], authn, ['tokenreviews']),
    rule(['create'], authz, ['localsubjectaccessreviews', 'subjectaccessreviews']),
    rule(READ, core, ['services']),
    rule(['create', 'get', 'list', 'watch'], core, ['nodes']),
    rule(['patch', 'update'], core, ['nodes/status']),
    rule(['patch', 'update'], core, ['nodes']),
    rule(['create', 'patch', 'update'], core, ['events']),
    rule(READ, core, ['pods']),
    rule(['create', 'delete'], core, ['pods']),
    rule(['patch', 'update'], core, ['pods/status']),
    rule(['create'], core, ['pods/eviction']),
    rule(READ, core, ['configmaps', 'secrets']),
    rule(['get'], core, ['persistentvolumeclaims', 'persistentvolumes']),
    rule(['get'], core, ['endpoints']),
    rule(['create', 'get', 'list', 'watch'], certificates, ['certificatesigningrequests']),
    rule(['create', 'delete', 'get', 'patch', 'update'], coordination, ['leases']),
    rule(['get'], storage, ['volumeattachments']),
    rule(['create'], core, ['serviceaccounts/token']),
    rule(['get', 'patch', 'update'], core, ['persistentvolumeclaims/status']),
    rule(READ, storage, ['csidrivers']),
    rule(['create', 'delete', 'get', 'patch', 'update'], storage, ['csinodes']),
    rule(READ, ['node.k8s.io'], ['runtimeclasses']),
  ];
}

function approver(name: string, signer: string): ClusterRoleT {
  return clusterRole(`system:certificates.k8s.io:${name}`, [rule(['approve'], certificates, ['signers'], [signer])]);
}

/** The default cluster roles, in upstream's order of presentation. */
export function bootstrapClusterRoles(): ClusterRoleT[] {
  return [
    clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
    clusterRole('system:discovery', [urls(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'])]),
    clusterRole('system:monitoring', [urls(['get'], ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'])]),
    clusterRole('system:basic-user', [
      rule(['create'], authz, ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], authn, ['selfsubjectreviews']),
    ]),
    clusterRole('system:public-info-viewer', [urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])]),
    clusterRole('admin', undefined, { aggregateFrom: 'admin' }),
    clusterRole('edit', undefined, { aggregateFrom: 'edit', labels: { [AGGREGATE_TO + 'admin']: 'true' } }),
    clusterRole('view', undefined, { aggregateFrom: 'view', labels: { [AGGREGATE_TO + 'edit']: 'true' } }),
    clusterRole(
      'system:aggregate-to-admin',
      [rule(['create'], authz, ['localsubjectaccessreviews']), rule(READ_WRITE, [GROUP], ['rolebindings', 'roles'])],
      { labels: { [AGGREGATE_TO + 'admin']: 'true' } },
    ),
    clusterRole(
      'system:aggregate-to-edit',
      [
        rule(READ, core, ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy']),
        rule(['impersonate'], core, ['serviceaccounts']),
        rule(WRITE, core, ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
        rule(['create'], core, ['pods/eviction']),
        rule(WRITE, core, ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy']),
        rule(['create'], core, ['serviceaccounts/token']),
        rule(WRITE, apps, ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale']),
        rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
        rule(WRITE, batch, ['cronjobs', 'jobs']),
        rule(WRITE, extensions, ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'ingresses', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale']),
        rule(WRITE, policy, ['poddisruptionbudgets']),
        rule(WRITE, networking, ['ingresses', 'networkpolicies']),
      ],
      { labels: { [AGGREGATE_TO + 'edit']: 'true' } },
    ),
    clusterRole(
      'system:aggregate-to-view',
      [
        rule(READ, core, ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status']),
        rule(READ, core, ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status']),
        rule(READ, core, ['namespaces']),
        rule(READ, discovery, ['endpointslices']),
        rule(READ, apps, ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status']),
        rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
        rule(READ, batch, ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
        rule(READ, extensions, ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale']),
        rule(READ, policy, ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
        rule(READ, networking, ['ingresses', 'ingresses/status', 'networkpolicies']),
      ],
      { labels: { [AGGREGATE_TO + 'view']: 'true' } },
    ),
    clusterRole('system:heapster', [rule(READ, core, ['events', 'namespaces', 'nodes', 'pods']), rule(READ, extensions, ['deployments'])]),
    clusterRole('system:node', nodeRules()),
    clusterRole('system:node-problem-detector', [rule(['get'], core, ['nodes']), rule(['patch'], core, ['nodes/status']), eventsRule]),
    clusterRole('system:kubelet-api-admin', [
      rule(['get', 'list', 'proxy', 'watch'], core, ['nodes']),
      rule(['*'], core, ['nodes/log', 'nodes/metrics', 'nodes/proxy', 'nodes/stats']),
    ]),
    clusterRole('system:node-bootstrapper', [rule(['create', 'get', 'list', 'watch'], certificates, ['certificatesigningrequests'])]),
    clusterRole('system:auth-delegator', [rule(['create'], authn, ['tokenreviews']), rule(['create'], authz, ['subjectaccessreviews'])]),
    clusterRole('system:kube-aggregator', [rule(READ, core, ['endpoints', 'services'])]),
    clusterRole('system:kube-controller-manager', [
      eventsRule,
      rule(['create'], coordination, ['leases']),
      rule(['get', 'update'], coordination, ['leases'], ['kube-controller-manager']),
      rule(['create'], core, ['secrets', 'serviceaccounts']),
      rule(['delete'], core, ['secrets']),
      rule(['get'], core, ['configmaps', 'namespaces', 'secrets', 'serviceaccounts']),
      rule(['update'], core, ['secrets', 'serviceaccounts']),
      rule(['create'], authn, ['tokenreviews']),
      rule(['create'], authz, ['subjectaccessreviews']),
      rule(['list', 'watch'], ['*'], ['*']),
      rule(['create'], core, ['serviceaccounts/token']),
    ]),
    clusterRole('system:kube-dns', [rule(['list', 'watch'], core, ['endpoints', 'services']), rule(['list', 'watch'], discovery, ['endpointslices'])]),
    clusterRole('system:persistent-volume-provisioner', [
      rule(['create', 'delete', 'get', 'list', 'watch'], core, ['persistentvolumes']),
      rule(['get', 'list', 'update', 'watch'], core, ['persistentvolumeclaims']),
      rule(READ, storage, ['storageclasses']),
      rule(['watch'], core, ['events']),
      eventsRule,
    ]),
    clusterRole('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [rule(['create'], certificates, ['certificatesigningrequests/nodeclient'])]),
    clusterRole('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [rule(['create'], certificates, ['certificatesigningrequests/selfnodeclient'])]),
    approver('kube-apiserver-client-approver', 'kubernetes.io/kube-apiserver-client'),
    approver('kube-apiserver-client-kubelet-approver', 'kubernetes.io/kube-apiserver-client-kubelet'),
    approver('kubelet-serving-approver', 'kubernetes.io/kubelet-serving'),
    approver('legacy-unknown-approver', 'kubernetes.io/legacy-unknown'),
    clusterRole('system:volume-scheduler', [
      rule(['get', 'list', 'patch', 'update', 'watch'], core, ['persistentvolumes']),
      rule(READ, storage, ['storageclasses']),
      rule(['get', 'list', 'patch', 'update', 'watch'], core, ['persistentvolumeclaims']),
    ]),
    clusterRole('system:service-account-issuer-discovery', [
      urls(['get'], ['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/']),
    ]),
    clusterRole('system:node-proxier', [
      rule(['list', 'watch'], core, ['endpoints', 'services']),
      rule(READ, core, ['nodes']),
      eventsRule,
      rule(['list', 'watch'], discovery, ['endpointslices']),
    ]),
    clusterRole('system:kube-scheduler', [
      eventsRule,
      rule(['create'], coordination, ['leases']),
      rule(['get', 'update'], coordination, ['leases'], ['kube-scheduler']),
      rule(READ, core, ['nodes']),
      rule(['delete', 'get', 'list', 'watch'], core, ['pods']),
      rule(['create'], core, ['bindings', 'pods/binding']),
      rule(['patch', 'update'], core, ['pods/status']),
      rule(READ, core, ['replicationcontrollers', 'services']),
      rule(READ, ['apps', 'extensions'], ['replicasets']),
      rule(READ, apps, ['statefulsets']),
      rule(READ, policy, ['poddisruptionbudgets']),
      rule(READ, core, ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['create'], authn, ['tokenreviews']),
      rule(['create'], authz, ['subjectaccessreviews']),
      rule(READ, storage, ['csinodes']),
      rule(READ, core, ['namespaces']),
      rule(READ, storage, ['csidrivers']),
      rule(READ, storage, ['csistoragecapacities']),
    ]),
  ];
}

/** The default cluster role bindings. */
export function bootstrapClusterRoleBindings(): ClusterRoleBindingT[] {
  return [
    binding('cluster-admin', [group('system:masters')]),
    binding('system:monitoring', [group('system:monitoring')]),
    binding('system:discovery', [group('system:authenticated')]),
    binding('system:basic-user', [group('system:authenticated')]),
    binding('system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]),
    binding('system:node-proxier', [user('system:kube-proxy')]),
    binding('system:kube-controller-manager', [user('system:kube-controller-manager')]),
    binding('system:kube-dns', [serviceAccount('kube-system', 'kube-dns')]),
    binding('system:kube-scheduler', [user('system:kube-scheduler')]),
    binding('system:volume-scheduler', [user('system:kube-scheduler')]),
    // Upstream keeps this binding without subjects: nodes are authorized by the Node authorizer instead.
    binding('system:node', undefined),
    binding('system:service-account-issuer-discovery', [group('system:serviceaccounts')]),
  ];
}
