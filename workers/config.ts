import * as v from "valibot";
import { DEFAULT_WAVES } from "../shared/booking/waves.ts";
import { commonEnv, optionalString, port, staleAfterS, url, wholeNumber } from "../shared/config/env-schema.ts";
import { maxSpeedKmh } from "../shared/config/plausibility-env.ts";
import { capAboveFloor, surgeEnv, tripEnv } from "../shared/config/trip-env.ts";
import { DEFAULT_WEBHOOK_TIMEOUT_MS } from "../shared/notify/webhook/webhook-notifier.ts";
import { DEFAULT_ARRIVAL_RADIUS_M } from "./location/arrival-geofence.ts";

/** The notify worker's settings (dev-config.ts takes them too). */
export const notifyEnv = {
  /** Where notifications are POSTed; unset → they are written to the log (dev). */
  NOTIFY_WEBHOOK_URL: url("http://", "https://"),
  /** Signs every webhook request (x-fleet-signature); required with NOTIFY_WEBHOOK_URL. */
  NOTIFY_WEBHOOK_SECRET: optionalString,
  /** Per webhook request, answer included. */
  NOTIFY_TIMEOUT_MS: wholeNumber(DEFAULT_WEBHOOK_TIMEOUT_MS, 100, "milliseconds", 60_000),
};

/**
 * An unsigned webhook would let anyone forge offers to drivers: a URL without a secret
 * stops start-up. The issue carries no input, as a check over the whole object would
 * otherwise print every variable (tokens included) in the error.
 */
export const secretWithUrl = <T extends Record<string, unknown>>() =>
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

/** Matching in waves (shared/booking/waves.ts). */
const matchingEnv = {
  /** Growing search radii in metres, one per wave. */
  BOOKING_WAVE_RADII_M: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, "must be whole numbers of metres separated by commas"),
      v.transform((s) => s.split(",").map(Number)),
      v.check((r) => r.every((m, i) => m > 0 && (i === 0 || m > r[i - 1]!)), "must be positive and growing"),
    ),
    DEFAULT_WAVES.radiiM.join(","),
  ),
  /** Drivers offered a booking per wave. */
  BOOKING_WAVE_SIZE: wholeNumber(DEFAULT_WAVES.batchSize, 1, "drivers", 100),
  /** How long a wave's offers stand before the next wave searches farther. */
  BOOKING_OFFER_TTL_S: wholeNumber(DEFAULT_WAVES.offerTtlMs / 1000, 1, "seconds", 600),
};

/** The location worker's settings. */
const locationEnv = {
  MAX_SPEED_KMH: maxSpeedKmh,
  /** A plausible fix of the assigned driver this close to the pickup marks them arrived (the per-trip geofence). */
  ARRIVAL_RADIUS_M: wholeNumber(DEFAULT_ARRIVAL_RADIUS_M, 1, "metres"),
};

/** What workerSettings (settings.ts) reads: the workers' process and `bun run dev` (dev-config.ts) both parse it. */
export const workerSettingsEnv = { STALE_AFTER_S: staleAfterS, ...matchingEnv, ...tripEnv, ...locationEnv, ...surgeEnv };
const WorkerSettingsSchema = v.object(workerSettingsEnv);
export type WorkerSettingsConfig = v.InferOutput<typeof WorkerSettingsSchema>;

export const WorkersConfigSchema = v.pipe(
  v.object({
    ...commonEnv,
    /** Serves /metrics and /healthz of the worker process; 0 picks a free port. */
    METRICS_PORT: port(9464),
    ...notifyEnv,
    ...workerSettingsEnv,
  }),
  secretWithUrl(),
  capAboveFloor(),
);
export type WorkersConfig = v.InferOutput<typeof WorkersConfigSchema>;
