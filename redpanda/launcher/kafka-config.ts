import { randomBytes } from "node:crypto";
import { replicationFor } from "../../shared/events/topics.ts";

export interface KafkaPorts {
  /** Clients connect here (PLAINTEXT). */
  broker: number;
  /** KRaft quorum traffic; nobody outside the broker uses it. */
  controller: number;
}

/** This node's place in a KRaft cluster of `size` nodes, each broker and controller in one JVM. */
export interface KafkaClusterPlace {
  nodeId: number;
  /** `id@host:controllerPort` of every node, comma-separated. */
  voters: string;
  size: number;
}

/**
 * server.properties for a KRaft node (broker and controller in one JVM; alone unless
 * `place` says otherwise) tuned for tests: internal topics replicated as the catalogue's
 * (shared/events/topics.ts: 3 copies, min ISR 2 from three nodes up) and few partitions so it is up in
 * seconds, a short broker session so it comes back quickly after a kill, no rebalance delay so consumer groups form at once, and no auto-created topics
 * so a typo in a topic name fails instead of silently creating a topic with default settings.
 */
export function serverProperties(ports: KafkaPorts, logDir: string, place?: KafkaClusterPlace): string {
  const { factor: replicas, minInsync: minIsr } = replicationFor(place?.size ?? 1);
  const settings: Record<string, string | number> = {
    "process.roles": "broker,controller",
    "node.id": place?.nodeId ?? 1,
    "controller.quorum.voters": place?.voters ?? `1@127.0.0.1:${ports.controller}`,
    listeners: `PLAINTEXT://127.0.0.1:${ports.broker},CONTROLLER://127.0.0.1:${ports.controller}`,
    "advertised.listeners": `PLAINTEXT://127.0.0.1:${ports.broker}`,
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "log.dirs": logDir,
    "num.partitions": 1,
    "auto.create.topics.enable": "false",
    "offsets.topic.replication.factor": replicas,
    "offsets.topic.num.partitions": 6,
    "transaction.state.log.replication.factor": replicas,
    "transaction.state.log.min.isr": minIsr,
    "transaction.state.log.num.partitions": 6,
    "min.insync.replicas": minIsr,
    "group.initial.rebalance.delay.ms": 0,
    // After a kill() the controller keeps the dead broker's registration until its session
    // expires, and refuses the restarted broker until then (DUPLICATE_BROKER_REGISTRATION):
    // 2.5 s instead of 9 s keeps kill-and-restart fault tests quick; heartbeats every 0.5 s
    // keep a busy but live broker well inside it.
    "broker.session.timeout.ms": 2_500,
    "broker.heartbeat.interval.ms": 500,
  };
  return Object.entries(settings)
    .map(([k, v]) => `${k}=${v}\n`)
    .join("");
}

/** log4j 1.x (reload4j) config sending everything to `logFile`: the broker is chatty and the terminal is the test runner's. */
export function log4jProperties(logFile: string): string {
  return [
    "log4j.rootLogger=INFO, file",
    "log4j.appender.file=org.apache.log4j.FileAppender",
    `log4j.appender.file.File=${logFile}`,
    "log4j.appender.file.layout=org.apache.log4j.PatternLayout",
    "log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n",
    // Per-request and per-partition state logs would dwarf everything else under load.
    "log4j.logger.kafka.request.logger=WARN",
    "log4j.logger.state.change.logger=WARN",
    "",
  ].join("\n");
}

/**
 * A cluster id as `kafka-storage random-uuid` prints it (16 random bytes, URL-safe base64,
 * no padding), made here to save a JVM start. Kafka redraws ids starting with "-" because
 * they read as a command-line flag; so do we.
 */
export function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}
