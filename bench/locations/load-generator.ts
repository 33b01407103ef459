/**
 * The load generator, in its own process like a real client fleet:
 *   bun bench/locations/load-generator.ts '<LoadPlan as JSON>'
 * Closed loop over `connections` keep-alive connections (Bun's fetch pools them per
 * host), a warm-up then a measured window, each bounded in time; prints LoadEvents as
 * JSON lines. Every request is one driver's phone flushing its last few fixes.
 *
 * The measured requests go out through raw fetch, not the typed client: against a bare
 * server the client reaches about 64 % of raw fetch's request rate in one process
 * (bun bench/client-overhead.ts, BENCHMARKS.md), which would cap this benchmark below
 * the gateway. The shift start (PUT status) uses the client.
 */
import type { VehicleType } from "../../shared/events/driver.ts";
import type { GeoIndex } from "../../shared/geo/geo-index.ts";
import { createRedisGeoIndex } from "../../shared/geo/redis/redis-geo.ts";
import { jsonHeadersAs } from "../bench-auth.ts";
import { authAs, benchClient } from "../bench-client.ts";
import { closedLoop, type LoopResult, summarize } from "../closed-loop.ts";
import { openLoop } from "../open-loop.ts";
import { createFleet, type Fleet } from "./driver-paths.ts";
import type { LoadEvent, LoadPlan, LoadResult } from "./load-plan.ts";
import { createVisibilityProbe, type VisibilityProbe } from "./visibility-probe.ts";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);
/** A city's mix: mostly bikes and autos, then cars. */
const VEHICLE_MIX: readonly VehicleType[] = ["bike", "bike", "bike", "auto", "auto", "sedan", "sedan", "suv"];
const STATUS_APPLIED_TIMEOUT_MS = 60_000;
/** Open loop: uploads awaiting an answer before the schedule stalls (a phone fleet this size has at most this many in flight). */
const OPEN_LOOP_MAX_IN_FLIGHT = 2_000;

export async function runLoad(plan: LoadPlan, emit: (e: LoadEvent) => void): Promise<LoadResult> {
  if (!LOOPBACK.has(new URL(plan.baseUrl).hostname)) throw new Error(`load generator only targets loopback, not ${plan.baseUrl}`);
  const fleet = createFleet({ drivers: plan.drivers, idPrefix: plan.driverIdPrefix, seed: plan.seed });
  const redisUrl = plan.visibility?.redisUrl ?? plan.setAvailable?.redisUrl;
  const geo = redisUrl ? await createRedisGeoIndex({ url: redisUrl }) : undefined;
  try {
    const statusSetupS = plan.setAvailable && geo ? await setAllAvailable(plan, fleet, geo) : undefined;
    const sender = createSender(plan, fleet);
    const drive = (seconds: number) =>
      plan.rate === undefined
        ? closedLoop({ concurrency: plan.connections, seconds, request: () => sender.send() })
        : openLoopResult(plan.rate, seconds, sender.send, (n) => sender.notSent(n));
    await drive(plan.warmupS);

    const probe = plan.visibility && geo ? createVisibilityProbe(geo, plan.visibility.timeoutMs) : undefined;
    sender.startWindow(probe, plan.visibility?.sampleEvery ?? 0);
    emit({ event: "measuring" });
    const http = await drive(plan.measureS);
    emit({ event: "measured" });
    const window = sender.window();
    return {
      http,
      accepted: window.accepted,
      fixesPerRequest: plan.fixesPerRequest,
      failures: window.failures,
      bodyBytes: window.bodyBytes / Math.max(1, window.sent),
      visibility: await probe?.settle(),
      statusSetupS,
    };
  } finally {
    await geo?.close();
  }
}

interface WindowCounts {
  sent: number;
  accepted: number;
  bodyBytes: number;
  failures: Record<string, number>;
}

/**
 * Sends driver after driver round robin, skipping a driver whose previous request is
 * still in flight: a phone never overlaps its own uploads, so each driver's fixes reach
 * the gateway in device-time order. Counts only from startWindow() on.
 */
