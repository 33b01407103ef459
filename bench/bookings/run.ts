/**
 * `bun run bench:bookings` (issue "Bookings", item 7): POST /v1/bookings latency, booking →
 * first offer wave, and the 50-truck order against the targets in docs/architecture.md, with the ceilings (a Hono +
 * valibot echo of the route, Kafka's own producer perf) measured in the same run by the
 * same load client. Options: settings.ts (USAGE); `--quick` is a short smoke run. Starts
 * Kafka and Redis unless KAFKA_BROKERS / REDIS_URL are set, stops everything it started,
 * and prints the figures as Markdown for BENCHMARKS.md.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { freePorts } from "../../redpanda/launcher/free-ports.ts";
import { TOPIC_CATALOGUE, type TopicSpec } from "../../shared/events/topics.ts";
import { openEventLog } from "../../shared/infra/open-event-log.ts";
import { runProducerPerformance } from "../ceilings/producer-perf.ts";
import { answersOk, spawnChild } from "../locations/child-process.ts";
import { startBenchServices } from "../locations/services.ts";
import { type BacklogFigures, measureBacklogDrain } from "./backlog.ts";
import { seedFleet } from "./drivers.ts";
import type { BookingLoadPlan } from "./load-plan.ts";
import { bookingWorkerActivity, measureLoad, offerFigures } from "./measure.ts";
import { watchOffers } from "./offer-watch.ts";
import { measureOrders } from "./orders.ts";
import { bookingRecordBytes, type Figures, formatReport } from "./report.ts";
import { parseSettings } from "./settings.ts";
import { startBookingSystem, WORKER_NAMES } from "./system.ts";

/** ProducerPerformance writes here, not into `bookings`, whose workers would then chew through it. */
const PERF_TOPIC: TopicSpec = {
  name: "bench.producer-perf",
  partitions: 12,
  retentionMs: 3_600_000,
  cleanupPolicy: "delete",
  keyField: "-",
  description: "ProducerPerformance scratch topic",
};
/** Open loop: requests in flight before the schedule waits. Far above what 200/s at ms latencies needs; bounds a stalled server. */
const MAX_IN_FLIGHT = 1_000;

