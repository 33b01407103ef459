import { type Db, openLibsql } from "../../shared/db/open-libsql.ts";
import type { Outbox } from "../outbox/outbox.ts";
import type { IdempotencyStore } from "./idempotency-store.ts";
import { createGroupCommit, entryOf, type GroupCommit } from "./libsql-group-commit.ts";

/**
 * The IdempotencyStore in the gateway's OWN libSQL database (never the workers'
 * history: one writer process per file, docs/architecture.md, storage rules): `file:DATA_DIR/gateway.db` for one
 * gateway, or a libSQL server (sqld/Turso) shared by every gateway behind a load
 * balancer. With a file per gateway, each remembers only the requests it served: a
 * retry landing on another gateway is still the same booking and the same event
 * (deterministic ids, deduped downstream), but a reused key with a different body is
 * only refused by the gateway that saw the first.
 *
 * Two tables, created here if missing (like the embedded log's tables): the gateway
 * owns this database alone, and drizzle-kit's migrations belong to the history schema.
 * The outbox row is written in the same transaction as its key, one per key; the keys of
 * concurrent requests, and the acks noted meanwhile, share a transaction
 * (libsql-group-commit.ts). The `event` column holds the first request's record value.
 */
/** Exported for tests that open the database themselves. */
export const SCHEMA = `CREATE TABLE IF NOT EXISTS idempotency_keys (
  operation TEXT NOT NULL,
  scope TEXT NOT NULL,
  idem_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  response TEXT NOT NULL,
  event TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (operation, scope, idem_key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS gateway_outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  operation TEXT NOT NULL,
  scope TEXT NOT NULL,
  idem_key TEXT NOT NULL,
  topic TEXT NOT NULL,
  record_key TEXT NOT NULL,
  value TEXT NOT NULL,
  headers TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  published_at INTEGER,
  UNIQUE (operation, scope, idem_key)
);
CREATE INDEX IF NOT EXISTS gateway_outbox_pending ON gateway_outbox (seq) WHERE published_at IS NULL;
-- The relay asks for pending entries older than the hand-over: by age, so it does not scan the young ones in flight.
CREATE INDEX IF NOT EXISTS gateway_outbox_pending_age ON gateway_outbox (created_at) WHERE published_at IS NULL;
CREATE INDEX IF NOT EXISTS gateway_outbox_published ON gateway_outbox (published_at) WHERE published_at IS NOT NULL;`;

const ENTRY_COLUMNS = "o.seq, o.topic, o.record_key, o.value, o.headers, o.created_at, o.published_at";

export interface IdempotencyDbOptions {
  /** `file:…` (one gateway), or `libsql://`, `http(s)://`, `ws(s)://` for a server shared by all gateways. */
  url: string;
  authToken?: string;
}

/** Opens (creating if needed) the gateway's database and the store over it; close() closes the database. */
export async function openIdempotencyStore(opts: IdempotencyDbOptions): Promise<IdempotencyStore> {
  const db = await openLibsql(opts);
  try {
    await db.client.executeMultiple(SCHEMA);
  } catch (err) {
    db.close();
    throw err;
  }
  return libsqlIdempotencyStore(db);
}

export function libsqlIdempotencyStore(db: Db, now: () => number = Date.now): IdempotencyStore {
  const commits = createGroupCommit(db, now);
  return {
    remember: commits.remember,
    outbox: libsqlOutbox(db, commits),
    close: () => db.close(),
  };
}

function libsqlOutbox(db: Db, commits: GroupCommit): Outbox {
  return {
    async pending(limit, createdUpTo) {
      const rs = await db.client.execute({
        // "+o.seq": found through the age index (only the old entries), then sorted; not a walk of every pending entry in seq order.
        sql: `SELECT ${ENTRY_COLUMNS} FROM gateway_outbox o WHERE o.published_at IS NULL AND o.created_at <= ? ORDER BY +o.seq LIMIT ?`,
        args: [createdUpTo, limit],
      });
      return rs.rows.map(entryOf);
    },
    markPublished: commits.markPublished,
    async depth() {
      const rs = await db.client.execute("SELECT count(*) AS n FROM gateway_outbox WHERE published_at IS NULL");
      return Number(rs.rows[0]!.n);
    },
    async prunePublished(before) {
      // In chunks, so requests writing their keys wait for one chunk at a time.
      let deleted = 0;
      for (;;) {
        const rs = await db.client.execute({
          sql: "DELETE FROM gateway_outbox WHERE seq IN (SELECT seq FROM gateway_outbox WHERE published_at IS NOT NULL AND published_at < ? LIMIT 5000)",
          args: [before],
        });
        deleted += rs.rowsAffected;
        if (rs.rowsAffected < 5000) return deleted;
      }
    },
  };
}
