import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText, type FieldError } from '../../../machinery/errors/field.js';
import { metaDefinitions } from '../../meta/v1.js';
import { MapResolver } from '../../../machinery/schema/types.js';
import { validateValue } from '../../../machinery/schema/validate.js';
import {
  rbacV1,
  bootstrapClusterRoleBindings,
  bootstrapClusterRoles,
  defaultBinding,
  validateClusterRole,
  validateClusterRoleBinding,
  validateRole,
  validateRoleBinding,
  type ClusterRoleBindingT,
  type RoleBindingT,
  type RoleT,
} from './index.js';

function refsOf(s: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(s)) for (const x of s) refsOf(x, out);
  else if (s && typeof s === 'object') {
    for (const [k, v] of Object.entries(s)) {
      if (k === '$ref' && typeof v === 'string') out.add(v.replace('#/definitions/', ''));
      else refsOf(v, out);
    }
  }
  return out;
}
const texts = (errs: FieldError[]) => errs.map(fieldErrorText);

describe('rbac.authorization.k8s.io/v1', () => {
  test('every $ref resolves', () => {
    const known = new Set([...rbacV1.definitions, ...metaDefinitions].map((d) => d.name));
    for (const r of refsOf(rbacV1.definitions.map((d) => d.definition), new Set())) assert.ok(known.has(r), `unresolved ${r}`);
  });

  test('resources use path-segment names', () => {
    assert.deepEqual(rbacV1.resources.map((r) => r.resource).sort(), ['clusterrolebindings', 'clusterroles', 'rolebindings', 'roles']);
    for (const r of rbacV1.resources) {
      assert.deepEqual(r.nameValidator!('system:controller:x', false), []);
      assert.deepEqual(r.nameValidator!('a/b', false), ["may not contain '/'"]);
    }
  });

  const roleCases: { name: string; role: RoleT; want: string[] }[] = [
    { name: 'valid', role: { metadata: { name: 'r' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }, want: [] },
    { name: 'no verbs', role: { metadata: {}, rules: [{ apiGroups: [''], resources: ['pods'], verbs: [] }] }, want: ['rules[0].verbs: Required value: verbs must contain at least one value'] },
    {
      name: 'no api groups nor resources',
      role: { metadata: {}, rules: [{ verbs: ['get'] }] },
      want: ['rules[0].apiGroups: Required value: resource rules must supply at least one api group', 'rules[0].resources: Required value: resource rules must supply at least one resource'],
    },
    { name: 'namespaced non-resource URL', role: { metadata: {}, rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }] }, want: ['rules[0].nonResourceURLs: Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs'] },
  ];
  for (const c of roleCases) test(`role: ${c.name}`, () => assert.deepEqual(texts(validateRole(c.role)), c.want));

  test('cluster role: non-resource URLs allowed, mixed rules rejected, empty aggregation rejected', () => {
    assert.deepEqual(validateClusterRole({ metadata: {}, rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }] }), []);
    assert.deepEqual(texts(validateClusterRole({ metadata: {}, rules: [{ nonResourceURLs: ['/x'], resources: ['pods'], verbs: ['get'] }] })), [
      'rules[0].nonResourceURLs: Invalid value: ["/x"]: rules cannot apply to both regular resources and non-resource URLs',
    ]);
    assert.deepEqual(texts(validateClusterRole({ metadata: {}, aggregationRule: {} })), ['aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil']);
  });

  test('binding defaults fill API groups', () => {
    const b: RoleBindingT = {
      metadata: { name: 'b', namespace: 'ns' },
      roleRef: { apiGroup: '', kind: 'Role', name: 'r' },
      subjects: [{ kind: 'User', name: 'alice' }, { kind: 'ServiceAccount', name: 'default', namespace: 'ns' }],
    };
    defaultBinding(b);
    assert.equal(b.roleRef.apiGroup, 'rbac.authorization.k8s.io');
    assert.equal(b.subjects![0]!.apiGroup, 'rbac.authorization.k8s.io');
    assert.equal(b.subjects![1]!.apiGroup, undefined, 'the empty group of a ServiceAccount is omitted, as on the wire');
    assert.deepEqual(validateRoleBinding(b), []);
  });

  const rb = (over: Partial<RoleBindingT>): RoleBindingT => ({ metadata: { name: 'b', namespace: 'ns' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, ...over });
  const bindingCases: { name: string; b: RoleBindingT; old?: RoleBindingT; want: string[] }[] = [
    { name: 'bad kind', b: rb({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Pod', name: 'r' } }), want: ['roleRef.kind: Unsupported value: "Pod": supported values: "Role", "ClusterRole"'] },
    { name: 'missing role name', b: rb({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: '' } }), want: ['roleRef.name: Required value'] },
    { name: 'unknown subject kind', b: rb({ subjects: [{ kind: 'Robot', name: 'r2' }] }), want: ['subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"'] },
    { name: 'user with wrong group', b: rb({ subjects: [{ kind: 'User', name: 'u', apiGroup: 'x' }] }), want: ['subjects[0].apiGroup: Unsupported value: "x": supported values: "rbac.authorization.k8s.io"'] },
    {
      name: 'roleRef changed',
      b: rb({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'other' } }),
      old: rb({}),
      want: ['roleRef: Invalid value: {"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"other"}: cannot change roleRef'],
    },
  ];
  for (const c of bindingCases) test(`role binding: ${c.name}`, () => assert.deepEqual(texts(validateRoleBinding(c.b, c.old)), c.want));

  test('cluster role binding: only ClusterRole, service accounts need a namespace', () => {
    const crb: ClusterRoleBindingT = { metadata: { name: 'x' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'sa' }] };
    assert.deepEqual(texts(validateClusterRoleBinding(crb)), ['roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"', 'subjects[0].namespace: Required value']);
  });

  test('bootstrap roles are valid, labelled and annotated', () => {
    const roles = bootstrapClusterRoles();
    const names = roles.map((r) => r.metadata!.name!);
    for (const n of ['cluster-admin', 'admin', 'edit', 'view', 'system:basic-user', 'system:discovery', 'system:public-info-viewer', 'system:node', 'system:kube-scheduler', 'system:kube-controller-manager']) {
      assert.ok(names.includes(n), n);
    }
    assert.equal(new Set(names).size, names.length);
    for (const r of roles) {
      assert.deepEqual(validateClusterRole(r), [], r.metadata!.name);
      assert.equal(r.metadata!.labels!['kubernetes.io/bootstrapping'], 'rbac-defaults');
      assert.equal(r.metadata!.annotations!['rbac.authorization.kubernetes.io/autoupdate'], 'true');
    }
    const admin = roles.find((r) => r.metadata!.name === 'cluster-admin')!;
    assert.deepEqual(admin.rules, [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }]);
    const view = roles.find((r) => r.metadata!.name === 'view')!;
    assert.deepEqual(view.aggregationRule, { clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }] });
    assert.equal(view.metadata!.labels!['rbac.authorization.k8s.io/aggregate-to-edit'], 'true');
    // Every aggregation selector picks at least one role carrying the label.
    for (const r of roles.filter((x) => x.aggregationRule)) {
      const [[key, value]] = Object.entries(r.aggregationRule!.clusterRoleSelectors![0]!.matchLabels!) as [[string, string]];
      assert.ok(roles.some((o) => o.metadata!.labels![key] === value), `${r.metadata!.name} aggregates nothing`);
    }
  });

  test('bootstrap objects conform to their schemas', () => {
    const resolver = new MapResolver(new Map([...rbacV1.definitions, ...metaDefinitions].map((d) => [d.name, d.definition])));
    const check = (def: string, objs: unknown[]) => {
      for (const o of objs) assert.deepEqual(validateValue(o, { $ref: `#/definitions/io.k8s.api.rbac.v1.${def}` }, { resolver }), []);
    };
    check('ClusterRole', bootstrapClusterRoles());
    check('ClusterRoleBinding', bootstrapClusterRoleBindings());
  });

  test('bootstrap bindings are valid and point at bootstrap roles', () => {
    const roleNames = new Set(bootstrapClusterRoles().map((r) => r.metadata!.name));
    const bindings = bootstrapClusterRoleBindings();
    for (const b of bindings) {
      assert.deepEqual(validateClusterRoleBinding(b), [], b.metadata!.name);
      assert.ok(roleNames.has(b.roleRef.name), b.roleRef.name);
    }
    const byName: Record<string, ClusterRoleBindingT> = Object.fromEntries(bindings.map((b) => [b.metadata!.name!, b]));
    assert.deepEqual(byName['cluster-admin']!.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }]);
    assert.deepEqual(byName['system:public-info-viewer']!.subjects!.map((s) => s.name), ['system:authenticated', 'system:unauthenticated']);
    assert.deepEqual(byName['system:kube-scheduler']!.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:kube-scheduler' }]);
  });
});
