import type { GeoIndex } from "../../shared/geo/geo-index.ts";
import { cellCircle, inCell, nextSurge, type SurgeSettings } from "../../shared/surge/surge-formula.ts";
import type { SurgeStore, SurgeZone } from "../../shared/surge/surge-store.ts";
import { geoCall } from "../location/geo-call.ts";

export interface RecomputeSettings {
  surge: SurgeSettings;
  /** Drivers silent longer than this are not supply. */
  staleAfterMs: number;
  /** A geo or surge store call pending longer is an outage (geo-call.ts). */
  geoTimeoutMs: number;
}

export interface RecomputeDeps {
  geo: Pick<GeoIndex, "nearby">;
  surge: SurgeStore;
}

/** A cell holds at most this many drivers of a type as supply: past it, no window's demand could raise the price. */
export const MAX_SUPPLY = 500;

/**
 * Recomputes zones' multipliers (shared/surge/surge-formula.ts) from their demand in
 * the window, their supply in the geo index now and their previous state, and stores
 * them. A store or geo failure is RetryableError: the record (or the tick) waits.
 */
export async function recomputeSurge(zones: readonly SurgeZone[], deps: RecomputeDeps, s: RecomputeSettings, now: number): Promise<void> {
  if (zones.length === 0) return;
  const store = <T>(what: string, call: () => Promise<T>) => geoCall(what, call, s.geoTimeoutMs, "surge store");
  const [demand, previous, supply] = await Promise.all([
    store("demand", () => deps.surge.demand(zones, now - s.surge.windowMs)),
    store("get", () => deps.surge.get(zones)),
    Promise.all(zones.map((z) => supplyIn(z, deps.geo, s, now))),
  ]);
  const states = zones.map((z, i) => nextSurge(z, previous[i]!, { demand: demand[i]!, supply: supply[i]! }, now, s.surge));
  await store("put", () => deps.surge.put(states));
}

/** Available drivers of the zone's type with a fresh fix inside its cell: a nearby search over the cell's circle, cut to the cell. */
async function supplyIn(zone: SurgeZone, geo: Pick<GeoIndex, "nearby">, s: RecomputeSettings, now: number): Promise<number> {
  const c = cellCircle(zone.cell);
  const found = await geoCall(
    "nearby",
    () => geo.nearby({ ...c, vehicleType: zone.vehicleType, limit: MAX_SUPPLY, now, staleAfterMs: s.staleAfterMs }),
    s.geoTimeoutMs,
  );
  return found.filter((d) => inCell(d.lat, d.lng, zone.cell)).length;
}