function createSender(plan: LoadPlan, fleet: Fleet) {
  const url = (i: number) => `${plan.baseUrl}/v1/drivers/${fleet.driverId(i)}/locations`;
  const busy = new Uint8Array(fleet.size);
  let cursor = 0;
  let counts: WindowCounts = { sent: 0, accepted: 0, bodyBytes: 0, failures: {} };
  let probe: VisibilityProbe | undefined;
  let sampleEvery = 0;

  const nextDriver = () => {
    for (;;) {
      const i = cursor;
      cursor = (cursor + 1) % fleet.size;
      if (!busy[i]) return i;
    }
  };

  /** One driver's upload; `due` (open loop) is when it was scheduled, which its latency counts from. */
  const send = async (due?: number): Promise<number> => {
    const i = nextDriver();
    busy[i] = 1;
    const fixes = fleet.next(i, plan.fixesPerRequest);
    const body = JSON.stringify({ fixes });
    const mine = counts;
    const n = mine.sent++;
    mine.bodyBytes += body.length;
    const sentAt = performance.now();
    const from = due ?? sentAt;
    try {
      const res = await fetch(url(i), { method: "POST", headers: jsonHeadersAs("driver", fleet.driverId(i)), body });
      await res.arrayBuffer();
      if (res.status === 202) {
        mine.accepted++;
        if (probe && sampleEvery > 0 && n % sampleEvery === 0) probe.watch(fleet.driverId(i), Date.parse(fixes.at(-1)!.recordedAt), sentAt);
      } else {
        mine.failures[res.status] = (mine.failures[res.status] ?? 0) + 1;
      }
    } catch (err) {
      const name = err instanceof Error ? err.name : "error";
      mine.failures[name] = (mine.failures[name] ?? 0) + 1;
    } finally {
      busy[i] = 0;
    }
    return performance.now() - from;
  };

  return {
    send,
    startWindow(p: VisibilityProbe | undefined, every: number) {
      counts = { sent: 0, accepted: 0, bodyBytes: 0, failures: {} };
      probe = p;
      sampleEvery = every;
    },
    window: () => counts,
    /** Uploads an open loop had due when its window ended, never sent (the server could not keep up). */
    notSent(n: number) {
      if (n > 0) counts.failures["not sent: behind schedule"] = (counts.failures["not sent: behind schedule"] ?? 0) + n;
    },
  };
}

/** An open loop at `rate` uploads/s, summarised like a closed loop's window: latency from each request's due time. */
async function openLoopResult(
  rate: number,
  seconds: number,
  send: (due: number) => Promise<number>,
  notSent: (n: number) => void,
): Promise<LoopResult> {
  const latencies: number[] = [];
  const started = performance.now();
  const { unsent } = await openLoop({
    rate,
    seconds,
    maxInFlight: OPEN_LOOP_MAX_IN_FLIGHT,
    send: async (_n, due) => void latencies.push(await send(due)),
  });
  notSent(unsent);
  return summarize(latencies, (performance.now() - started) / 1000);
}

/** Every driver goes available with a vehicle type, as at the start of a shift; resolves with the seconds until the index shows them all. */
async function setAllAvailable(plan: LoadPlan, fleet: Fleet, geo: Pick<GeoIndex, "get">): Promise<number> {
  const client = benchClient(plan.baseUrl);
  const started = performance.now();
  let next = 0;
  const connection = async () => {
    while (next < fleet.size) {
      const i = next++;
      const driverId = fleet.driverId(i);
      const { response, error } = await client.PUT("/v1/drivers/{driverId}/status", {
        params: { path: { driverId } },
        headers: authAs("driver", driverId),
        body: { status: "available", vehicleType: VEHICLE_MIX[i % VEHICLE_MIX.length]! },
      });
      if (response.status !== 202) throw new Error(`PUT status of ${driverId} answered ${response.status}: ${JSON.stringify(error)}`);
    }
  };
  await Promise.all(Array.from({ length: plan.connections }, connection));
  const deadline = performance.now() + STATUS_APPLIED_TIMEOUT_MS;
  for (let from = 0; from < fleet.size; ) {
    const chunk = Array.from({ length: Math.min(1000, fleet.size - from) }, (_, k) => fleet.driverId(from + k));
    const states = await Promise.all(chunk.map((id) => geo.get(id)));
    const firstPending = states.findIndex((s) => s?.status !== "available");
    if (firstPending === -1) from += chunk.length;
    else if (performance.now() > deadline)
      throw new Error(`status worker did not apply ${chunk[firstPending]} within ${STATUS_APPLIED_TIMEOUT_MS / 1000} s`);
    else await Bun.sleep(50);
  }
  return (performance.now() - started) / 1000;
}

if (import.meta.main) {
  const plan = JSON.parse(process.argv[2] ?? "") as LoadPlan;
  const emit = (e: LoadEvent) => void process.stdout.write(`${JSON.stringify(e)}\n`);
  emit({ event: "result", result: await runLoad(plan, emit) });
}
