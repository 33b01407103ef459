import { startApacheKafka, startApacheKafkaCluster } from "./apache-kafka.ts";
import type { KafkaClusterService, KafkaService } from "./kafka-service.ts";
import { startRedpanda } from "./redpanda-broker.ts";

export interface StartKafkaOptions {
  /** Configs, logs and log segments go here; it must outlive the broker if restart() is used. */
  dataDir: string;
  /** Cache for Apache Kafka's jars; defaults to `.services/kafka-libs/` in the repo. */
  libsDir?: string;
}

/**
 * A one-node Kafka-API broker for dev and tests: Redpanda when its binary is on PATH
 * (what production runs), else Apache Kafka in KRaft mode from Maven Central jars (what
 * any machine with Java can run). Both speak the same Kafka API to kafkajs; both have
 * topic auto-creation off, so callers create topics from the catalogue.
 */
export function startKafka(opts: StartKafkaOptions): Promise<KafkaService> {
  const redpanda = Bun.which("redpanda");
  return redpanda ? startRedpanda(redpanda, opts.dataDir) : startApacheKafka(opts);
}

/**
 * A `size`-broker cluster: always Apache Kafka in KRaft mode (combined broker +
 * controller nodes), the engine whose multi-node start this launcher knows; a Redpanda
 * cluster speaks the same Kafka API and takes the same topic settings from the catalogue.
 */
export function startKafkaCluster(opts: StartKafkaOptions & { size: number }): Promise<KafkaClusterService> {
  if (opts.size < 2) throw new RangeError(`a cluster needs at least 2 brokers, got ${opts.size}`);
  return startApacheKafkaCluster(opts, opts.size);
}
