import { DEFAULT_TRIP, type TripSettings } from "../shared/booking/trip-settings.ts";
import { DEFAULT_WAVES, type WaveSettings } from "../shared/booking/waves.ts";
import { type SurgeConfig, surgeSettings, tripSettings } from "../shared/config/trip-env.ts";
import { DEFAULT_MAX_SPEED_KMH } from "../shared/geo/plausibility.ts";
import { DEFAULT_SURGE, type SurgeSettings } from "../shared/surge/surge-formula.ts";
import type { LocationConfig, MatchingConfig } from "./config.ts";
import { DEFAULT_ARRIVAL_RADIUS_M } from "./location/arrival-geofence.ts";

/** What handlers take from the process's config; each spec in the catalogue picks its part. */
export interface WorkerSettings {
  /** Drivers silent longer than this are not offered bookings, nor counted as supply. */
  staleAfterMs: number;
  waves: WaveSettings;
  /** Arrival deadlines, the customer's wait limit, reassignment limits, the pickup code (booking worker). */
  trip: TripSettings;
  /** A fix implying a faster move since the driver's previous one is flagged (location worker). */
  maxSpeedKmh: number;
  /** The pickup geofence's radius (location worker). */
  arrivalRadiusM: number;
  surge: SurgeSettings;
}

export const DEFAULT_WORKER_SETTINGS: WorkerSettings = {
  staleAfterMs: 60_000,
  waves: DEFAULT_WAVES,
  trip: DEFAULT_TRIP,
  maxSpeedKmh: DEFAULT_MAX_SPEED_KMH,
  arrivalRadiusM: DEFAULT_ARRIVAL_RADIUS_M,
  surge: DEFAULT_SURGE,
};

export function workerSettings(c: MatchingConfig & LocationConfig & SurgeConfig & { STALE_AFTER_S: number }): WorkerSettings {
  return {
    staleAfterMs: c.STALE_AFTER_S * 1000,
    waves: { radiiM: c.BOOKING_WAVE_RADII_M, batchSize: c.BOOKING_WAVE_SIZE, offerTtlMs: c.BOOKING_OFFER_TTL_S * 1000 },
    trip: tripSettings(c),
    maxSpeedKmh: c.MAX_SPEED_KMH,
    arrivalRadiusM: c.ARRIVAL_RADIUS_M,
    surge: surgeSettings(c),
  };
}
