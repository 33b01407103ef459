import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createEmbeddedLog } from "../log/embedded/embedded-log.ts";
import type { EventLog } from "../log/event-log.ts";
import { createKafkaLog } from "../log/kafka/kafka-log.ts";

export interface EventLogSettings {
  KAFKA_BROKERS?: string[];
  DATA_DIR: string;
  clientId: string;
}

/** Kafka/Redpanda when brokers are configured, otherwise the embedded log file in DATA_DIR. */
export async function openEventLog(s: EventLogSettings): Promise<EventLog> {
  if (s.KAFKA_BROKERS?.length) return createKafkaLog({ brokers: s.KAFKA_BROKERS, clientId: s.clientId });
  mkdirSync(s.DATA_DIR, { recursive: true });
  return createEmbeddedLog({ url: `file:${join(s.DATA_DIR, "log.db")}` });
}
