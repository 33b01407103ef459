import { RetryableError } from "../../shared/errors/errors.ts";
import type { VehicleType } from "../../shared/events/driver.ts";
import { SURGE_RESOLUTION, surgeZoneOf } from "../../shared/surge/surge-formula.ts";
import type { SurgeStore } from "../../shared/surge/surge-store.ts";

/** What the gateway quotes surge from: the surge worker's states, and what to say of a zone it has not priced. */
export interface SurgeQuotes {
  store: Pick<SurgeStore, "get">;
  /** SURGE_FLOOR: a zone never priced (no recent demand) costs the floor. */
  floor: number;
  /** SURGE_WINDOW_S, shown with a zone never priced. */
  windowS: number;
  /** Longest a read may take before the quote gives up (RetryableError). Default 250 ms. */
  timeoutMs?: number;
}

/** A zone's multiplier with its inputs, as GET /v1/surge answers and a booking records. */
export interface SurgeQuote {
  cell: string;
  resolution: number;
  vehicleType: VehicleType;
  multiplier: number;
  /** Bookings requested in the zone within the window. */
  demand: number;
  /** Available fresh drivers counted in the cell at the last update; null when the zone was never priced. */
  supply: number | null;
  windowS: number;
  /** When the surge worker last priced the zone (ISO-8601); null when never. */
  updatedAt: string | null;
}

export async function quoteSurge(q: SurgeQuotes, lat: number, lng: number, vehicleType: VehicleType): Promise<SurgeQuote> {
  const zone = surgeZoneOf(lat, lng, vehicleType);
  const timeoutMs = q.timeoutMs ?? 250;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RetryableError(`surge store read took longer than ${timeoutMs} ms`)), timeoutMs);
  });
  let state: Awaited<ReturnType<SurgeStore["get"]>>[number] | undefined;
  try {
    [state] = await Promise.race([q.store.get([zone]), deadline]);
  } catch (err) {
    if (err instanceof RetryableError) throw err;
    throw new RetryableError(`surge store read failed: ${(err as Error)?.message ?? String(err)}`, undefined, { cause: err });
  } finally {
    clearTimeout(timer);
  }
  const base = { cell: zone.cell, resolution: SURGE_RESOLUTION, vehicleType };
  if (!state) return { ...base, multiplier: q.floor, demand: 0, supply: null, windowS: q.windowS, updatedAt: null };
  return {
    ...base,
    multiplier: state.multiplier,
    demand: state.demand,
    supply: state.supply,
    windowS: state.windowS,
    updatedAt: new Date(state.updatedAt).toISOString(),
  };
}
