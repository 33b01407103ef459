import type { LogDb, Statement } from "./log-db.ts";

export interface PartitionBounds {
  partition: number;
  /** First retained offset; equals `end` when retention left the partition empty. */
  earliest: number;
  /** Offset the next published record gets. */
  end: number;
}

export async function partitionBounds(db: LogDb, topic: string): Promise<PartitionBounds[]> {
  const rows = await db.query(
    `SELECT p.partition, p.next_offset AS end,
       (SELECT r.offset FROM log_records r WHERE r.topic = p.topic AND r.partition = p.partition ORDER BY r.offset LIMIT 1) AS earliest
     FROM log_partitions p WHERE p.topic = ? ORDER BY p.partition`,
    [topic],
  );
  return rows.map((r) => ({
    partition: Number(r.partition),
    end: Number(r.end),
    earliest: r.earliest === null ? Number(r.end) : Number(r.earliest),
  }));
}

/** Next offset to read per partition, for the partitions the group has ever committed. */
export async function committedOffsets(db: LogDb, group: string, topic: string): Promise<Map<number, number>> {
  const rows = await db.query("SELECT partition, committed FROM log_group_offsets WHERE group_id = ? AND topic = ?", [group, topic]);
  return new Map(rows.map((r) => [Number(r.partition), Number(r.committed)]));
}

export function commitStatement(group: string, topic: string, partition: number, next: number): Statement {
  return {
    sql: `INSERT INTO log_group_offsets (group_id, topic, partition, committed, updated_at) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (group_id, topic, partition) DO UPDATE SET committed = excluded.committed, updated_at = excluded.updated_at`,
    args: [group, topic, partition, next, Date.now()],
  };
}

/**
 * First offset whose append time is at or after `timestamp`, scanning in offset order;
 * undefined when there is none. Searching by position rather than by time keeps the
 * answer a clean prefix/suffix split even if the wall clock stepped back once.
 */
export async function firstOffsetAtOrAfter(db: LogDb, topic: string, partition: number, timestamp: number): Promise<number | undefined> {
  const [row] = await db.query("SELECT offset FROM log_records WHERE topic = ? AND partition = ? AND ts >= ? ORDER BY offset LIMIT 1", [
    topic,
    partition,
    timestamp,
  ]);
  return row ? Number(row.offset) : undefined;
}
