import type { ServiceControl } from "./service-process.ts";

/** A running one-node Kafka-API broker: what startKafka (kafka.ts) and each engine's launcher return. Types on their own, so the launchers and kafka.ts, which imports them, need not import each other. */
export interface KafkaService extends ServiceControl {
  /** Bootstrap address for clients, `127.0.0.1:<port>`. */
  brokers: string;
  engine: "redpanda" | "apache-kafka";
}

/** One node of a cluster, killed and restarted on its own by fault tests. */
export interface KafkaNode extends ServiceControl {
  /** The broker's node id, as metadata names partition leaders. */
  nodeId: number;
  /** `127.0.0.1:<port>` of this broker. */
  address: string;
}

export interface KafkaClusterService {
  /** Every broker, comma-separated: what KAFKA_BROKERS takes. */
  brokers: string;
  engine: "apache-kafka";
  nodes: KafkaNode[];
  stop(): Promise<void>;
}
