import { join, resolve } from "node:path";
import { freePorts } from "../../redpanda/launcher/free-ports.ts";
import { DRIVER_LOCATION_REPORTED } from "../../shared/events/driver.ts";
import { createEnvelope } from "../../shared/events/envelope.ts";
import { measureIndexUpsert } from "../ceilings/index-upsert.ts";
import { type ProducerPerfResult, runProducerPerformance } from "../ceilings/producer-perf.ts";
import type { RateResult } from "../ceilings/rate-loop.ts";
import { measureGeoadd } from "../ceilings/redis-geoadd.ts";
import { answersOk, spawnChild } from "./child-process.ts";
import { type CpuShare, startCpuWindow, watchPeakRss } from "./cpu-meter.ts";
import { createFleet } from "./driver-paths.ts";
import type { LoadPlan, LoadResult } from "./load-plan.ts";
import { runLoadProcess } from "./load-process.ts";
import type { BenchSettings } from "./settings.ts";

const CEILINGS = resolve(import.meta.dir, "../ceilings");
/** Members per GEOADD and drivers per upsert script: what measured fastest here and what the worker's batches give. */
const GEO_BATCH = 500;

export interface HttpRun {
  name: string;
  load: LoadResult;
  cpu: CpuShare;
  /** Peak resident set of the server during the run, bytes. */
  peakRssBytes: number;
}

export interface CeilingResults {
  http: HttpRun[];
  geoadd: RateResult;
  indexUpsert: RateResult;
  producer: ProducerPerfResult[];
}

export interface CeilingContext {
  settings: BenchSettings;
  brokers: string;
  redisUrl: string;
  perfTopic: string;
  dataDir: string;
  servicePids: Record<string, number | undefined>;
}

/** Ceilings (a)–(d) on this machine, now, with the pipeline's load generator and shapes. */
export async function measureCeilings(ctx: CeilingContext, progress: (msg: string) => void): Promise<CeilingResults> {
  const http: HttpRun[] = [];
  for (const [name, entry] of [
    ["bare Bun.serve", "bare-server.ts"],
    ["Hono + valibot echo", "hono-echo-server.ts"],
  ] as const) {
    for (const fixes of shapes(ctx.settings)) {
      progress(`ceiling: ${name}, ${fixes} fix(es)/request`);
      http.push(await httpCeiling(ctx, name, join(CEILINGS, entry), fixes));
    }
  }
  const s = ctx.settings;
  const fleet = createFleet({ drivers: s.drivers, idPrefix: "ceiling-", seed: 7 });
  progress("ceiling: Redis GEOADD");
  const members = Array.from({ length: s.drivers }, (_, i) => ({ id: fleet.driverId(i), ...fleet.next(i, 1)[0]! }));
  const geoadd = await measureGeoadd({ url: ctx.redisUrl, members, perCommand: GEO_BATCH, seconds: s.ceilingS });
  progress("ceiling: GeoIndex upsert script");
  const indexUpsert = await measureIndexUpsert({
    url: ctx.redisUrl,
    drivers: s.drivers,
    driverId: fleet.driverId,
    nextFix: (i) => {
      const f = fleet.next(i, 1)[0]!;
      return { lat: f.lat, lng: f.lng, recordedAt: Date.parse(f.recordedAt) };
    },
    perCall: GEO_BATCH,
    seconds: s.ceilingS,
  });
  const producer: ProducerPerfResult[] = [];
  for (const recordBytes of [200, envelopeBytes(s.fixesPerRequest)]) {
    progress(`ceiling: Kafka ProducerPerformance, ${recordBytes} B records`);
    const records = Math.round(s.producerPerfBytes / recordBytes);
    producer.push(await runProducerPerformance({ brokers: ctx.brokers, topic: ctx.perfTopic, records, recordBytes, timeoutMs: 180_000 }));
  }
  return { http, geoadd, indexUpsert, producer };
}

/** Single-fix requests (what the ≥ 60 % target compares) and the batched shape. */
function shapes(s: BenchSettings): number[] {
  return s.fixesPerRequest === 1 ? [1] : [1, s.fixesPerRequest];
}

async function httpCeiling(ctx: CeilingContext, name: string, entry: string, fixesPerRequest: number): Promise<HttpRun> {
  const [port] = await freePorts(1);
  const server = spawnChild(name, [process.execPath, entry], {
    env: { ...process.env, PORT: String(port) },
    logFile: join(ctx.dataDir, `${name.replace(/\W+/g, "-")}.log`),
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await server.waitReady(() => answersOk(`${url}/healthz`), 30_000);
    const plan: LoadPlan = {
      baseUrl: url,
      drivers: ctx.settings.drivers,
      driverIdPrefix: "ceiling-",
      fixesPerRequest,
      connections: ctx.settings.connections,
      warmupS: ctx.settings.ceilingWarmupS,
      measureS: ctx.settings.ceilingS,
      seed: 11,
    };
    let endCpu: (() => CpuShare) | undefined;
    let cpu: CpuShare | undefined;
    const rss = watchPeakRss({ server: server.pid });
    const load = await runLoadProcess(plan, {
      onMeasuring: (loadPid) => void (endCpu = startCpuWindow({ server: server.pid, "load generator": loadPid, ...ctx.servicePids })),
      onMeasured: () => void (cpu = endCpu?.()),
    });
    return { name, load, cpu: cpu!, peakRssBytes: rss.stop().server ?? NaN };
  } finally {
    await server.stop();
  }
}

/** Size of one `driver.location.reported` record value as the gateway publishes it, for the producer perf run at the pipeline's own record size. */
function envelopeBytes(fixesPerRequest: number): number {
  const fleet = createFleet({ drivers: 1, idPrefix: "drv-", seed: 3 });
  const driverId = fleet.driverId(0);
  const envelope = createEnvelope({
    type: DRIVER_LOCATION_REPORTED,
    key: driverId,
    data: { driverId, fixes: fleet.next(0, fixesPerRequest) },
    source: "gateway",
    correlationId: crypto.randomUUID(),
  });
  return Buffer.byteLength(JSON.stringify(envelope));
}
