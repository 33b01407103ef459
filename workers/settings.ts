import { DEFAULT_WAVES, type WaveSettings } from "../shared/booking/waves.ts";
import { DEFAULT_MAX_SPEED_KMH } from "../shared/geo/plausibility.ts";
import type { LocationConfig, MatchingConfig } from "./config.ts";

/** What handlers take from the process's config; each spec in the catalogue picks its part. */
export interface WorkerSettings {
  /** Drivers silent longer than this are not offered bookings. */
  staleAfterMs: number;
  waves: WaveSettings;
  /** A fix implying a faster move since the driver's previous one is flagged (location worker). */
  maxSpeedKmh: number;
}

export const DEFAULT_WORKER_SETTINGS: WorkerSettings = { staleAfterMs: 60_000, waves: DEFAULT_WAVES, maxSpeedKmh: DEFAULT_MAX_SPEED_KMH };

export function workerSettings(c: MatchingConfig & LocationConfig & { STALE_AFTER_S: number }): WorkerSettings {
  return {
    staleAfterMs: c.STALE_AFTER_S * 1000,
    waves: { radiiM: c.BOOKING_WAVE_RADII_M, batchSize: c.BOOKING_WAVE_SIZE, offerTtlMs: c.BOOKING_OFFER_TTL_S * 1000 },
    maxSpeedKmh: c.MAX_SPEED_KMH,
  };
}
