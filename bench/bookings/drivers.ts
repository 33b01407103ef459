import { createRedisGeoIndex } from "../../shared/geo/redis/redis-geo.ts";
import { authAs, benchClient } from "../bench-client.ts";
import { driverIdOf, type Point, pointInMetro, seededRandom, vehicleTypeOf } from "./metro.ts";

const SEED_CONNECTIONS = 32;
const VISIBLE_TIMEOUT_MS = 60_000;
/** Each driver's phone reports again this often, well inside the 60 s after which a silent driver is never offered anything. */
export const REFRESH_EVERY_S = 20;

export interface Fleet {
  size: number;
  /** Seconds from the first PUT until the index showed every driver available with a position. */
  seededS: number;
  /** Keeps every driver fresh in the background: one 1-fix request per driver every REFRESH_EVERY_S, spread evenly. */
  startRefresh(): { stop(): Promise<{ sent: number; failed: number }> };
}

/**
 * Puts `size` drivers on shift through the public API, as their apps would: PUT status
 * available with a vehicle type, then POST one fix at a random spot in the metro; then
 * waits until the geo index (what the booking worker searches) shows them all.
 */
export async function seedFleet(opts: { baseUrl: string; redisUrl: string; runId: string; size: number }): Promise<Fleet> {
  const rand = seededRandom(42);
  const spots: Point[] = Array.from({ length: opts.size }, () => pointInMetro(rand));
  const ids = Array.from({ length: opts.size }, (_, i) => driverIdOf(opts.runId, i));
  const client = benchClient(opts.baseUrl);
  const report = (i: number) =>
    client.POST("/v1/drivers/{driverId}/locations", {
      params: { path: { driverId: ids[i]! } },
      headers: authAs("driver", ids[i]!),
      body: fixBody(spots[i]!),
    });
  const started = performance.now();
  let next = 0;
  const connection = async () => {
    while (next < opts.size) {
      const i = next++;
      expect202(
        await client.PUT("/v1/drivers/{driverId}/status", {
          params: { path: { driverId: ids[i]! } },
          headers: authAs("driver", ids[i]!),
          body: { status: "available", vehicleType: vehicleTypeOf(i) },
        }),
      );
      expect202(await report(i));
    }
  };
  await Promise.all(Array.from({ length: SEED_CONNECTIONS }, connection));
  await waitVisible(opts.redisUrl, ids);
  const seededS = (performance.now() - started) / 1000;

  return {
    size: opts.size,
    seededS,
    startRefresh() {
      let sent = 0;
      let failed = 0;
      let cursor = 0;
      const inFlight = new Set<Promise<void>>();
      // Ticks of 100 ms, each refreshing its share of the fleet: a steady trickle, not a burst every 20 s.
      const perTick = Math.max(1, Math.ceil(opts.size / (REFRESH_EVERY_S * 10)));
      const timer = setInterval(() => {
        for (let k = 0; k < perTick; k++) {
          const i = cursor++ % opts.size;
          const p = report(i)
            .then(({ response }) => {
              if (response.status === 202) sent++;
              else failed++;
            })
            .catch(() => void failed++)
            .finally(() => inFlight.delete(p));
          inFlight.add(p);
        }
      }, 100);
      return {
        async stop() {
          clearInterval(timer);
          await Promise.all(inFlight);
          return { sent, failed };
        },
      };
    },
  };
}

/** One fresh fix at the driver's spot: parked or crawling in traffic, which is what a waiting driver does. */
function fixBody(p: Point) {
  return { fixes: [{ lat: p.lat, lng: p.lng, recordedAt: new Date().toISOString(), speed: 0, accuracy: 8 }] };
}

function expect202({ response, error }: { response: Response; error?: unknown }): void {
  if (response.status !== 202) throw new Error(`${response.url} answered ${response.status}: ${JSON.stringify(error).slice(0, 300)}`);
}

async function waitVisible(redisUrl: string, ids: readonly string[]): Promise<void> {
  const geo = await createRedisGeoIndex({ url: redisUrl });
  try {
    const deadline = performance.now() + VISIBLE_TIMEOUT_MS;
    for (let from = 0; from < ids.length; ) {
      const chunk = ids.slice(from, from + 500);
      const states = await Promise.all(chunk.map((id) => geo.get(id)));
      const pending = states.findIndex((s) => s?.status !== "available" || !s.position);
      if (pending === -1) from += chunk.length;
      else if (performance.now() > deadline)
        throw new Error(`driver ${chunk[pending]} not available with a position in the index within ${VISIBLE_TIMEOUT_MS / 1000} s`);
      else await Bun.sleep(50);
    }
  } finally {
    await geo.close();
  }
}
