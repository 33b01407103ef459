import type { TopicSpec } from "../../events/topics.ts";
import type { LogAdmin, PartitionLag, ResetTarget } from "../event-log.ts";
import type { LogDb, Statement } from "./log-db.ts";
import { commitStatement, committedOffsets, firstOffsetAtOrAfter, type PartitionBounds, partitionBounds } from "./offsets.ts";
import type { TopicRegistry } from "./topic-registry.ts";

export interface AdminDeps {
  db: LogDb;
  topics: TopicRegistry;
  activeGroups: ReadonlySet<string>;
}

export function createEmbeddedAdmin(deps: AdminDeps): LogAdmin {
  const { db, topics } = deps;
  return {
    async ensureTopics(specs: readonly TopicSpec[]) {
      const statements: Statement[] = [];
      for (const spec of specs) {
        if (!Number.isInteger(spec.partitions) || spec.partitions < 1)
          throw new RangeError(`topic "${spec.name}": partitions must be a positive integer`);
        statements.push({
          sql: "INSERT OR IGNORE INTO log_topics (name, partitions, retention_ms, cleanup_policy, created_at) VALUES (?, ?, ?, ?, ?)",
          args: [spec.name, spec.partitions, spec.retentionMs, spec.cleanupPolicy, Date.now()],
        });
        // Guarded by the stored count: a spec asking more partitions for an existing topic must not add any.
        for (let p = 0; p < spec.partitions; p++) {
          statements.push({
            sql: "INSERT OR IGNORE INTO log_partitions (topic, partition) SELECT name, ? FROM log_topics WHERE name = ? AND partitions > ?",
            args: [p, spec.name, p],
          });
        }
      }
      if (statements.length > 0) await db.write(statements);
    },

    async lag(group, topicNames) {
      const lags: PartitionLag[] = [];
      for (const topic of topicNames) {
        await topics.get(topic);
        const committed = await committedOffsets(db, group, topic);
        for (const { partition, earliest, end } of await partitionBounds(db, topic)) {
          const c = committed.get(partition);
          // Counts what the group would still receive: records below `earliest` are gone.
          const lag = end - Math.max(c ?? earliest, earliest);
          lags.push({ topic, partition, committed: c ?? -1, end, lag });
        }
      }
      return lags;
    },

    async resetOffsets(group, topic, target) {
      if (deps.activeGroups.has(group))
        throw new Error(`cannot reset group "${group}": it has an active subscription in this process; stop it first`);
      const info = await topics.get(topic);
      const bounds = await partitionBounds(db, topic);
      if (target.to === "offset" && target.partition !== undefined) {
        if (!Number.isInteger(target.partition) || target.partition < 0 || target.partition >= info.partitions) {
          throw new RangeError(`topic "${topic}" has partitions 0..${info.partitions - 1}; got ${target.partition}`);
        }
      }
      const statements: Statement[] = [];
      for (const b of bounds) {
        if (target.to === "offset" && target.partition !== undefined && target.partition !== b.partition) continue;
        statements.push(commitStatement(group, topic, b.partition, await resetPosition(db, topic, b, target)));
      }
      await db.write(statements);
    },

    // Shares the EventLog's connection; EventLog.close() releases it.
    async close() {},
  };
}

async function resetPosition(db: LogDb, topic: string, b: PartitionBounds, target: ResetTarget): Promise<number> {
  switch (target.to) {
    case "earliest":
      return b.earliest;
    case "latest":
      return b.end;
    case "timestamp":
      return (await firstOffsetAtOrAfter(db, topic, b.partition, target.timestamp)) ?? b.end;
    case "offset":
      if (!Number.isInteger(target.offset) || target.offset < 0 || target.offset > b.end) {
        throw new RangeError(`offset ${target.offset} is outside ${topic}[${b.partition}] (0..${b.end})`);
      }
      return target.offset;
  }
}
