import type { InValue, ResultSet } from "@libsql/client";
import { insertRows } from "../../shared/db/insert-rows.ts";

/** The part of a consumed event that the processed_events table records. */
export interface ProcessedRef {
  id: string;
  record: { topic: string; partition: number; offset: number };
}

/** A Tx or a Db's client. */
export interface SqlExecutor {
  execute(sql: string, args?: InValue[]): Promise<ResultSet>;
}

const CHUNK = 500;
const COLUMNS = ["consumer_group", "event_id", "topic", "partition", "offset", "processed_at"] as const;

/** The ids among `ids` that `group` has already applied. */
export async function processedIds(exec: SqlExecutor, group: string, ids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const part = ids.slice(i, i + CHUNK);
    const rs = await exec.execute(
      `SELECT event_id FROM processed_events WHERE consumer_group = ? AND event_id IN (${part.map(() => "?").join(", ")})`,
      [group, ...part],
    );
    for (const row of rs.rows) found.add(String(row[0]));
  }
  return found;
}

/** Records the events as applied by `group`. */
export async function markProcessed(
  exec: SqlExecutor,
  group: string,
  events: readonly ProcessedRef[],
  opts: { at: number },
): Promise<void> {
  await insertRows(exec, {
    table: "processed_events",
    columns: COLUMNS,
    rows: events.map((e) => [group, e.id, e.record.topic, e.record.partition, e.record.offset, opts.at]),
    chunk: CHUNK,
  });
}

/** The events whose ids are not in `seen`, first occurrence only (a batch may hold one id twice). */
export function unseen<E extends ProcessedRef>(events: readonly E[], seen: ReadonlySet<string>): E[] {
  const taken = new Set(seen);
  const out: E[] = [];
  for (const e of events) {
    if (taken.has(e.id)) continue;
    taken.add(e.id);
    out.push(e);
  }
  return out;
}
