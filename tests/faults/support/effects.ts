import type { Db } from "../../../shared/db/open-libsql.ts";
import { createEnvelope, toRecord } from "../../../shared/events/envelope.ts";
import type { EventLog, OutgoingRecord } from "../../../shared/log/event-log.ts";

/** N events with unique ids (UUIDv7) over `keys` keys, as records for `topic`. */
export function uniqueEvents(
  topic: string,
  n: number,
  opts: { keys?: number; type?: string } = {},
): { ids: string[]; records: OutgoingRecord[] } {
  const records = Array.from({ length: n }, (_, i) => {
    const e = createEnvelope({ type: opts.type ?? "faults.counted", key: `k-${i % (opts.keys ?? 97)}`, data: { n: i }, source: "faults" });
    return toRecord(topic, e);
  });
  return { ids: records.map((r) => (JSON.parse(r.value) as { id: string }).id), records };
}

/**
 * Publishes records in chunks, each retried until acked, `perSecond` at most (0: as fast as
 * the broker acks). Resolves with how many were acked (all, unless `stop` said so).
 */
export async function publishAll(
  log: EventLog,
  records: OutgoingRecord[],
  opts: { chunk?: number; perSecond?: number; stop?: () => boolean } = {},
): Promise<number> {
  const chunk = opts.chunk ?? 500;
  const started = performance.now();
  let acked = 0;
  for (let i = 0; i < records.length && !opts.stop?.(); i += chunk) {
    const part = records.slice(i, i + chunk);
    for (;;) {
      try {
        await log.publisher().publish(part);
        break;
      } catch {
        if (opts.stop?.()) return acked;
        await Bun.sleep(200);
      }
    }
    acked += part.length;
    if (opts.perSecond) {
      const due = (acked / opts.perSecond) * 1000 - (performance.now() - started);
      if (due > 0) await Bun.sleep(due);
    }
  }
  return acked;
}

export async function lagOf(log: EventLog, group: string, topics: string[]): Promise<number> {
  return (await log.admin().lag(group, topics)).reduce((n, p) => n + p.lag, 0);
}

export async function committedOf(log: EventLog, group: string, topics: string[]): Promise<number> {
  return (await log.admin().lag(group, topics)).reduce((n, p) => n + Math.max(0, p.committed), 0);
}

export interface EffectCounts {
  rows: number;
  distinct: number;
  missing: number;
  unknown: number;
}

/** Rows and distinct event ids in `table.column` compared with the acked ids; zeros while the table does not exist yet. */
export async function effectCounts(db: Db, table: string, column: string, acked: readonly string[]): Promise<EffectCounts> {
  let ids: string[];
  try {
    ids = (await db.client.execute(`SELECT ${column} AS id FROM ${table}`)).rows.map((r) => String(r.id));
  } catch {
    ids = [];
  }
  const have = new Set(ids);
  const want = new Set(acked);
  return {
    rows: ids.length,
    distinct: have.size,
    missing: acked.filter((id) => !have.has(id)).length,
    unknown: [...have].filter((id) => !want.has(id)).length,
  };
}

export async function rowCount(db: Db, sql: string): Promise<number> {
  try {
    return Number((await db.client.execute(sql)).rows[0]![0]);
  } catch {
    return 0;
  }
}

export interface LoggedRecord {
  topic: string;
  partition: number;
  offset: number;
  id: string;
}

/**
 * Every record the topics hold up to their end offsets as of the call, read by a throwaway
 * group. The log may hold an event twice: kafkajs's producer is not idempotent, and a send
 * it retries internally can be written twice (kafka-log.ts); consumers dedupe by id.
 */
export async function readLog(log: EventLog, topics: string[], timeoutMs = 30_000): Promise<LoggedRecord[]> {
  const group = `faults-reader-${crypto.randomUUID()}`;
  const ends = await log.admin().lag(group, topics);
  const want = ends.reduce((n, p) => n + p.end, 0);
  const got: LoggedRecord[] = [];
  const sub = await log.subscriber().subscribe({
    group,
    topics,
    handler: async (b) => {
      const end = ends.find((e) => e.topic === b.topic && e.partition === b.partition)?.end ?? 0;
      for (const r of b.records)
        if (r.offset < end)
          got.push({ topic: r.topic, partition: r.partition, offset: r.offset, id: (JSON.parse(r.value) as { id: string }).id });
    },
  });
  try {
    const deadline = Date.now() + timeoutMs;
    while (got.length < want) {
      if (Date.now() > deadline) throw new Error(`read ${got.length} of ${want} records of ${topics.join(", ")} in ${timeoutMs} ms`);
      await Bun.sleep(50);
    }
  } finally {
    await sub.stop();
  }
  return got;
}