export async function runBenchmark(argv: string[]): Promise<string> {
  const s = parseSettings(argv);
  const started = performance.now();
  const progress = (msg: string) => console.error(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}`);
  const machine = `${cpus().length} cores shared by every process (brokers, Redis, gateway, workers, load client), ${Math.round(totalmem() / 2 ** 30)} GB RAM, Bun ${Bun.version}, load average before the run ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" / ")}`;
  progress(machine);
  const runId = Date.now().toString(36);

  const dataDir = await mkdtemp(join(tmpdir(), "fleetstream-bench-bookings-"));
  const cleanups: (() => Promise<unknown>)[] = [async () => rm(dataDir, { recursive: true, force: true })];
  const cleanup = async () => {
    while (cleanups.length > 0) await cleanups.pop()!().catch((err: unknown) => console.error("[bench] cleanup:", err));
  };
  const onSignal = () => void cleanup().finally(() => process.exit(130));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    progress("starting Kafka and Redis");
    const services = await startBenchServices(dataDir);
    cleanups.push(services.stop);
    const log = await openEventLog({ KAFKA_BROKERS: [services.brokers], DATA_DIR: dataDir, clientId: "bench-bookings" });
    cleanups.push(() => log.close());
    await log.admin().ensureTopics([...TOPIC_CATALOGUE, PERF_TOPIC]);
    const servicePids = { kafka: services.pids.kafka, redis: services.pids.redis };
    const plan = (label: string, baseUrl: string, mode: BookingLoadPlan["mode"], rate = s.rate): BookingLoadPlan => ({
      baseUrl,
      label: `${runId}-${label}`,
      mode,
      rate,
      connections: s.connections,
      warmupS: s.warmupS,
      seconds: mode === "open" ? s.openS : s.closedS,
      seed: label.length * 7919,
      maxInFlight: MAX_IN_FLIGHT,
    });

    // Ceilings first, on a quiet machine: nothing of the system under test is running yet.
    const [echoPort] = await freePorts(1);
    const echo = spawnChild("echo", [process.execPath, join(import.meta.dir, "echo-server.ts")], {
      env: { ...process.env, PORT: String(echoPort) },
      logFile: join(dataDir, "echo.log"),
    });
    cleanups.push(() => echo.stop());
    const echoUrl = `http://127.0.0.1:${echoPort}`;
    await echo.waitReady(() => answersOk(`${echoUrl}/healthz`), 30_000);
    progress(`ceiling: Hono + valibot echo, open loop ${s.rate}/s`);
    const echoOpen = await measureLoad(plan("echo-open", echoUrl, "open"), { server: echo.pid }, { server: echo.pid });
    progress(`ceiling: Hono + valibot echo, closed loop ${s.connections} connections`);
    const echoClosed = await measureLoad(plan("echo-closed", echoUrl, "closed"), { server: echo.pid }, { server: echo.pid });
    await echo.stop();
    const recordBytes = bookingRecordBytes();
    progress(`ceiling: Kafka ProducerPerformance, ${s.producerRecords} × ${recordBytes} B`);
    const producer = await runProducerPerformance({
      brokers: services.brokers,
      topic: PERF_TOPIC.name,
      records: s.producerRecords,
      recordBytes,
      timeoutMs: 180_000,
    });

    progress(`starting workers (${WORKER_NAMES.join(" ")}) and gateway`);
    const system = await startBookingSystem({ brokers: services.brokers, redisUrl: services.redisUrl, dataDir, offerTtlS: s.offerTtlS });
    cleanups.push(() => system.stop());
    const watch = await watchOffers(services.brokers, runId);
    cleanups.push(() => watch.stop());
    progress(`seeding ${s.drivers} available drivers through the API`);
    const fleet = await seedFleet({ baseUrl: system.url, redisUrl: services.redisUrl, runId, size: s.drivers });
    const refresh = fleet.startRefresh();
    cleanups.push(() => refresh.stop());
    const pids = { gateway: system.gateway.pid, workers: system.workers.pid, ...servicePids };
    const rssOf = { gateway: system.gateway.pid, workers: system.workers.pid };

    // Orders first, on a quiet system: later runs leave thousands of 15 s wave timers firing behind them.
    progress(`orders: ${s.orders} × ${s.trucksPerOrder} trucks`);
    const orders = await measureOrders({
      baseUrl: system.url,
      runId,
      orders: s.orders,
      trucks: s.trucksPerOrder,
      watch,
      waitMs: s.offerWaitS * 1000,
    });
    if (!orders.measured) progress(orders.reason);

    progress(`bookings: open loop ${s.lowRate}/s for ${s.openS} s (light load)`);
    const lowPhase = await bookingWorkerActivity(system.workersMetricsUrl, async () => {
      const run = await measureLoad(plan("low", system.url, "open", s.lowRate), pids, rssOf);
      return { run, offers: await offerFigures(run.load, watch, s.offerWaitS * 1000) };
    });
    const { run: low, offers: lowOffers } = lowPhase.value;

    progress(`bookings: open loop ${s.rate}/s for ${s.openS} s`);
    const openPhase = await bookingWorkerActivity(system.workersMetricsUrl, async () => {
      const run = await measureLoad(plan("open", system.url, "open"), pids, rssOf);
      return { run, offers: await offerFigures(run.load, watch, s.offerWaitS * 1000) };
    });
    const { run: open, offers: openOffers } = openPhase.value;

    // Last: it queues more bookings than the worker matches per second, and the backlog would spoil anything after it.
    progress(`bookings: closed loop ${s.connections} connections for ${s.closedS} s`);
    const closedPhase = await bookingWorkerActivity(system.workersMetricsUrl, async () => {
      const run = await measureLoad(plan("closed", system.url, "closed"), pids, rssOf);
      return { run, offers: await offerFigures(run.load, watch, s.offerWaitS * 1000) };
    });
    const { run: closed, offers: closedOffers } = closedPhase.value;

    // Last of all: a backlog the booking worker drains as fast as it can (2,000 available drivers, fresh fixes meanwhile).
    let backlog: BacklogFigures | undefined;
    if (s.backlog > 0) {
      progress(`backlog: ${s.backlog} bookings published with the workers stopped, then drained`);
      backlog = await measureBacklogDrain({
        count: s.backlog,
        runId,
        publisher: log.publisher(),
        watch,
        stopWorkers: () => system.stopWorkers(),
        startWorkers: () => system.startWorkers(),
        pids: servicePids,
        waitMs: 180_000,
      });
    }
    const refreshed = await refresh.stop();
    progress("done");
    const figures: Figures = {
      settings: s,
      machine,
      services: services.describe,
      fleetSeededS: fleet.seededS,
      refreshed,
      echoOpen,
      echoClosed,
      producer,
      low,
      lowOffers,
      lowWorker: lowPhase.activity,
      open,
      openOffers,
      openWorker: openPhase.activity,
      closed,
      closedOffers,
      closedWorker: closedPhase.activity,
      orders,
      backlog,
    };
    return formatReport(`bun run bench:bookings${argv.length ? ` ${argv.join(" ")}` : ""}`, figures);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await cleanup();
  }
}

if (import.meta.main) {
  try {
    console.log(await runBenchmark(process.argv.slice(2)));
  } catch (err) {
    console.error(`[bench] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  }
}
