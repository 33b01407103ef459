import { join } from "node:path";
import { ensureKafkaLibs } from "../../redpanda/launcher/kafka-libs.ts";
import { requireTool } from "../../redpanda/launcher/require-tool.ts";
import { ensureKafkaToolsJar } from "./kafka-tools-jar.ts";

export interface ProducerPerfResult {
  records: number;
  recordBytes: number;
  recordsPerSecond: number;
  mbPerSecond: number;
  avgLatencyMs: number;
  p50Ms: number;
  p99Ms: number;
}

/** ProducerPerformance's closing summary line. */
const SUMMARY =
  /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, [\d.]+ ms max latency, (\d+) ms 50th, \d+ ms 95th, (\d+) ms 99th/;

/**
 * Ceiling (d): the broker's own producer perf tool (the Java client, no kafkajs), as fast
 * as it goes (`--throughput -1`) with acks=all and otherwise default producer settings,
 * into `topic` (which must exist: auto-creation is off).
 */
export async function runProducerPerformance(opts: {
  brokers: string;
  topic: string;
  records: number;
  recordBytes: number;
  timeoutMs: number;
}): Promise<ProducerPerfResult> {
  const java = requireTool("java", "Kafka's producer perf tool");
  const libsDir = await ensureKafkaLibs();
  const toolsJar = await ensureKafkaToolsJar(libsDir);
  const cmd = [
    java,
    "-Xmx256m",
    "-Dlog4j.configuration=file:/dev/null",
    "-cp",
    `${join(libsDir, "*")}:${toolsJar}`,
    "org.apache.kafka.tools.ProducerPerformance",
    "--topic",
    opts.topic,
    "--num-records",
    String(opts.records),
    "--record-size",
    String(opts.recordBytes),
    "--throughput",
    "-1",
    "--producer-props",
    `bootstrap.servers=${opts.brokers}`,
    "acks=all",
  ];
  const run = Bun.spawn(cmd, { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const onExit = () => run.kill("SIGKILL");
  process.once("exit", onExit);
  const limit = setTimeout(() => run.kill("SIGKILL"), opts.timeoutMs);
  try {
    const [out, err, code] = await Promise.all([new Response(run.stdout).text(), new Response(run.stderr).text(), run.exited]);
    const m = out.match(SUMMARY);
    if (code !== 0 || !m)
      throw new Error(`ProducerPerformance failed (${run.signalCode ?? `exit ${code}`}): ${cmd.join(" ")}\n${(out + err).slice(-4000)}`);
    return {
      records: Number(m[1]),
      recordBytes: opts.recordBytes,
      recordsPerSecond: Number(m[2]),
      mbPerSecond: Number(m[3]),
      avgLatencyMs: Number(m[4]),
      p50Ms: Number(m[5]),
      p99Ms: Number(m[6]),
    };
  } finally {
    clearTimeout(limit);
    process.off("exit", onExit);
  }
}
