/**
 * The embedded EventLog: a durable log in one libSQL file, with Kafka's placement
 * (murmur2 partitioner), per-partition offsets, committed group offsets, replay and
 * time-based retention. The default of `bun run dev`; production uses Kafka/Redpanda.
 *
 * Where it differs from Kafka, by design of a single-process log:
 * - One writer process per file. Several processes writing one libSQL file can silently
 *   lose writes (docs/architecture.md, storage rules), so there is no multi-process mode: busy timeout 5 s, and an
 *   SQLITE_BUSY closes this client for good (every later call and `done` reject).
 * - One member per group per EventLog instance: subscribing a group that is already
 *   subscribed rejects, and so does resetOffsets on it. Only this instance's own
 *   subscriptions are known. No coordinator, so no rebalancing and no session:
 *   `heartbeat()` is a no-op and `isActive()` turns false only when the subscription stops.
 * - Partitions of a subscription are consumed by independent loops, so handlers for
 *   different partitions may run concurrently; order holds within a partition.
 * - A group without a committed offset and `fromBeginning: false` commits the current
 *   end at subscribe time, so a restart before its first batch skips nothing new.
 * - A committed offset below the earliest retained record resumes at that record (Kafka's
 *   `auto.offset.reset=earliest`); `lag` counts only records still retained.
 * - `publish` writes and commits at once (WAL, synchronous=NORMAL: survives a process
 *   crash, not a power cut). There is no buffer, hence no BackpressureError.
 * - Retention deletes each partition's prefix of expired records (a whole prefix, like
 *   segment deletion). `cleanup.policy=compact` is treated as delete: no key compaction.
 * - Partition counts never change after creation; `ensureTopics` ignores a larger count.
 */
import type { Logger } from "../../logging/logger.ts";
import type { EventLog } from "../event-log.ts";
import { Doorbell } from "./doorbell.ts";
import { createEmbeddedAdmin } from "./embedded-admin.ts";
import { createEmbeddedPublisher } from "./embedded-publisher.ts";
import { createEmbeddedSubscriber } from "./embedded-subscriber.ts";
import { openLogDb } from "./log-db.ts";
import { pruneExpired, startRetention } from "./retention.ts";
import { TopicRegistry } from "./topic-registry.ts";

export interface EmbeddedLogOptions {
  /** libSQL `file:` URL, e.g. `file:/srv/data/log.db`. */
  url: string;
  /** Idle poll per partition; this instance's own publishes wake consumers at once. Default 20 ms. */
  pollIntervalMs?: number;
  /** How often expired records are pruned. Default 60 s. */
  retentionCheckMs?: number;
  /** Where handler failures and crashes are reported. Default: console. */
  logger?: Pick<Logger, "warn" | "error">;
}

export interface EmbeddedEventLog extends EventLog {
  /** Runs retention now, as of `now` (default: the clock); resolves with the records deleted. */
  prune(now?: number): Promise<number>;
}

export async function createEmbeddedLog(opts: EmbeddedLogOptions): Promise<EmbeddedEventLog> {
  const db = await openLogDb(opts.url);
  const logger = opts.logger ?? console;
  const topics = new TopicRegistry(db);
  const doorbell = new Doorbell();
  const activeGroups = new Set<string>();

  const publisher = createEmbeddedPublisher({ db, topics, doorbell });
  const subscriber = createEmbeddedSubscriber({ db, topics, doorbell, logger, activeGroups, pollIntervalMs: opts.pollIntervalMs ?? 20 });
  const admin = createEmbeddedAdmin({ db, topics, activeGroups });
  const prune = (now?: number) => pruneExpired(db, topics, now);
  const stopRetention = startRetention(prune, opts.retentionCheckMs ?? 60_000, logger);

  let closing: Promise<void> | undefined;
  return {
    kind: "embedded",
    publisher: () => publisher,
    subscriber: () => subscriber,
    admin: () => admin,
    prune,
    close() {
      closing ??= (async () => {
        await publisher.close();
        await subscriber.close();
        await stopRetention();
        await admin.close();
        db.close();
      })();
      return closing;
    },
  };
}
