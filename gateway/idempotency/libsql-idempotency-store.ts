import type { Row } from "@libsql/client";
import { type Db, openLibsql } from "../../shared/db/open-libsql.ts";
import type { Outbox, OutboxEntry } from "../outbox/outbox.ts";
import type { IdempotencyStore, IdempotentRequest, Remembered } from "./idempotency-store.ts";

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
 * The outbox row is written in the same transaction as its key, one per key.
 */
const SCHEMA = `CREATE TABLE IF NOT EXISTS idempotency_keys (
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
  const identity = (r: IdempotentRequest) => [r.operation, r.scope, r.key];
  return {
    async remember(r: IdempotentRequest): Promise<Remembered> {
      const at = now();
      const [inserted, , found] = await db.client.batch(
        [
          {
            sql: "INSERT INTO idempotency_keys (operation, scope, idem_key, fingerprint, response, event, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            args: [...identity(r), r.fingerprint, JSON.stringify(r.response), JSON.stringify(r.event), at],
          },
          // Outboxed only under a key this body owns; on a replay the first row stays. A key stored before the
          // outbox existed gets its row here on the first replay (same event id, so deduped downstream).
          {
            sql: `INSERT INTO gateway_outbox (operation, scope, idem_key, topic, record_key, value, headers, created_at)
                  SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM idempotency_keys WHERE operation = ? AND scope = ? AND idem_key = ? AND fingerprint = ?)
                  ON CONFLICT DO NOTHING`,
            args: [
              ...identity(r),
              r.record.topic,
              r.record.key,
              r.record.value,
              JSON.stringify(r.record.headers ?? {}),
              at,
              ...identity(r),
              r.fingerprint,
            ],
          },
          {
            sql: `SELECT k.fingerprint, k.response, k.event, ${ENTRY_COLUMNS} FROM idempotency_keys k
                  LEFT JOIN gateway_outbox o ON o.operation = k.operation AND o.scope = k.scope AND o.idem_key = k.idem_key
                  WHERE k.operation = ? AND k.scope = ? AND k.idem_key = ?`,
            args: identity(r),
          },
        ],
        "write",
      );
      const row = found!.rows[0];
      if (!row) throw new Error(`idempotency key ${r.operation}/${r.scope}/${r.key} neither inserted nor found`);
      if (row.fingerprint !== r.fingerprint) return { kind: "conflict" };
      const outbox = entryOf(row);
      if (inserted!.rowsAffected === 1) return { kind: "first", response: r.response, event: r.event, outbox };
      return { kind: "replay", response: JSON.parse(String(row.response)), event: JSON.parse(String(row.event)), outbox };
    },
    outbox: libsqlOutbox(db, now),
    close: () => db.close(),
  };
}

function libsqlOutbox(db: Db, now: () => number): Outbox {
  return {
    async pending(limit, createdUpTo) {
      const rs = await db.client.execute({
        sql: `SELECT ${ENTRY_COLUMNS} FROM gateway_outbox o WHERE o.published_at IS NULL AND o.created_at <= ? ORDER BY o.seq LIMIT ?`,
        args: [createdUpTo, limit],
      });
      return rs.rows.map(entryOf);
    },
    async markPublished(seqs) {
      if (seqs.length === 0) return;
      await db.client.execute({
        sql: `UPDATE gateway_outbox SET published_at = ? WHERE published_at IS NULL AND seq IN (${seqs.map(() => "?").join(", ")})`,
        args: [now(), ...seqs],
      });
    },
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

function entryOf(row: Row): OutboxEntry {
  return {
    seq: Number(row.seq),
    record: {
      topic: String(row.topic),
      key: String(row.record_key),
      value: String(row.value),
      headers: JSON.parse(String(row.headers)) as Record<string, string>,
    },
    createdAt: Number(row.created_at),
    publishedAt: row.published_at === null ? null : Number(row.published_at),
  };
}
