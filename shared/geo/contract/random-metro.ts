import type { VehicleType } from "../../events/driver.ts";
import type { NearbyQuery, PositionUpdate, StatusUpdate } from "../geo-index.ts";
import { pointInDisc, type Random } from "./seeded-random.ts";

export const METRO = { lat: 12.9716, lng: 77.5946 };
const METRO_RADIUS_M = 15_000;
/** A type nobody drives is in the mix so "no such drivers" is asked too. */
const QUERY_TYPES: VehicleType[] = ["sedan", "sedan", "bike", "auto", "tipper", "suv"];
const DRIVER_TYPES: VehicleType[] = ["sedan", "sedan", "sedan", "bike", "auto", "tipper"];

export interface MetroHistory {
  /** In the order they are applied; batches mix drivers and carry older, out-of-order fixes. */
  fixBatches: PositionUpdate[][];
  statusBatches: StatusUpdate[][];
}

/** A position: a third of drivers crowd the centre, the rest spread over a ~30 km metro. */
function metroPoint(rng: Random) {
  return pointInDisc(rng, METRO.lat, METRO.lng, rng.next() < 0.33 ? 2_500 : METRO_RADIUS_M);
}

/**
 * `n` drivers of mixed types and statuses around METRO, fixes up to 80 s before `now`
 * (so a 60 s window leaves about a quarter stale), some moved several times, some
 * status changes repeated or arriving late, one fix in ten suspect (implausible).
 */
export function randomMetro(rng: Random, n: number, now: number): MetroHistory {
  const fixes: PositionUpdate[] = [];
  const statuses: StatusUpdate[] = [];
  for (let i = 0; i < n; i++) {
    const driverId = `m${i.toString().padStart(5, "0")}`;
    const vehicleType = rng.pick(DRIVER_TYPES);
    const roll = rng.next();
    if (roll < 0.95) {
      const status = roll < 0.7 ? "available" : roll < 0.85 ? "busy" : "offline";
      const changedAt = now - rng.int(1_000, 600_000);
      statuses.push({ driverId, status, vehicleType, changedAt });
      if (rng.next() < 0.15)
        statuses.push({
          driverId,
          status: rng.pick(["available", "busy", "offline"] as const),
          vehicleType,
          changedAt: changedAt + rng.int(-5_000, 5_000),
        });
    }
    const moves = rng.next() < 0.25 ? rng.int(2, 4) : 1;
    for (let m = 0; m < moves; m++)
      fixes.push({ driverId, ...metroPoint(rng), recordedAt: now - rng.int(0, 80_000), suspect: rng.next() < 0.1 });
  }
  // Shuffle so one batch holds many drivers, and a driver's fixes arrive in any order.
  for (let i = fixes.length - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    [fixes[i], fixes[j]] = [fixes[j]!, fixes[i]!];
  }
  return { fixBatches: chunks(fixes, 250), statusBatches: chunks(statuses, 250) };
}

export function randomQuery(rng: Random, now: number, staleAfterMs: number): NearbyQuery {
  return {
    ...pointInDisc(rng, METRO.lat, METRO.lng, METRO_RADIUS_M * 1.2),
    // Log-uniform 500 m .. 20 km: short and long searches equally often.
    radiusM: Math.round(500 * 40 ** rng.next()),
    vehicleType: rng.pick(QUERY_TYPES),
    limit: rng.pick([1, 3, 10, 10, 25, 100]),
    now,
    staleAfterMs,
  };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
