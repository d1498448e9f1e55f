/**
 * The log table and the statements over it. Column names follow kine so an
 * operator who knows one knows the other.
 *
 * Unlike kine, there is no unique index on (name, prev_revision): every write
 * reads the key's newest row and inserts the next one inside one BEGIN
 * IMMEDIATE transaction, which no other connection can write during, so the
 * compare-and-swap needs no index to stay atomic (it cost a third of each
 * write). Files that have the index lose it when opened.
 */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS kine (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  lease INTEGER NOT NULL,
  value BLOB,
  old_value BLOB
);
CREATE INDEX IF NOT EXISTS kine_name_id_index ON kine (name, id);
DROP INDEX IF EXISTS kine_name_prev_revision_uindex;
CREATE INDEX IF NOT EXISTS kine_lease_index ON kine (lease) WHERE lease != 0;
CREATE TABLE IF NOT EXISTS leases (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ttl INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
`;

const COLUMNS = 'id, name, created, deleted, create_revision, prev_revision, lease, value, old_value';
/** A row without its previous value: reads of the current state never need that blob. */
const CURRENT_COLUMNS = 'id, name, created, deleted, create_revision, prev_revision, lease, value';

/** The newest row per name in [lo, hi) at or below rev. */
const LATEST_IN_RANGE = 'SELECT MAX(id) AS mid FROM kine WHERE name >= @lo AND name < @hi AND id <= @rev GROUP BY name';

export const STATEMENTS = {
  sequence: "SELECT seq FROM sqlite_sequence WHERE name = 'kine'",
  latest: `SELECT ${CURRENT_COLUMNS} FROM kine WHERE name = ? ORDER BY id DESC LIMIT 1`,
  latestAt: `SELECT ${CURRENT_COLUMNS} FROM kine WHERE name = ? AND id <= ? ORDER BY id DESC LIMIT 1`,
  insert: `INSERT INTO kine (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  range: `SELECT k.id, k.name, k.create_revision, k.lease, k.value FROM kine k JOIN (${LATEST_IN_RANGE}) m ON k.id = m.mid WHERE k.deleted = 0 ORDER BY k.name LIMIT @limit`,
  count: `SELECT COUNT(*) AS n FROM kine k JOIN (${LATEST_IN_RANGE}) m ON k.id = m.mid WHERE k.deleted = 0`,
  // An event's previous value is the row its prev_revision names (rows written by earlier versions
  // also carry it in old_value). Compaction removes that row only once the event itself is at or
  // below the compacted revision, where no watch can replay it.
  replay: `SELECT k.id, k.name, k.created, k.deleted, k.create_revision, k.prev_revision, k.lease, k.value, COALESCE(k.old_value, p.value) AS old_value, p.lease AS prev_lease
    FROM kine k LEFT JOIN kine p ON p.id = k.prev_revision
    WHERE k.name >= @lo AND k.name < @hi AND k.id > @after AND k.id <= @rev ORDER BY k.id`,
  // A row is history once a newer row names it as prev_revision, and a
  // deletion is history once it is compacted: nobody can read either again.
  compact: `DELETE FROM kine WHERE id IN (
    SELECT prev_revision FROM kine WHERE prev_revision != 0 AND id > @from AND id <= @to
    UNION SELECT id FROM kine WHERE deleted != 0 AND id > @from AND id <= @to)`,
  rowCount: 'SELECT COUNT(*) AS n FROM kine',
  metaGet: 'SELECT value FROM meta WHERE name = ?',
  metaSet: 'INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
  leaseAll: 'SELECT id, ttl, expires_at FROM leases',
  leaseInsert: 'INSERT INTO leases (ttl, expires_at) VALUES (?, ?)',
  leaseRenew: 'UPDATE leases SET expires_at = ? WHERE id = ?',
  leaseDelete: 'DELETE FROM leases WHERE id = ?',
  begin: 'BEGIN IMMEDIATE',
  commit: 'COMMIT',
  rollback: 'ROLLBACK',
  leaseKeys: 'SELECT k.name FROM kine k WHERE k.lease = ? AND k.deleted = 0 AND k.id = (SELECT MAX(id) FROM kine WHERE name = k.name)',
} as const;
