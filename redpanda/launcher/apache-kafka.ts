import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { freePorts } from "./free-ports.ts";
import { log4jProperties, randomClusterId, serverProperties } from "./kafka-config.ts";
import { ensureKafkaLibs } from "./kafka-libs.ts";
import { kafkaAnswers } from "./kafka-probe.ts";
import type { KafkaService } from "./kafka-service.ts";
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
  const java = requireTool("java", "the local Kafka broker (no redpanda binary on PATH)");
  const libsDir = await ensureKafkaLibs(opts.libsDir);
  const [broker, controller] = await freePorts(2);
  if (broker === undefined || controller === undefined) throw new Error("no free ports for Kafka");

  const logDir = join(opts.dataDir, "data");
  const configFile = join(opts.dataDir, "server.properties");
  const log4jFile = join(opts.dataDir, "log4j.properties");
  const logFile = join(opts.dataDir, "server.log");
  await mkdir(logDir, { recursive: true });
  await Bun.write(configFile, serverProperties({ broker, controller }, logDir));
  await Bun.write(log4jFile, log4jProperties(logFile));

  const jvmArgs = ["-Djava.awt.headless=true", `-Dlog4j.configuration=file:${log4jFile}`, "-cp", join(libsDir, "*")];
  // Formatting writes meta.properties; a data dir that has it already belongs to a cluster.
  if (!existsSync(join(logDir, "meta.properties"))) {
    await formatStorage([java, ...jvmArgs, "kafka.tools.StorageTool", "format", "-t", randomClusterId(), "-c", configFile]);
  }

  const brokers = `127.0.0.1:${broker}`;
  const control = await startService({
    name: "Apache Kafka",
    // 512 MB is plenty for tests and benchmarks on a small box; the JVM default (1/4 of RAM) is not.
    cmd: [java, "-Xmx512m", "-Xms512m", ...jvmArgs, "kafka.Kafka", configFile],
    ready: () => kafkaAnswers(brokers),
    readyTimeoutMs: 60_000,
    logFile,
  });
  return { engine: "apache-kafka", brokers, ...control };
}

async function formatStorage(cmd: string[]): Promise<void> {
  const run = Bun.spawn(cmd, { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(run.stdout).text(), new Response(run.stderr).text(), run.exited]);
  if (code !== 0) throw new Error(`formatting Kafka storage failed (exit ${code}): ${cmd.join(" ")}\n${out}${err}`);
}
