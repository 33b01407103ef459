import type { InStatement, ResultSet, Row } from "@libsql/client";
import type { Db } from "../../shared/db/open-libsql.ts";
import type { OutboxEntry } from "../outbox/outbox.ts";
import type { IdempotentRequest, PendingEntry, Remembered } from "./idempotency-store.ts";

/** Requests per transaction: 7 bound values a row stays far below SQLite's 32,766. Later ones wait for the next. */
const MAX_GROUP = 500;

interface Waiting {
  request: IdempotentRequest;
  resolve: (r: Remembered) => void;
  reject: (err: unknown) => void;
}

interface Marking {
  seqs: number[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface GroupCommit {
  remember(r: IdempotentRequest): Promise<Remembered>;
  /** Resolves once the marks are committed, with whatever else the same transaction carried. */
  markPublished(seqs: number[]): Promise<void>;
}

/**
 * Group commit for the gateway's libSQL database: the keys and outbox entries of every
 * request that arrived during one event-loop turn, and the acks noted meanwhile, commit
 * in ONE write transaction (one fsync) of a handful of multi-row statements, instead of a
 * transaction per request and another per ack. A request still resolves only after its
 * row is durable. While a transaction runs, later requests gather for the next one, so
 * the groups grow with the load. A failed transaction fails every request in it (each
 * gets a 503 and retries under its key).
 */
export function createGroupCommit(db: Db, now: () => number): GroupCommit {
  let requests: Waiting[] = [];
  let marks: Marking[] = [];
  let scheduled = false;
  let running = false;

  const schedule = () => {
    if (scheduled || running) return;
    scheduled = true;
    setImmediate(run);
  };

  async function run(): Promise<void> {
    scheduled = false;
    running = true;
    const group = requests.slice(0, MAX_GROUP);
    requests = requests.slice(group.length);
    const marking = marks;
    marks = [];
    try {
      const at = now();
      const seqs = marking.flatMap((m) => m.seqs);
      const statements = markStatements(seqs, at);
      const marked = statements.length;
      if (group.length > 0) statements.push(...rememberStatements(group, at));
      const results = await db.client.batch(statements, "write");
      for (const m of marking) m.resolve();
      if (group.length > 0) settle(group, results.slice(marked));
    } catch (err) {
      for (const m of marking) m.reject(err);
      for (const w of group) w.reject(err);
    } finally {
      running = false;
      if (requests.length > 0 || marks.length > 0) schedule();
    }
  }

  return {
    remember(request) {
      return new Promise<Remembered>((resolve, reject) => {
        requests.push({ request, resolve, reject });
        schedule();
      });
    },
    markPublished(seqs) {
      if (seqs.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        marks.push({ seqs, resolve, reject });
        schedule();
      });
    },
  };
}

const tuples = (rows: number, columns: number) =>
  Array(rows)
    .fill(`(${Array(columns).fill("?").join(", ")})`)
    .join(", ");

function markStatements(seqs: number[], at: number): InStatement[] {
  const statements: InStatement[] = [];
  for (let i = 0; i < seqs.length; i += 1000) {
    const part = seqs.slice(i, i + 1000);
    statements.push({
      sql: `UPDATE gateway_outbox SET published_at = ? WHERE published_at IS NULL AND seq IN (${part.map(() => "?").join(", ")})`,
      args: [at, ...part],
    });
  }
  return statements;
}

/**
 * The group's keys (a key already stored is left as it is; RETURNING names the ones
 * inserted), its outbox entries for keys whose stored body is theirs, in arrival order
 * (a key stored before, or whose entry was pruned, gets one afresh: same event id,
 * deduped downstream), what is stored under each key now, and the oldest entry still
 * waiting for an ack.
 */
function rememberStatements(group: Waiting[], at: number): InStatement[] {
  const keys = group.flatMap(({ request: r }) => [
    r.operation,
    r.scope,
    r.key,
    r.fingerprint,
    JSON.stringify(r.response),
    r.record.value,
    at,
  ]);
  const entries = group.flatMap(({ request: r }, i) => [
    r.operation,
    r.scope,
    r.key,
    r.fingerprint,
    r.record.topic,
    r.record.key,
    r.record.value,
    JSON.stringify(r.record.headers ?? {}),
    i,
  ]);
  const identities = group.flatMap(({ request: r }) => [r.operation, r.scope, r.key]);
  return [
    {
      sql: `INSERT INTO idempotency_keys (operation, scope, idem_key, fingerprint, response, event, created_at) VALUES ${tuples(group.length, 7)}
            ON CONFLICT DO NOTHING RETURNING operation, scope, idem_key`,
      args: keys,
    },
    {
      sql: `INSERT INTO gateway_outbox (operation, scope, idem_key, topic, record_key, value, headers, created_at)
            SELECT v.column1, v.column2, v.column3, v.column5, v.column6, v.column7, v.column8, ?
            FROM (VALUES ${tuples(group.length, 9)}) AS v
            JOIN idempotency_keys k ON k.operation = v.column1 AND k.scope = v.column2 AND k.idem_key = v.column3 AND k.fingerprint = v.column4
            WHERE true ORDER BY v.column9 ON CONFLICT DO NOTHING`,
      args: [at, ...entries],
    },
    {
      sql: `SELECT k.operation, k.scope, k.idem_key, k.fingerprint, k.response,
                   o.seq, o.topic, o.record_key, o.value, o.headers, o.created_at, o.published_at
            FROM (VALUES ${tuples(group.length, 3)}) AS v
            JOIN idempotency_keys k ON k.operation = v.column1 AND k.scope = v.column2 AND k.idem_key = v.column3
            LEFT JOIN gateway_outbox o ON o.operation = k.operation AND o.scope = k.scope AND o.idem_key = k.idem_key`,
      args: identities,
    },
    "SELECT seq, created_at FROM gateway_outbox WHERE published_at IS NULL ORDER BY seq LIMIT 1",
  ];
}

const identityOf = (operation: unknown, scope: unknown, key: unknown) => JSON.stringify([operation, scope, key]);

function settle(group: Waiting[], [inserted, , found, oldest]: ResultSet[]): void {
  const firsts = new Set(inserted!.rows.map((r) => identityOf(r.operation, r.scope, r.idem_key)));
  const stored = new Map(found!.rows.map((r) => [identityOf(r.operation, r.scope, r.idem_key), r]));
  const head = oldest!.rows[0];
  const oldestPending: PendingEntry | null = head ? { seq: Number(head.seq), createdAt: Number(head.created_at) } : null;
  for (const w of group) {
    const r = w.request;
    const id = identityOf(r.operation, r.scope, r.key);
    const row = stored.get(id);
    if (!row) {
      w.reject(new Error(`idempotency key ${r.operation}/${r.scope}/${r.key} neither inserted nor found`));
      continue;
    }
    if (row.fingerprint !== r.fingerprint) {
      w.resolve({ kind: "conflict" });
      continue;
    }
    const outbox = entryOf(row);
    const olderPending = oldestPending && oldestPending.seq < outbox.seq ? oldestPending : null;
    // Of several requests of the group under one new key, the first in arrival order is the one stored.
    if (firsts.delete(id)) w.resolve({ kind: "first", response: r.response, outbox, olderPending });
    else w.resolve({ kind: "replay", response: JSON.parse(String(row.response)), outbox, olderPending });
  }
}

export function entryOf(row: Row): OutboxEntry {
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
