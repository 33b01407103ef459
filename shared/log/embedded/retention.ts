import type { Logger } from "../../logging/logger.ts";
import type { LogDb } from "./log-db.ts";
import { partitionBounds } from "./offsets.ts";
import type { TopicRegistry } from "./topic-registry.ts";

/**
 * Offsets per slice. libSQL runs each statement on the JS thread, so pruning an hour
 * of busy partition in one go would stall publishing and delivery; slices let them in.
 */
const SLICE = 10_000;

/**
 * Deletes, per partition, the prefix of records appended before `now - retention`.
 * Like Kafka dropping whole old segments, what remains is contiguous: the first record
 * young enough ends the prefix. `log_partitions.next_offset` is untouched, so offsets
 * continue where they were. Returns the number of records deleted.
 */
export async function pruneExpired(db: LogDb, topics: TopicRegistry, now = Date.now()): Promise<number> {
  let deleted = 0;
  for (const topic of await topics.all()) {
    if (topic.retentionMs < 0) continue;
    const cutoff = now - topic.retentionMs;
    for (const { partition, earliest, end } of await partitionBounds(db, topic.name)) {
      for (let from = earliest; from < end; from += SLICE) {
        const to = Math.min(end, from + SLICE);
        const [young] = await db.query(
          "SELECT offset FROM log_records WHERE topic = ? AND partition = ? AND offset >= ? AND offset < ? AND ts >= ? ORDER BY offset LIMIT 1",
          [topic.name, partition, from, to, cutoff],
        );
        const keepFrom = young ? Number(young.offset) : to;
        if (keepFrom > from) {
          const [n] = await db.write([
            { sql: "DELETE FROM log_records WHERE topic = ? AND partition = ? AND offset < ?", args: [topic.name, partition, keepFrom] },
          ]);
          deleted += n ?? 0;
        }
        if (young) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }
  return deleted;
}

/** Prunes every `everyMs` without keeping the process alive; the returned stop waits for a running prune. */
export function startRetention(prune: () => Promise<number>, everyMs: number, logger: Pick<Logger, "error">): () => Promise<void> {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= prune()
      .then(
        () => {},
        (err: unknown) => logger.error("embedded log retention pruning failed", { err }),
      )
      .finally(() => {
        running = undefined;
      });
  }, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
