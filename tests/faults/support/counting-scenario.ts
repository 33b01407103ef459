import { afterAll, beforeAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Db, openLibsql } from "../../../shared/db/open-libsql.ts";
import { dlqTopicOf } from "../../../shared/events/topics.ts";
import type { EventLog } from "../../../shared/log/event-log.ts";
import { createKafkaLog } from "../../../shared/log/kafka/kafka-log.ts";
import { withDeadLetters } from "../../support/test-topics.ts";
import { startOwnKafka } from "./own-kafka.ts";

export interface CountingScenario {
  readonly topic: string;
  readonly group: string;
  /** The effects database the counting workers write (file: URL). */
  readonly url: string;
  readonly kafka: Awaited<ReturnType<typeof startOwnKafka>>;
  readonly log: EventLog;
  /** A connection of the test's own to the effects database, for counting. */
  readonly reader: Db;
  /** Records on the topic's dead-letter twin. */
  dlqCount(): Promise<number>;
}

/**
 * The stage of a counting-worker scenario (a, f, h): a broker of its own, `topic` and its
 * .dlq twin, and a temp effects database; registered as the file's beforeAll/afterAll,
 * so the fields are readable inside tests only.
 */
export function countingScenario(name: string, opts: { partitions: number }): CountingScenario {
  const topic = `faults-${name}`;
  const dir = mkdtempSync(join(tmpdir(), `fleet-faults-${name}-`));
  let kafka: CountingScenario["kafka"] | undefined;
  let log: EventLog | undefined;
  let reader: Db | undefined;
  const ready = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`${what} is not started yet: read it inside a test`);
    return v;
  };

  beforeAll(async () => {
    kafka = await startOwnKafka();
    log = await createKafkaLog({ brokers: [kafka.brokers], clientId: topic, logger: () => {} });
    await log
      .admin()
      .ensureTopics(withDeadLetters(topic, { keyField: "n", description: `${name} fault test`, partitions: opts.partitions }));
    reader = await openLibsql({ url: `file:${join(dir, "effects.db")}` });
  });
  afterAll(async () => {
    reader?.close();
    await log?.close();
    await kafka?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  return {
    topic,
    group: `${topic}-counter`,
    url: `file:${join(dir, "effects.db")}`,
    get kafka() {
      return ready(kafka, "the broker");
    },
    get log() {
      return ready(log, "the event log");
    },
    get reader() {
      return ready(reader, "the effects database");
    },
    async dlqCount() {
      return (
        await ready(log, "the event log")
          .admin()
          .lag("faults-dlq-probe", [dlqTopicOf(topic)])
      ).reduce((s, p) => s + p.end, 0);
    },
  };
}
