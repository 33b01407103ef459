import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { freePorts } from "./free-ports.ts";
import { type KafkaClusterPlace, type KafkaPorts, log4jProperties, randomClusterId, serverProperties } from "./kafka-config.ts";
import { ensureKafkaLibs } from "./kafka-libs.ts";
import { clusterHasBrokers, kafkaAnswers } from "./kafka-probe.ts";
import type { KafkaClusterService, KafkaNode, KafkaService } from "./kafka-service.ts";
import { requireTool } from "./require-tool.ts";
import { startService } from "./service-process.ts";

export interface ApacheKafkaOptions {
  dataDir: string;
  /** Where the jars are cached; defaults to `.services/kafka-libs/` in the repo. */
  libsDir?: string;
}

/**
 * A one-node Apache Kafka 3.9 in KRaft mode, from Maven Central jars, on free ports of
 * 127.0.0.1. `dataDir` gets server.properties, log4j.properties, the broker's server.log
 * and its log segments (data/); restart() reuses all of them, so records survive it.
 */
export async function startApacheKafka(opts: ApacheKafkaOptions): Promise<KafkaService> {
  const [node] = await startNodes(opts, 1, "512m");
  return { engine: "apache-kafka", brokers: node!.address, stop: node!.stop, kill: node!.kill, restart: node!.restart };
}

/**
 * `size` Apache Kafka nodes forming one KRaft cluster (each a broker and a controller
 * voter, so a majority of nodes must be up), each in `<dataDir>/node-<id>/`. Resolves
 * once every broker is registered; nodes are killed and restarted one by one.
 */
export async function startApacheKafkaCluster(opts: ApacheKafkaOptions, size: number): Promise<KafkaClusterService> {
  // Three JVMs beside the gateway and workers on a small box: less heap each than a lone broker.
  const nodes = await startNodes(opts, size, "384m");
  const brokers = nodes.map((n) => n.address).join(",");
  const stop = async () => void (await Promise.all(nodes.map((n) => n.stop())));
  try {
    const deadline = Date.now() + 60_000;
    // Every node must know them all: each broker's metadata cache fills on its own, and a client
    // creating topics (replication from the brokers registered) may ask any of them.
    const everyNodeSeesAll = async () =>
      (await Promise.all(nodes.map((n) => clusterHasBrokers(n.address, size).catch(() => false)))).every(Boolean);
    while (!(await everyNodeSeesAll())) {
      if (Date.now() > deadline) throw new Error(`Kafka cluster at ${brokers} did not register ${size} brokers within 60 s`);
      await Bun.sleep(200);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { engine: "apache-kafka", brokers, nodes, stop };
}

async function startNodes(opts: ApacheKafkaOptions, size: number, heap: string): Promise<KafkaNode[]> {
  const java = requireTool("java", "the local Kafka broker (no redpanda binary on PATH)");
  const libsDir = await ensureKafkaLibs(opts.libsDir);
  const free = await freePorts(2 * size);
  const ports: KafkaPorts[] = Array.from({ length: size }, (_, i) => ({ broker: free[2 * i]!, controller: free[2 * i + 1]! }));
  const voters = ports.map((p, i) => `${i + 1}@127.0.0.1:${p.controller}`).join(",");
  const clusterId = randomClusterId();
  const started = await Promise.allSettled(
    ports.map((p, i) => {
      const place: KafkaClusterPlace | undefined = size === 1 ? undefined : { nodeId: i + 1, voters, size };
      return startNode({
        java,
        libsDir,
        heap,
        clusterId,
        ports: p,
        place,
        dataDir: size === 1 ? opts.dataDir : join(opts.dataDir, `node-${i + 1}`),
      });
    }),
  );
  const nodes = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw failed.reason;
  }
  return nodes;
}

interface NodeSpec {
  java: string;
  libsDir: string;
  heap: string;
  clusterId: string;
  ports: KafkaPorts;
  place: KafkaClusterPlace | undefined;
  dataDir: string;
}

async function startNode(n: NodeSpec): Promise<KafkaNode> {
  const logDir = join(n.dataDir, "data");
  const configFile = join(n.dataDir, "server.properties");
  const log4jFile = join(n.dataDir, "log4j.properties");
  const logFile = join(n.dataDir, "server.log");
  await mkdir(logDir, { recursive: true });
  await Bun.write(configFile, serverProperties(n.ports, logDir, n.place));
  await Bun.write(log4jFile, log4jProperties(logFile));

  const jvmArgs = ["-Djava.awt.headless=true", `-Dlog4j.configuration=file:${log4jFile}`, "-cp", join(n.libsDir, "*")];
  // Formatting writes meta.properties; a data dir that has it already belongs to a cluster.
  if (!existsSync(join(logDir, "meta.properties"))) {
    await formatStorage([n.java, ...jvmArgs, "kafka.tools.StorageTool", "format", "-t", n.clusterId, "-c", configFile]);
  }

  const address = `127.0.0.1:${n.ports.broker}`;
  const control = await startService({
    name: n.place ? `Apache Kafka node ${n.place.nodeId}` : "Apache Kafka",
    // The JVM default heap (1/4 of RAM) is far more than tests and benchmarks on a small box need.
    cmd: [n.java, `-Xmx${n.heap}`, `-Xms${n.heap}`, ...jvmArgs, "kafka.Kafka", configFile],
    ready: () => kafkaAnswers(address),
    // Generous: three JVMs starting at once on a busy 2-core box take a while.
    readyTimeoutMs: 180_000,
    logFile,
  });
  return { nodeId: n.place?.nodeId ?? 1, address, ...control };
}

async function formatStorage(cmd: string[]): Promise<void> {
  const run = Bun.spawn(cmd, { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(run.stdout).text(), new Response(run.stderr).text(), run.exited]);
  if (code !== 0) throw new Error(`formatting Kafka storage failed (exit ${code}): ${cmd.join(" ")}\n${out}${err}`);
}
