/**
 * Throughput of the location handler alone (no log, no parse step):
 * `bun workers/location/location-handler.bench.ts [embedded|redis://host:port] [fixes per record]`.
 * With a URL the geo index is Redis (keys under a fresh prefix, deleted afterwards),
 * else the embedded one; the trail goes to a fresh libSQL file either way.
 *
 * Shape (docs/architecture.md, figures): 20,000 drivers, all available, each driving 11 m/s along its own
 * heading with a fix a second for 50 s, sent 10 (or the given number of) fixes per
 * record; batches of 1000 records (the catalogue's maxBatchSize) from distinct drivers,
 * run one after another as one partition's loop does. The trail keeps about one fix in
 * five (50 m at 11 m/s), 200,000 rows.
 */
import { count } from "drizzle-orm";
import { driverTrail } from "../../shared/db/schema.ts";
import { createEmbeddedGeoIndex } from "../../shared/geo/embedded/embedded-geo.ts";
import type { GeoIndex } from "../../shared/geo/geo-index.ts";
import { createRedisGeoIndex } from "../../shared/geo/redis/redis-geo.ts";
import { deletePrefixes, uniquePrefix } from "../../shared/geo/redis/redis-test-env.ts";
import { M_PER_DEG_LAT, openTempHistory } from "../../shared/history/testing.ts";
import { recordingPublisher } from "../booking/testing.ts";
import type { ConsumedEvent } from "../runtime/handler.ts";
import { createLocationHandler } from "./location-handler.ts";
import { HOME, locationEvent } from "./testing.ts";

const DRIVERS = 20_000;
const FIXES_PER_RECORD = Number(process.argv[3] ?? 10);
const BATCH = 1000;
const ROUNDS = Math.ceil(50 / FIXES_PER_RECORD); // each round: every driver sends one record
const SPEED = 11;

async function openGeo(url: string | undefined): Promise<{ geo: GeoIndex; name: string; dispose(): Promise<void> }> {
  if (!url || url === "embedded") return { geo: createEmbeddedGeoIndex(), name: "embedded geo", dispose: async () => {} };
  const prefix = uniquePrefix("location-bench");
  return { geo: await createRedisGeoIndex({ url, prefix }), name: `Redis geo (${url})`, dispose: () => deletePrefixes(url, [prefix]) };
}

const { geo, name, dispose } = await openGeo(process.argv[2]);
const history = await openTempHistory("fleet-location-bench-");
const t0 = Date.now() - ROUNDS * FIXES_PER_RECORD * 1000;
const headings = Array.from({ length: DRIVERS }, (_, i) => (i * 2.399963) % (2 * Math.PI));
const starts = headings.map((h, i) => ({ north: Math.cos(i) * 15_000, east: Math.sin(i * 1.3) * 15_000, h }));
const driverId = (i: number) => `bench-${i}`;

await geo.setStatus(starts.map((_, i) => ({ driverId: driverId(i), status: "available", vehicleType: "sedan", changedAt: t0 - 1000 })));

function record(i: number, round: number): ConsumedEvent {
  const e = locationEvent(driverId(i), t0, []);
  const s = starts[i]!;
  const fixes = Array.from({ length: FIXES_PER_RECORD }, (_, j) => {
    const sec = round * FIXES_PER_RECORD + j;
    const north = s.north + Math.cos(s.h) * SPEED * sec;
    const east = s.east + Math.sin(s.h) * SPEED * sec;
    const lat = HOME.lat + north / M_PER_DEG_LAT;
    return {
      lat,
      lng: HOME.lng + east / (M_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180)),
      recordedAt: new Date(t0 + sec * 1000).toISOString(),
      speed: SPEED,
      heading: 90,
      accuracy: 6,
    };
  });
  return { ...e, data: { driverId: driverId(i), fixes } };
}

const handler = createLocationHandler();
const deps = { db: history.db, geo, publisher: recordingPublisher() };
let fixes = 0;
let elapsed = 0;
const perBatch: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  for (let first = 0; first < DRIVERS; first += BATCH) {
    const batch = Array.from({ length: BATCH }, (_, k) => record(first + k, round));
    const started = performance.now();
    await handler(batch, deps);
    const ms = performance.now() - started;
    elapsed += ms;
    perBatch.push(ms);
    fixes += BATCH * FIXES_PER_RECORD;
  }
}
const [stored] = await history.db.orm.select({ n: count() }).from(driverTrail);
perBatch.sort((a, b) => a - b);
const q = (p: number) => perBatch[Math.min(perBatch.length - 1, Math.floor(p * perBatch.length))]!.toFixed(1);
console.log(
  `${name} + libSQL file: ${fixes} fixes from ${DRIVERS} drivers in batches of ${BATCH} records × ${FIXES_PER_RECORD} fixes: ` +
    `${Math.round(fixes / (elapsed / 1000))} fixes/s through the handler; per batch p50 ${q(0.5)} ms, p99 ${q(0.99)} ms; trail rows ${stored?.n}`,
);
await geo.close();
await dispose();
history.remove();
