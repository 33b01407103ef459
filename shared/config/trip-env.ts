import * as v from "valibot";
import { DEFAULT_TRIP, type TripSettings } from "../booking/trip-settings.ts";
import { DEFAULT_SURGE, type SurgeSettings } from "../surge/surge-formula.ts";
import { wholeNumber } from "./env-schema.ts";

/*
 * The trip's rules (shared/booking/trip-settings.ts) and surge pricing
 * (shared/surge/surge-formula.ts) as environment variables, defaults taken from there.
 * The booking worker reads the trip's, the surge worker surge's; the gateway reads
 * PICKUP_CODE_REQUIRED (to ask for the code), SURGE_FLOOR and SURGE_WINDOW_S (to quote
 * a zone the surge worker has not priced yet).
 */

const flag = (fallback: boolean) =>
  v.optional(
    v.pipe(
      v.string(),
      v.picklist(["true", "false", "1", "0"], 'must be "true" or "false"'),
      v.transform((s) => s === "true" || s === "1"),
    ),
    String(fallback),
  );

const decimal = (fallback: number, min: number, max: number) =>
  v.optional(
    v.pipe(v.string(), v.regex(/^\d+(\.\d+)?$/, "must be a decimal number"), v.transform(Number), v.minValue(min), v.maxValue(max)),
    String(fallback),
  );

/** `start` must carry the customer's pickup code (booking worker and gateway). */
export const pickupCodeRequired = flag(DEFAULT_TRIP.pickupCodeRequired);

export const tripEnv = {
  /** Added to the driver's ETA to the pickup: past that, a driver who has not arrived is dropped. */
  ARRIVAL_GRACE_S: wholeNumber(DEFAULT_TRIP.arrivalGraceMs / 1000, 0, "seconds"),
  /** How long a driver waits at the pickup before the customer is a no-show. */
  CUSTOMER_WAIT_LIMIT_S: wholeNumber(DEFAULT_TRIP.waitLimitMs / 1000, 1, "seconds"),
  /** Drops after which a booking expires instead of being searched again. */
  BOOKING_MAX_REASSIGNMENTS: wholeNumber(DEFAULT_TRIP.reassign.maxReassignments, 0, "reassignments"),
  /** A drop later than this after the request expires the booking instead. */
  BOOKING_REASSIGN_WINDOW_S: wholeNumber(DEFAULT_TRIP.reassign.windowMs / 1000, 1, "seconds"),
  PICKUP_CODE_REQUIRED: pickupCodeRequired,
};
export const TripConfigSchema = v.object(tripEnv);
export type TripConfig = v.InferOutput<typeof TripConfigSchema>;

export function tripSettings(c: TripConfig): TripSettings {
  return {
    arrivalGraceMs: c.ARRIVAL_GRACE_S * 1000,
    waitLimitMs: c.CUSTOMER_WAIT_LIMIT_S * 1000,
    reassign: { maxReassignments: c.BOOKING_MAX_REASSIGNMENTS, windowMs: c.BOOKING_REASSIGN_WINDOW_S * 1000 },
    pickupCodeRequired: c.PICKUP_CODE_REQUIRED,
  };
}

/** The lowest multiplier (a zone without demand) and the highest. */
export const surgeFloor = decimal(DEFAULT_SURGE.floor, 0.1, 10);
/** How far back bookings count as a zone's demand. */
export const surgeWindowS = wholeNumber(DEFAULT_SURGE.windowMs / 1000, 1, "seconds");

export const surgeEnv = {
  SURGE_WINDOW_S: surgeWindowS,
  SURGE_FLOOR: surgeFloor,
  SURGE_CAP: decimal(DEFAULT_SURGE.cap, 0.1, 10),
  /** τ: a jump in demand moves the multiplier 63 % of the way in this time. */
  SURGE_SMOOTHING_S: wholeNumber(DEFAULT_SURGE.smoothingMs / 1000, 1, "seconds"),
};

/** For a schema holding surgeEnv: the cap may not be below the floor (reported on SURGE_CAP). */
export const capAboveFloor = <T extends Record<string, unknown>>() =>
  v.rawCheck<T>(({ dataset, addIssue }) => {
    const c = (dataset.value ?? {}) as Record<string, unknown>;
    if (typeof c.SURGE_FLOOR !== "number" || typeof c.SURGE_CAP !== "number" || c.SURGE_FLOOR <= c.SURGE_CAP) return;
    addIssue({
      message: "must be at least SURGE_FLOOR",
      input: c.SURGE_CAP,
      path: [{ type: "object", origin: "value", input: c, key: "SURGE_CAP", value: c.SURGE_CAP }],
    });
  });

export const SurgeConfigSchema = v.pipe(v.object(surgeEnv), capAboveFloor());
export type SurgeConfig = v.InferOutput<typeof SurgeConfigSchema>;

export function surgeSettings(c: SurgeConfig): SurgeSettings {
  return { windowMs: c.SURGE_WINDOW_S * 1000, floor: c.SURGE_FLOOR, cap: c.SURGE_CAP, smoothingMs: c.SURGE_SMOOTHING_S * 1000 };
}
