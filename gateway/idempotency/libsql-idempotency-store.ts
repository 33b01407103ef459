import { openLibsql, type Db } from "../../shared/db/open-libsql.ts";
import type { IdempotencyStore, IdempotentRequest, Remembered } from "./idempotency-store.ts";

/**
 * The IdempotencyStore in the gateway's OWN libSQL database (never the workers'
 * history: one writer process per file, DESIGN §8): `file:DATA_DIR/gateway.db` for one
 * gateway, or a libSQL server (sqld/Turso) shared by every gateway behind a load
 * balancer. With a file per gateway, each remembers only the requests it served: a
 * retry landing on another gateway is still the same booking and the same event
 * (deterministic ids, deduped downstream), but a reused key with a different body is
 * only refused by the gateway that saw the first.
 *
 * One table, created here if missing (like the embedded log's tables): the gateway
 * owns this database alone, and drizzle-kit's migrations belong to the history schema.
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
) WITHOUT ROWID`;

export interface IdempotencyDbOptions {
  /** `file:…` (one gateway), or `libsql://`, `http(s)://`, `ws(s)://` for a server shared by all gateways. */
  url: string;
  authToken?: string;
}

/** Opens (creating if needed) the gateway's database and the store over it; close() closes the database. */
export async function openIdempotencyStore(opts: IdempotencyDbOptions): Promise<IdempotencyStore> {
  const db = await openLibsql(opts);
  try {
    await db.client.execute(SCHEMA);
  } catch (err) {
    db.close();
    throw err;
  }
  return libsqlIdempotencyStore(db);
}

export function libsqlIdempotencyStore(db: Db, now: () => number = Date.now): IdempotencyStore {
  return {
    async remember(r: IdempotentRequest): Promise<Remembered> {
      const inserted = await db.client.execute({
        sql: "INSERT INTO idempotency_keys (operation, scope, idem_key, fingerprint, response, event, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        args: [r.operation, r.scope, r.key, r.fingerprint, JSON.stringify(r.response), JSON.stringify(r.event), now()],
      });
      if (inserted.rowsAffected === 1) return { kind: "first", response: r.response, event: r.event };
      const rs = await db.client.execute({ sql: "SELECT fingerprint, response, event FROM idempotency_keys WHERE operation = ? AND scope = ? AND idem_key = ?", args: [r.operation, r.scope, r.key] });
      const row = rs.rows[0];
      if (!row) throw new Error(`idempotency key ${r.operation}/${r.scope}/${r.key} neither inserted nor found`);
      if (row.fingerprint !== r.fingerprint) return { kind: "conflict" };
      return { kind: "replay", response: JSON.parse(String(row.response)), event: JSON.parse(String(row.event)) };
    },
    close: () => db.close(),
  };
}
