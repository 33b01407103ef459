import { pickDrivers, stepsAfter, type WavePlan, type WaveSettings } from "../../shared/booking/waves.ts";
import type { Place } from "../../shared/events/booking.ts";
import type { VehicleType } from "../../shared/events/driver.ts";
import type { GeoIndex } from "../../shared/geo/geo-index.ts";
import { geoCall } from "../location/geo-call.ts";

export interface MatchingSettings {
  waves: WaveSettings;
  /** Drivers silent longer than this are not offered anything (they may have lost signal). */
  staleAfterMs: number;
  /** A geo call pending longer is an outage (geo-call.ts). */
  geoTimeoutMs: number;
}

export interface SearchFrom {
  pickup: Pick<Place, "lat" | "lng">;
  vehicleType: VehicleType;
  /** The wave the booking is on in its search round (0 before the first): the search starts at the next step. */
  wave: number;
  /** Drivers this search must skip: those offered in the round so far, and those who dropped the booking. */
  excludedDriverIds: readonly string[];
}

/**
 * Plans the next wave (shared/booking/waves.ts): searches each remaining radius step
 * in turn until one holds available drivers of the type not excluded (offered already
 * in this round, or dropped the booking before).
 * Each search asks for enough drivers that skipping those already offered still
 * leaves a full batch. A geo failure is RetryableError: the event waits for the index.
 */
export async function planWave(geo: Pick<GeoIndex, "nearby">, from: SearchFrom, s: MatchingSettings, now: number): Promise<WavePlan> {
  const excluded = new Set(from.excludedDriverIds);
  for (const [wave, radiusM] of stepsAfter(from.wave, s.waves)) {
    const found = await geoCall(
      "nearby",
      () =>
        geo.nearby({
          lat: from.pickup.lat,
          lng: from.pickup.lng,
          radiusM,
          vehicleType: from.vehicleType,
          limit: s.waves.batchSize + excluded.size,
          now,
          staleAfterMs: s.staleAfterMs,
        }),
      s.geoTimeoutMs,
    );
    const driverIds = pickDrivers(found, excluded, s.waves.batchSize);
    if (driverIds.length > 0) return { kind: "offer", wave, radiusM, driverIds };
  }
  return { kind: "exhausted" };
}
