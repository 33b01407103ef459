import type { Admin, ITopicConfig, Kafka } from "kafkajs";
import { replicationFor, type TopicSpec } from "../../events/topics.ts";
import type { LogAdmin, PartitionLag, ResetTarget } from "../event-log.ts";
import { commitIdleGroupOffsets, type PartitionOffset } from "./kafka-group-offsets.ts";
import { whileRetriable } from "./kafka-retriable.ts";

export function createKafkaAdmin(kafka: Kafka, admin: Admin): LogAdmin {
  return {
    async ensureTopics(specs) {
      const existing = new Set(await admin.listTopics());
      const missing = specs.filter((s) => !existing.has(s.name));
      if (missing.length === 0) return;
      const replication = replicationFor((await admin.describeCluster()).brokers.length);
      const topics = missing.map((s) => topicConfig(s, replication));
      try {
        // kafkajs returns false instead of throwing when every failure is "already exists" (a concurrent creator won).
        await admin.createTopics({ waitForLeaders: true, topics });
      } catch (err) {
        // Its wait for leaders retries only LEADER_NOT_AVAILABLE; on a cluster the broker it asks may not know a
        // new topic yet (UNKNOWN_TOPIC_OR_PARTITION, retriable): then the wait is ours.
        if ((err as { retriable?: boolean }).retriable !== true) throw err;
        await whileRetriable(
          () =>
            leadersElected(
              admin,
              missing.map((s) => s.name),
            ),
          30,
        );
      }
    },

    async lag(group, topics) {
      const [committed, ends] = await whileRetriable(() =>
        Promise.all([admin.fetchOffsets({ groupId: group, topics }), Promise.all(topics.map((t) => topicEnds(kafka, admin, t)))]),
      );
      return topics.flatMap((topic, i) => {
        const groupOffsets = committed.find((c) => c.topic === topic)?.partitions ?? [];
        return ends[i]!.map(({ partition, high, low }): PartitionLag => {
          const raw = Number(groupOffsets.find((p) => p.partition === partition)?.offset ?? -1);
          const end = Number(high);
          // A group resumes at the log start when retention removed its committed offset, so lag never counts deleted records.
          const next = Math.max(raw, Number(low));
          return { topic, partition, committed: raw >= 0 ? raw : -1, end, lag: Math.max(0, end - next) };
        }).sort((a, b) => a.partition - b.partition);
      });
    },

    async resetOffsets(group, topic, target) {
      const offsets = await whileRetriable(() => targetOffsets(admin, topic, target));
      await commitIdleGroupOffsets(kafka, group, topic, offsets);
      const [after] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      const missed = offsets.filter((o) => Number(after?.partitions.find((p) => p.partition === o.partition)?.offset) !== o.offset);
      if (missed.length > 0) {
        throw new Error(
          `offsets of group "${group}" on "${topic}" were not moved for partitions ${missed.map((o) => o.partition).join(", ")}: a member joined during the reset`,
        );
      }
    },

    close: () => admin.disconnect(),
  };
}

/** Resolves once every partition of the topics has a leader; throws a retriable error until then. */
async function leadersElected(admin: Admin, names: string[]): Promise<void> {
  const { topics } = await admin.fetchTopicMetadata({ topics: names });
  const waiting = topics.flatMap((t) =>
    t.partitions.filter((p) => p.leader < 0 || p.partitionErrorCode !== 0).map((p) => `${t.name}/${p.partitionId}`),
  );
  if (waiting.length > 0) throw Object.assign(new Error(`no leader yet for ${waiting.join(", ")}`), { retriable: true });
}

/** Total partitions of the topics; kafkajs throws for a topic that does not exist. */
export async function countPartitions(admin: Admin, topics: string[]): Promise<number> {
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
  return metadata.reduce((n, t) => n + t.partitions.length, 0);
}

/** The catalogue's settings; replication from the brokers registered now (shared/events/topics.ts, replicationFor). */
function topicConfig(spec: TopicSpec, replication: ReturnType<typeof replicationFor>): ITopicConfig {
  return {
    topic: spec.name,
    numPartitions: spec.partitions,
    replicationFactor: replication.factor,
    configEntries: [
      { name: "min.insync.replicas", value: String(replication.minInsync) },
      { name: "retention.ms", value: String(spec.retentionMs) },
      { name: "cleanup.policy", value: spec.cleanupPolicy },
      // The port's DeliveredRecord.timestamp is the broker's append time, and timestamp resets should follow it.
      { name: "message.timestamp.type", value: "LogAppendTime" },
    ],
  };
}

/**
 * A topic's offsets. kafkajs's fetchTopicOffsets throws a bare TypeError (tulios/kafkajs#461)
 * when its cached metadata holds no partition of the topic, which a broker failover can
 * leave behind until the cache ages out (metadataMaxAge, 5 min); the admin cannot be told
 * to refresh, so the read is repeated on a fresh client, and marked retriable should that
 * one see the same gap mid-election.
 */
async function topicEnds(kafka: Kafka, admin: Admin, topic: string) {
  try {
    return await admin.fetchTopicOffsets(topic);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
  }
  const fresh = kafka.admin();
  try {
    await fresh.connect();
    return await fresh.fetchTopicOffsets(topic);
  } catch (err) {
    throw err instanceof TypeError
      ? Object.assign(new Error(`no partition metadata for "${topic}" yet`, { cause: err }), { retriable: true })
      : err;
  } finally {
    await fresh.disconnect();
  }
}

/**
 * Concrete offsets, never kafkajs's -1/-2 markers: a committed marker would be resolved by the
 * next consumer's own fromBeginning setting, so "earliest" could silently become "latest".
 * An explicit offset is clamped into the partition's retained range.
 */
async function targetOffsets(admin: Admin, topic: string, target: ResetTarget): Promise<PartitionOffset[]> {
  if (target.to === "timestamp") {
    // kafkajs answers the high watermark for partitions with nothing at or after the timestamp.
    const found = await admin.fetchTopicOffsetsByTimestamp(topic, target.timestamp);
    return found.map((p) => ({ partition: p.partition, offset: Number(p.offset) }));
  }
  const ends = await admin.fetchTopicOffsets(topic);
  switch (target.to) {
    case "earliest":
      return ends.map((p) => ({ partition: p.partition, offset: Number(p.low) }));
    case "latest":
      return ends.map((p) => ({ partition: p.partition, offset: Number(p.high) }));
    case "offset": {
      const chosen = target.partition === undefined ? ends : ends.filter((p) => p.partition === target.partition);
      if (chosen.length === 0) throw new RangeError(`topic "${topic}" has no partition ${target.partition}`);
      return chosen.map((p) => ({ partition: p.partition, offset: Math.min(Math.max(target.offset, Number(p.low)), Number(p.high)) }));
    }
  }
}
