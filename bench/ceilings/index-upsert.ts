import type { PositionUpdate } from "../../shared/geo/geo-index.ts";
import { createRedisGeoIndex } from "../../shared/geo/redis/redis-geo.ts";
import { deletePrefixes } from "../../shared/geo/redis/redis-test-env.ts";
import { type RateResult, rateLoop } from "./rate-loop.ts";

/**
 * What the location worker really asks of Redis: the GeoIndex's upsertPositions (one
 * Lua script per call that reads each driver's state, writes its hash and moves it
 * between shard GEO sets), `perCall` available drivers per call, under a scratch key
 * prefix deleted afterwards. `nextFix(i)` must give driver i a newer fix each time,
 * or the index ignores it. Resolves with drivers moved/s; sits beside ceiling (c) to
 * show what the index layout costs over a bare GEOADD.
 */
export async function measureIndexUpsert(opts: {
  url: string;
  drivers: number;
  driverId: (i: number) => string;
  nextFix: (i: number) => Omit<PositionUpdate, "driverId">;
  perCall: number;
  seconds: number;
}): Promise<RateResult> {
  const prefix = `bench:ceiling:index:${crypto.randomUUID()}:`;
  const geo = await createRedisGeoIndex({ url: opts.url, prefix });
  try {
    const ids = Array.from({ length: opts.drivers }, (_, i) => opts.driverId(i));
    for (let i = 0; i < ids.length; i += 1000) {
      await geo.setStatus(ids.slice(i, i + 1000).map((driverId) => ({ driverId, status: "available", vehicleType: "bike", changedAt: 0 })));
    }
    let cursor = 0;
    return await rateLoop({
      seconds: opts.seconds,
      // One call at a time per partition is what a worker does; two keeps Redis busy across the round trip.
      inFlight: 2,
      step: () => {
        const updates = Array.from({ length: opts.perCall }, () => {
          const i = cursor++ % opts.drivers;
          return { driverId: ids[i]!, ...opts.nextFix(i) };
        });
        return geo.upsertPositions(updates);
      },
    });
  } finally {
    await geo.close();
    await deletePrefixes(opts.url, [prefix]);
  }
}
