/**
 * `bun run bench:stream` (issue 11, item 5): N riders following N trips over SSE on one
 * gateway while the N assigned drivers post a fix every 2 s: fix → `location` event at
 * the client p50/p99, gateway CPU and RSS per stream, then a reconnect storm (every
 * client drops and reconnects with Last-Event-ID at once: gap, duplicate, time to
 * recover). Each level runs against the gateway and, in the same run, against a bare
 * Bun SSE server holding as many streams (the ceiling). Starts Kafka and Redis unless
 * KAFKA_BROKERS / REDIS_URL are set; stops all it started; prints Markdown for BENCHMARKS.md.
 * Flags: --streams 5000,10000 (levels, stops early once p99 passes 4× the target),
 * --storm 5000 (the levels that end with the storm), --warmup 5, --seconds 20.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { freePorts } from "../../redpanda/launcher/free-ports.ts";
import { startBenchRun } from "../bench-run.ts";
import { startBookingSystem } from "../bookings/system.ts";
import { answersOk, spawnChild } from "../locations/child-process.ts";
import { startCpuWindow, watchPeakRss } from "../locations/cpu-meter.ts";
import { rssBytes } from "../locations/process-stats.ts";
import { startBenchServices } from "../locations/services.ts";
import type { BenchTrip, StreamLoadPlan, StreamLoadResult } from "./plan.ts";
import { formatStreamReport, type LevelRun } from "./report.ts";
import { seedTrips } from "./seed-trips.ts";

const PERIOD_MS = 2_000;
export const TARGET_P99_MS = 250;

const { values: flags } = parseArgs({
  args: process.argv.slice(2),
  options: {
    streams: { type: "string", default: "5000,10000" },
    storm: { type: "string", default: "5000" },
    warmup: { type: "string", default: "5" },
    seconds: { type: "string", default: "20" },
  },
});
const levels = flags.streams.split(",").map(Number);
const stormAt = new Set(flags.storm.split(",").map(Number));
const run = await startBenchRun("stream");
const { progress, machine, dataDir, cleanups } = run;

/** Runs the load process over a plan, telling `onPhase` each phase it reports; resolves with its result. */
async function runLoad(plan: StreamLoadPlan, onPhase: (phase: string, loadPid: number) => void): Promise<StreamLoadResult> {
  const file = join(dataDir, `plan-${Date.now()}.json`);
  await writeFile(file, JSON.stringify(plan));
  // Bun's fetch runs at most 256 requests at once unless told otherwise: every stream is one.
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, "load.ts"), file], {
    env: { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: String(plan.trips.length * 2 + 1_000) },
    stdout: "pipe",
    stderr: "inherit",
  });
  let result: StreamLoadResult | undefined;
  let buffered = "";
  for await (const chunk of proc.stdout as ReadableStream<Uint8Array>) {
    buffered += new TextDecoder().decode(chunk);
    for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
      const line = JSON.parse(buffered.slice(0, nl)) as { phase: string; result?: StreamLoadResult };
      buffered = buffered.slice(nl + 1);
      onPhase(line.phase, proc.pid);
      if (line.result) result = line.result;
    }
  }
  await proc.exited;
  if (!result) throw new Error(`load process exited ${proc.exitCode} without a result`);
  return result;
}

/** One level: the load against `url`, CPU and RSS of `pids` over the measured window. */
async function measure(plan: StreamLoadPlan, pids: Record<string, number | undefined>, server: number): Promise<LevelRun> {
  const baselineRss = rssBytes(server) ?? 0;
  const peak = watchPeakRss({ server });
  let stopCpu: (() => ReturnType<ReturnType<typeof startCpuWindow>>) | undefined;
  let cpu: ReturnType<ReturnType<typeof startCpuWindow>> | undefined;
  const load = await runLoad(plan, (phase, loadPid) => {
    if (phase === "measuring") stopCpu = startCpuWindow({ ...pids, load: loadPid });
    if (phase === "measured") cpu = stopCpu?.();
    if (phase !== "done") progress(`${plan.mode} × ${plan.trips.length}: ${phase}`);
  });
  return { streams: plan.trips.length, mode: plan.mode, load, cpu: cpu!, baselineRss, peakRss: peak.stop().server ?? 0 };
}

try {
  progress("starting Kafka and Redis");
  const services = await startBenchServices(dataDir);
  cleanups.push(services.stop);
  const runId = Date.now().toString(36);
  const historyUrl = `file:${join(dataDir, "history.db")}`;
  const trips = await seedTrips(
    dataDir,
    historyUrl,
    levels.reduce((a, b) => a + b, 0),
    runId,
  );
  progress(`seeded ${trips.length} accepted bookings; starting workers and gateway`);
  const system = await startBookingSystem({ brokers: services.brokers, redisUrl: services.redisUrl, dataDir });
  cleanups.push(() => system.stop());
  const runs: LevelRun[] = [];
  let next = 0;
  for (const n of levels) {
    const mine: BenchTrip[] = trips.slice(next, (next += n));
    const base = { trips: mine, periodMs: PERIOD_MS, warmupS: Number(flags.warmup), measureS: Number(flags.seconds) };
    const [port] = await freePorts(1);
    const ceiling = spawnChild("sse-ceiling", [process.execPath, join(import.meta.dir, "sse-ceiling.ts")], {
      env: { ...process.env, PORT: String(port), PERIOD_MS: String(PERIOD_MS) },
      logFile: join(dataDir, "sse-ceiling.log"),
    });
    await ceiling.waitReady(() => answersOk(`http://127.0.0.1:${port}/healthz`), 30_000);
    runs.push(
      await measure({ ...base, url: `http://127.0.0.1:${port}`, mode: "ceiling", storm: false }, { server: ceiling.pid }, ceiling.pid),
    );
    await ceiling.stop();
    const plan: StreamLoadPlan = { ...base, url: system.url, mode: "trips", storm: stormAt.has(n), redisUrl: services.redisUrl };
    const pids = { server: system.gateway.pid, workers: system.workers.pid, kafka: services.pids.kafka, redis: services.pids.redis };
    const run = await measure(plan, pids, system.gateway.pid);
    runs.push(run);
    const p99 = [...run.load.latencies].sort((a, b) => a - b)[Math.floor(run.load.latencies.length * 0.99)] ?? Infinity;
    if (p99 > 4 * TARGET_P99_MS || run.load.streamsFailed > n / 100) {
      progress(`bent at ${n} streams (p99 ${p99.toFixed(0)} ms, ${run.load.streamsFailed} streams failed): no higher level`);
      break;
    }
  }
  console.log(
    formatStreamReport({
      command: `bun run bench:stream ${process.argv.slice(2).join(" ")}`.trim(),
      machine,
      services: services.describe,
      runs,
      periodMs: PERIOD_MS,
      targetP99Ms: TARGET_P99_MS,
      flags,
    }),
  );
} finally {
  await run.finish();
}
