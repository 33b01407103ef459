import { dlqTopicOf, type TopicSpec } from "../../shared/events/topics.ts";
import type { Publisher } from "../../shared/log/event-log.ts";

/** A test's topic and its `.dlq` twin, as ensureTopics takes them: an hour's retention, 3 partitions unless told. */
export function withDeadLetters(name: string, o: { keyField: string; description: string; partitions?: number }): TopicSpec[] {
  return [name, dlqTopicOf(name)].map((n) => ({
    name: n,
    partitions: o.partitions ?? 3,
    retentionMs: 3_600_000,
    cleanupPolicy: "delete",
    keyField: o.keyField,
    description: o.description,
  }));
}

/** Publishes to a test's own topics: the catalogue's names in (`names` maps them), unique names out. */
export function renamed(publisher: Publisher, names: Record<string, string>): Publisher {
  return {
    publish: (records) => publisher.publish(records.map((r) => ({ ...r, topic: names[r.topic] ?? r.topic }))),
    close: () => publisher.close(),
  };
}
