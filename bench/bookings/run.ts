import { join } from "node:path";
import { freePorts } from "../../redpanda/launcher/free-ports.ts";
import { TOPIC_CATALOGUE, type TopicSpec } from "../../shared/events/topics.ts";
import { openEventLog } from "../../shared/infra/open-event-log.ts";
import { printBenchReport, startBenchRun } from "../bench-run.ts";
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
  const run = await startBenchRun("bookings", "cores shared by every process (brokers, Redis, gateway, workers, load client)");
  const { progress, machine, dataDir, cleanups } = run;
  const runId = Date.now().toString(36);
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
    await run.finish();
  }
}

if (import.meta.main) await printBenchReport(runBenchmark);
