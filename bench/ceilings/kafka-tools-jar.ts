import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { requireTool } from "../../redpanda/launcher/require-tool.ts";

/** Git-ignored like the broker's jars beside it (.services/kafka-libs). */
const TOOLS_DIR = resolve(import.meta.dir, "../../.services/kafka-tools");

/**
 * The `org.apache.kafka:kafka-tools` jar matching the broker's jars. ProducerPerformance
 * lives there since Kafka 3.5, and the launcher's pom (kafka_2.13 + slf4j) does not pull
 * it in; its other dependencies (kafka-clients, server-common, argparse4j) are already in
 * the broker's jar set, so one jar fetched with Maven completes the classpath.
 */
export async function ensureKafkaToolsJar(kafkaLibsDir: string): Promise<string> {
  const version = readdirSync(kafkaLibsDir)
    .map((f) => f.match(/^kafka-clients-(.+)\.jar$/)?.[1])
    .find(Boolean);
  if (!version) throw new Error(`no kafka-clients jar in ${kafkaLibsDir}`);
  const jar = join(TOOLS_DIR, `kafka-tools-${version}.jar`);
  if (existsSync(jar)) return jar;
  const mvn = requireTool("mvn", "fetching Kafka's producer perf tool (kafka-tools) once");
  const cmd = [
    mvn,
    "-q",
    "-B",
    "-Dstyle.color=never",
    "dependency:copy",
    `-Dartifact=org.apache.kafka:kafka-tools:${version}`,
    `-DoutputDirectory=${TOOLS_DIR}`,
  ];
  const run = Bun.spawn(cmd, { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(run.stdout).text(), new Response(run.stderr).text(), run.exited]);
  if (code !== 0 || !existsSync(jar))
    throw new Error(`fetching kafka-tools failed (exit ${code}): ${cmd.join(" ")}\n${(out + err).slice(-4000)}`);
  return jar;
}
