import * as v from "valibot";
import { commonEnv, optionalString, port, url, wholeNumber } from "../shared/config/env-schema.ts";
import { maxSpeedKmh } from "../shared/config/plausibility-env.ts";
import { capAboveFloor, surgeEnv, tripEnv } from "../shared/config/trip-env.ts";
import { DEFAULT_ARRIVAL_RADIUS_M } from "./location/arrival-geofence.ts";

/** The notify worker's settings; `bun run dev` parses them on their own (NotifyConfigSchema). */
const notifyEnv = {
  /** Where notifications are POSTed; unset → they are written to the log (dev). */
  NOTIFY_WEBHOOK_URL: url("http://", "https://"),
  /** Signs every webhook request (x-fleet-signature); required with NOTIFY_WEBHOOK_URL. */
  NOTIFY_WEBHOOK_SECRET: optionalString,
  /** Per webhook request, answer included. */
  NOTIFY_TIMEOUT_MS: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d+$/, "must be a whole number of milliseconds"),
      v.transform(Number),
      v.minValue(100),
      v.maxValue(60_000),
    ),
    "5000",
  ),
};

/**
 * An unsigned webhook would let anyone forge offers to drivers: a URL without a secret
 * stops start-up. The issue carries no input, as a check over the whole object would
 * otherwise print every variable (tokens included) in the error.
 */
const secretWithUrl = <T extends Record<string, unknown>>() =>
  v.rawCheck<T>(({ dataset, addIssue }) => {
    // Runs even when other variables failed, so every problem is reported at once.
    const c = (dataset.value ?? {}) as Record<string, unknown>;
    if (!c.NOTIFY_WEBHOOK_URL || c.NOTIFY_WEBHOOK_SECRET) return;
    addIssue({
      message: "must be set when NOTIFY_WEBHOOK_URL is set",
      input: undefined,
      path: [{ type: "object", origin: "value", input: c, key: "NOTIFY_WEBHOOK_SECRET", value: undefined }],
    });
  });

export const NotifyConfigSchema = v.pipe(v.object(notifyEnv), secretWithUrl());

/** Matching in waves (shared/booking/waves.ts) and the trip's rules (tripEnv); `bun run dev` parses them on their own (MatchingConfigSchema). */
const matchingEnv = {
  /** Growing search radii in metres, one per wave. */
  BOOKING_WAVE_RADII_M: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, "must be whole numbers of metres separated by commas"),
      v.transform((s) => s.split(",").map(Number)),
      v.check((r) => r.every((m, i) => m > 0 && (i === 0 || m > r[i - 1]!)), "must be positive and growing"),
    ),
    "1000,3000,6000,10000",
  ),
  /** Drivers offered a booking per wave. */
  BOOKING_WAVE_SIZE: v.optional(
    v.pipe(v.string(), v.regex(/^\d+$/, "must be a whole number"), v.transform(Number), v.minValue(1), v.maxValue(100)),
    "10",
  ),
  /** How long a wave's offers stand before the next wave searches farther. */
  BOOKING_OFFER_TTL_S: v.optional(
    v.pipe(v.string(), v.regex(/^\d+$/, "must be a whole number of seconds"), v.transform(Number), v.minValue(1), v.maxValue(600)),
    "15",
  ),
};
export const MatchingConfigSchema = v.object({ ...matchingEnv, ...tripEnv });
export type MatchingConfig = v.InferOutput<typeof MatchingConfigSchema>;

/** The location worker's settings; `bun run dev` parses them on their own (LocationConfigSchema). */
const locationEnv = {
  MAX_SPEED_KMH: maxSpeedKmh,
  /** A plausible fix of the assigned driver this close to the pickup marks them arrived (the per-trip geofence). */
  ARRIVAL_RADIUS_M: wholeNumber(DEFAULT_ARRIVAL_RADIUS_M, 1, "metres"),
};
export const LocationConfigSchema = v.object(locationEnv);
export type LocationConfig = v.InferOutput<typeof LocationConfigSchema>;

export const WorkersConfigSchema = v.pipe(
  v.object({
    ...surgeEnv,
    ...tripEnv,
    ...commonEnv,
    /** Serves /metrics and /healthz of the worker process; 0 picks a free port. */
    METRICS_PORT: port(9464),
    STALE_AFTER_S: v.optional(
      v.pipe(v.string(), v.regex(/^\d+$/, "must be a whole number of seconds"), v.transform(Number), v.minValue(1)),
      "60",
    ),
    ...notifyEnv,
    ...matchingEnv,
    ...locationEnv,
  }),
  secretWithUrl(),
  capAboveFloor(),
);
export type WorkersConfig = v.InferOutput<typeof WorkersConfigSchema>;
