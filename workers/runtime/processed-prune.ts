import { and, eq, lt } from "drizzle-orm";
import { deleteInChunks } from "../../shared/db/delete-in-chunks.ts";
import type { Db } from "../../shared/db/open-libsql.ts";
import { processedEvents } from "../../shared/db/schema.ts";
import { TOPIC_CATALOGUE, type TopicSpec } from "../../shared/events/topics.ts";

const DAY = 24 * 3_600_000;

/**
 * How long the ids of events consumed from `spec`'s topic are kept (null: for ever).
 * An id must outlive every copy of its record the log could still deliver (a
 * redelivery, a replay from earliest), else the event would apply twice. Kafka deletes
 * whole segments, so a record can outlive the topic's retention by up to a segment's
 * age (segment.ms, 7 days by default): twice the retention plus a day covers it.
 * Compacted topics keep each key's last record for ever, so their ids are never pruned.
 */
export function processedRetentionMs(spec: TopicSpec): number | null {
  return spec.cleanupPolicy === "delete" ? 2 * spec.retentionMs + DAY : null;
}

/** Deletes processed-event ids past their topic's retention (processedRetentionMs); resolves with how many. */
export async function pruneProcessedEvents(db: Db, now: number, catalogue: readonly TopicSpec[] = TOPIC_CATALOGUE): Promise<number> {
  let deleted = 0;
  for (const spec of catalogue) {
    const keep = processedRetentionMs(spec);
    if (keep === null) continue;
    deleted += await deleteInChunks(
      db,
      processedEvents,
      and(eq(processedEvents.topic, spec.name), lt(processedEvents.processedAt, now - keep))!,
    );
  }
  return deleted;
}
