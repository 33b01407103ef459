import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dlqTopicOf, type TopicSpec, topicSpec } from "../../shared/events/topics.ts";
import { createEmbeddedLog } from "../../shared/log/embedded/embedded-log.ts";
import type { EventLog } from "../../shared/log/event-log.ts";
import { createKafkaLog } from "../../shared/log/kafka/kafka-log.ts";
import { brokersFromEnv, uniqueName } from "../../shared/log/kafka/kafka-test-env.ts";

/*
 * The event logs the notify end-to-end tests run on: a fresh embedded log file, or the
 * shared test Kafka (KAFKA_BROKERS; the test fails naming it when unset). Not a test file.
 */

export interface TestLog {
  log: EventLog;
  /** The name a catalogue topic has on this log (unique on the shared broker); its `.dlq` twin exists too. */
  topic(name: string): string;
  /** A consumer group name no other test uses. */
  group(name: string): string;
  dispose(): Promise<void>;
}

export interface TestLogKind {
  name: string;
  /** Opens a log holding `topics` (catalogue names) and their `.dlq` twins, with the catalogue's partition counts. */
  open(topics: string[]): Promise<TestLog>;
}

const specsFor = (topics: string[], rename: (t: string) => string): TopicSpec[] =>
  topics.flatMap((t) => {
    const spec = topicSpec(t);
    return [
      { ...spec, name: rename(t) },
      { ...topicSpec(dlqTopicOf(t)), name: dlqTopicOf(rename(t)) },
    ];
  });

export const TEST_LOGS: readonly TestLogKind[] = [
  {
    name: "the embedded log",
    async open(topics) {
      const dir = mkdtempSync(join(tmpdir(), "fleet-notify-"));
      const log = await createEmbeddedLog({ url: `file:${join(dir, "log.db")}`, logger: { warn: () => {}, error: console.error } });
      await log.admin().ensureTopics(specsFor(topics, (t) => t));
      return {
        log,
        topic: (t) => t,
        group: (g) => g,
        async dispose() {
          await log.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: "Kafka",
    async open(topics) {
      const log = await createKafkaLog({ brokers: brokersFromEnv(), clientId: uniqueName("notify-test"), logger: () => {} });
      const names = new Map(topics.map((t) => [t, uniqueName(t)]));
      await log.admin().ensureTopics(specsFor(topics, (t) => names.get(t)!));
      const groups = new Map<string, string>();
      return {
        log,
        topic: (t) => names.get(t) ?? t,
        group(g) {
          if (!groups.has(g)) groups.set(g, uniqueName(g));
          return groups.get(g)!;
        },
        dispose: () => log.close(),
      };
    },
  },
];
