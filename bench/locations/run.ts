/**
 * `bun run bench:locations` (issue "Driver location pipeline", item 5): the location
 * ingest path against the targets in docs/architecture.md, with its ceilings measured in the same run by the same
 * load generator. Options: see settings.ts (USAGE); `--quick` is a short smoke run.
 * Starts Kafka and Redis unless KAFKA_BROKERS / REDIS_URL are set; stops everything it
 * started, and prints the figures as Markdown for BENCHMARKS.md.
 */

import { TOPIC_CATALOGUE, type TopicSpec } from "../../shared/events/topics.ts";
import { openEventLog } from "../../shared/infra/open-event-log.ts";
import { printBenchReport, startBenchRun } from "../bench-run.ts";
import { measureCeilings } from "./measure-ceilings.ts";
import { measurePipeline } from "./measure-pipeline.ts";
import { formatReport } from "./report.ts";
import { startBenchServices } from "./services.ts";
import { parseSettings } from "./settings.ts";

/** Ceiling (d) writes here rather than into driver.locations, whose consumers would then have to chew through it. */
const PERF_TOPIC: TopicSpec = {
  name: "bench.producer-perf",
  partitions: 12,
  retentionMs: 3_600_000,
  cleanupPolicy: "delete",
  keyField: "-",
  description: "ProducerPerformance scratch topic",
};

export async function runBenchmark(argv: string[]): Promise<string> {
  const settings = parseSettings(argv);
  const run = await startBenchRun("locations");
  const { progress, machine, dataDir, cleanups } = run;
  try {
    progress("starting services");
    const services = await startBenchServices(dataDir);
    cleanups.push(services.stop);
    const log = await openEventLog({ KAFKA_BROKERS: [services.brokers], DATA_DIR: dataDir, clientId: "bench-locations" });
    cleanups.push(() => log.close());
    await log.admin().ensureTopics([...TOPIC_CATALOGUE, PERF_TOPIC]);
    const servicePids = { kafka: services.pids.kafka, redis: services.pids.redis };

    const ceilings = await measureCeilings(
      { settings, brokers: services.brokers, redisUrl: services.redisUrl, perfTopic: PERF_TOPIC.name, dataDir, servicePids },
      progress,
    );
    const pipeline = await measurePipeline(
      {
        settings,
        brokers: services.brokers,
        redisUrl: services.redisUrl,
        dataDir,
        admin: log.admin(),
        servicePids,
        runId: Date.now().toString(36),
      },
      progress,
    );
    progress("done");
    return formatReport({
      command: `bun run bench:locations${argv.length ? ` ${argv.join(" ")}` : ""}`,
      settings,
      machine,
      services: services.describe,
      ceilings,
      pipeline,
    });
  } finally {
    await run.finish();
  }
}

if (import.meta.main) await printBenchReport(runBenchmark);
