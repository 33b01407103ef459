import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { freePorts } from "./free-ports.ts";
import { kafkaAnswers } from "./kafka-probe.ts";
import type { KafkaService } from "./kafka-service.ts";
import { startService } from "./service-process.ts";

/**
 * Seastar flags that `rpk redpanda start --mode dev-container` bundles, given to the
 * redpanda binary directly so rpk is not needed: share the CPU politely (no busy polling,
 * no pinning), reserve no memory for the OS, skip fsync. One core and 1 GB keep it beside
 * the gateway and workers on a small machine.
 */
const DEV_CONTAINER_FLAGS = ["--overprovisioned", "--reserve-memory=0M", "--unsafe-bypass-fsync=1", "--smp=1", "--memory=1G"];

/**
 * Cluster properties of dev-container mode, applied once when the cluster is created
 * (Redpanda reads `.bootstrap.yaml` beside its node config). Two differ on purpose, to
 * match the Apache Kafka launcher: topics are never auto-created (a typo must fail), and
 * write caching stays off so acks=all means written, which the kill-the-broker tests rely on.
 */
const CLUSTER_PROPERTIES = {
  auto_create_topics_enabled: false,
  group_topic_partitions: 3,
  group_initial_rebalance_delay: 0,
  storage_min_free_bytes: 10_485_760,
  topic_partitions_per_shard: 1000,
  fetch_reads_debounce_timeout: 10,
};

/**
 * A one-node Redpanda from the `redpanda` binary at `binary`, on free ports of 127.0.0.1
 * (Kafka API, internal RPC, admin API; no HTTP proxy or schema registry). `dataDir` gets
 * the configs and the data; restart() reuses both.
 */
export async function startRedpanda(binary: string, dataDir: string): Promise<KafkaService> {
  const [kafka, rpc, admin] = await freePorts(3);
  if (kafka === undefined || rpc === undefined || admin === undefined) throw new Error("no free ports for Redpanda");

  const configFile = join(dataDir, "redpanda.yaml");
  await mkdir(join(dataDir, "data"), { recursive: true });
  const local = (port: number) => ({ address: "127.0.0.1", port });
  const nodeConfig = {
    redpanda: {
      data_directory: join(dataDir, "data"),
      developer_mode: true,
      seed_servers: [],
      rpc_server: local(rpc),
      advertised_rpc_api: local(rpc),
      kafka_api: [{ ...local(kafka), name: "PLAINTEXT" }],
      advertised_kafka_api: [{ ...local(kafka), name: "PLAINTEXT" }],
      admin: [local(admin)],
    },
  };
  // JSON is YAML too, and quoting every string keeps paths with odd characters intact.
  await Bun.write(configFile, JSON.stringify(nodeConfig, null, 2));
  await Bun.write(join(dataDir, ".bootstrap.yaml"), JSON.stringify(CLUSTER_PROPERTIES, null, 2));

  const brokers = `127.0.0.1:${kafka}`;
  const control = await startService({
    name: "Redpanda",
    cmd: [binary, "--redpanda-cfg", configFile, ...DEV_CONTAINER_FLAGS],
    ready: () => kafkaAnswers(brokers),
    readyTimeoutMs: 60_000,
  });
  return { engine: "redpanda", brokers, ...control };
}
