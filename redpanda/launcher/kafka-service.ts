import type { ServiceControl } from "./service-process.ts";

/** A running one-node Kafka-API broker: what startKafka (kafka.ts) and each engine's launcher return. */
export interface KafkaService extends ServiceControl {
  /** Bootstrap address for clients, `127.0.0.1:<port>`. */
  brokers: string;
  engine: "redpanda" | "apache-kafka";
}
