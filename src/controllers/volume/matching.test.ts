import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PV, PVC } from './annotations.js';
import { findMatchingVolume, volumeNodeAffinityMatches, volumeSatisfiesClaim } from './matching.js';

function pv(name: string, o: { size?: string; modes?: string[]; cls?: string; labels?: Record<string, string>; phase?: string; claim?: { name: string; uid?: string }; node?: string; mode?: 'Block' | 'Filesystem' } = {}): PV {
  return {
    metadata: { name, labels: o.labels },
    spec: {
      capacity: { storage: o.size ?? '1Gi' },
      accessModes: (o.modes ?? ['ReadWriteOnce']) as never,
      storageClassName: o.cls ?? '',
      volumeMode: o.mode,
      claimRef: o.claim ? { namespace: 'ns', name: o.claim.name, uid: o.claim.uid } : undefined,
      nodeAffinity: o.node ? { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [o.node] }] }] } } : undefined,
      hostPath: { path: `/tmp/${name}` },
    },
    status: { phase: (o.phase ?? 'Available') as 'Available' },
  };
}

const claim = (o: { size?: string; modes?: string[]; cls?: string; selector?: Record<string, string>; mode?: 'Block' | 'Filesystem' } = {}): PVC => ({
  metadata: { name: 'data', namespace: 'ns', uid: 'c1' },
  spec: {
    accessModes: (o.modes ?? ['ReadWriteOnce']) as never,
    resources: { requests: { storage: o.size ?? '1Gi' } },
    storageClassName: o.cls ?? '',
    selector: o.selector ? { matchLabels: o.selector } : undefined,
    volumeMode: o.mode,
  },
});

describe('findMatchingVolume', () => {
  const cases: { name: string; claim: PVC; volumes: PV[]; opts?: Parameters<typeof findMatchingVolume>[2]; want: string | undefined }[] = [
    { name: 'smallest volume that fits', claim: claim({ size: '2Gi' }), volumes: [pv('a', { size: '10Gi' }), pv('b', { size: '1Gi' }), pv('c', { size: '3Gi' }), pv('d', { size: '2500Mi' })], want: 'd' },
    { name: 'too big for every volume', claim: claim({ size: '100Gi' }), volumes: [pv('a', { size: '10Gi' })], want: undefined },
    { name: 'class must be equal, "" included', claim: claim({ cls: '' }), volumes: [pv('fast', { cls: 'fast' }), pv('none')], want: 'none' },
    { name: 'class of a named class', claim: claim({ cls: 'fast' }), volumes: [pv('none'), pv('fast', { cls: 'fast' })], want: 'fast' },
    { name: 'access modes must be a superset', claim: claim({ modes: ['ReadWriteOnce', 'ReadOnlyMany'] }), volumes: [pv('rwo'), pv('both', { modes: ['ReadOnlyMany', 'ReadWriteOnce'], size: '5Gi' })], want: 'both' },
    { name: 'selector on volume labels', claim: claim({ selector: { tier: 'gold' } }), volumes: [pv('plain'), pv('gold', { labels: { tier: 'gold' }, size: '2Gi' })], want: 'gold' },
    { name: 'volume mode', claim: claim({ mode: 'Block' }), volumes: [pv('fs'), pv('blk', { mode: 'Block' })], want: 'blk' },
    { name: 'only Available volumes', claim: claim(), volumes: [pv('rel', { phase: 'Released' }), pv('pend', { phase: 'Pending' })], want: undefined },
    { name: 'volume claimed by another claim is skipped', claim: claim(), volumes: [pv('other', { claim: { name: 'x' } })], want: undefined },
    { name: 'pre-bound volume wins over a smaller one', claim: claim(), volumes: [pv('small', { size: '1Gi' }), pv('mine', { size: '5Gi', claim: { name: 'data' }, phase: 'Available' })], want: 'mine' },
    { name: 'pre-bound with a different uid is not ours', claim: claim(), volumes: [pv('stale', { claim: { name: 'data', uid: 'old' } })], want: undefined },
    { name: 'delayed binding without a node picks nothing unbound', claim: claim(), volumes: [pv('a')], opts: { delayBinding: true }, want: undefined },
    { name: 'delayed binding still takes a pre-bound volume', claim: claim(), volumes: [pv('a', { claim: { name: 'data' } })], opts: { delayBinding: true }, want: 'a' },
    { name: 'selected node filters by node affinity', claim: claim(), volumes: [pv('on-a', { node: 'a' }), pv('on-b', { node: 'b', size: '2Gi' })], opts: { node: { metadata: { name: 'b', labels: { 'kubernetes.io/hostname': 'b' } } } }, want: 'on-b' },
  ];
  for (const c of cases) test(c.name, () => assert.equal(findMatchingVolume(c.claim, c.volumes, c.opts)?.metadata.name, c.want));
});

describe('volumeSatisfiesClaim', () => {
  const cases: { name: string; pv: PV; claim: PVC; want: string | undefined }[] = [
    { name: 'fits', pv: pv('a'), claim: claim(), want: undefined },
    { name: 'too small', pv: pv('a', { size: '1Mi' }), claim: claim(), want: 'requested PV is too small' },
    { name: 'class', pv: pv('a', { cls: 'x' }), claim: claim(), want: 'storageClassName does not match' },
    { name: 'modes', pv: pv('a', { modes: ['ReadOnlyMany'] }), claim: claim(), want: 'incompatible accessMode' },
    { name: 'volume mode', pv: pv('a', { mode: 'Block' }), claim: claim(), want: 'incompatible volumeMode' },
  ];
  for (const c of cases) test(c.name, () => assert.equal(volumeSatisfiesClaim(c.pv, c.claim), c.want));
});

describe('volumeNodeAffinityMatches', () => {
  const node = { metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1', zone: 'z1' } } };
  const cases: { name: string; required: Parameters<typeof volumeNodeAffinityMatches>[0]; want: boolean }[] = [
    { name: 'no affinity', required: undefined, want: true },
    { name: 'hostname In', required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n1'] }] }] }, want: true },
    { name: 'other host', required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n2'] }] }] }, want: false },
    { name: 'terms are ORed', required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z9'] }] }, { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }] }, want: true },
    { name: 'empty term matches nothing', required: { nodeSelectorTerms: [{}] }, want: false },
    { name: 'matchFields metadata.name', required: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] }, want: true },
  ];
  for (const c of cases) test(c.name, () => assert.equal(volumeNodeAffinityMatches(c.required, node), c.want));
});
