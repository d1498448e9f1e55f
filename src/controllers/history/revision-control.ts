/**
 * API writes of ControllerRevisions, behind an interface so controllers are
 * tested with a fake. Creation resolves name collisions the upstream way:
 * an existing revision with the same name and data is reused; a different
 * one bumps the collision count and the name is hashed again.
 */
import type { ResourceClient } from '../../client/rest/resource-client.js';
import { isAlreadyExists, isNotFound } from '../../machinery/errors/index.js';
import { controllerRefOf } from '../framework/pods.js';
import { controllerRevisionName, hashRevisionData } from './hash.js';
import { CONTROLLER_REVISION_HASH_LABEL, type ControllerRevision, equalRevision } from './revisions.js';

export interface CreatedRevision {
  revision: ControllerRevision;
  /** The owner's collision count after creation; write it to the owner's status. */
  collisionCount: number;
}

export interface ControllerRevisionControl {
  /** Creates `revision` under its owner, renaming on collision. */
  create(ownerUID: string, revision: ControllerRevision, collisionCount: number): Promise<CreatedRevision>;
  /** Gives an existing revision a new revision number (a rollback to old data reuses it). */
  updateRevisionNumber(revision: ControllerRevision, revisionNumber: number): Promise<ControllerRevision>;
  delete(namespace: string, name: string): Promise<void>;
  /** A JSON merge patch, used to adopt and release revisions. */
  patch(namespace: string, name: string, patch: unknown): Promise<void>;
}

/** Give up after this many collisions in one create: something other than chance is going on. */
const MAX_COLLISIONS = 100;

export class RealControllerRevisionControl implements ControllerRevisionControl {
  constructor(private readonly revisions: ResourceClient<ControllerRevision>) {}

  async create(ownerUID: string, revision: ControllerRevision, collisionCount: number): Promise<CreatedRevision> {
    const ns = revision.metadata.namespace ?? '';
    const client = this.revisions.inNamespace(ns);
    const owner = controllerRefOf(revision)?.name ?? revision.metadata.name ?? '';
    for (let count = collisionCount, tries = 0; tries < MAX_COLLISIONS; count++, tries++) {
      const hash = hashRevisionData(revision.data, count);
      const candidate: ControllerRevision = structuredClone(revision);
      candidate.metadata.name = controllerRevisionName(owner, hash);
      candidate.metadata.labels = { ...(candidate.metadata.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash };
      try {
        return { revision: await client.create(candidate), collisionCount: count };
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
      const existing = await client.get(candidate.metadata.name);
      if (controllerRefOf(existing)?.uid === ownerUID && equalRevision(existing, candidate)) return { revision: existing, collisionCount: count };
    }
    throw new Error(`too many ControllerRevision name collisions for ${ns}/${owner}`);
  }

  async updateRevisionNumber(revision: ControllerRevision, revisionNumber: number): Promise<ControllerRevision> {
    if (revision.revision === revisionNumber) return revision;
    const client = this.revisions.inNamespace(revision.metadata.namespace ?? '');
    return client.patch(revision.metadata.name!, 'merge', { metadata: { resourceVersion: revision.metadata.resourceVersion }, revision: revisionNumber });
  }

  async patch(namespace: string, name: string, patch: unknown): Promise<void> {
    await this.revisions.inNamespace(namespace).patch(name, 'merge', patch);
  }

  async delete(namespace: string, name: string): Promise<void> {
    try {
      await this.revisions.inNamespace(namespace).delete(name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** The revisions in `all` controlled by the owner with `ownerUID`. */
export function ownedRevisions(all: readonly ControllerRevision[], ownerUID: string): ControllerRevision[] {
  return all.filter((r) => controllerRefOf(r)?.uid === ownerUID);
}
