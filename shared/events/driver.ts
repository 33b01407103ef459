import * as v from "valibot";
import { MAX_INDEXABLE_LAT } from "../geo/shard-layout.ts";
import { TimestampSchema } from "./timestamp.ts";

/** Vehicle classes served: ride-hailing cars and bikes, freight trucks. */
export const VEHICLE_TYPES = ["bike", "auto", "sedan", "suv", "van", "tipper", "container", "open", "trailer", "reefer"] as const;
export const VehicleTypeSchema = v.picklist(VEHICLE_TYPES);
export type VehicleType = v.InferOutput<typeof VehicleTypeSchema>;

export const DriverIdSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 letters, digits, '_' or '-'"));

const finite = (min: number, max: number) => v.pipe(v.number(), v.finite(), v.minValue(min), v.maxValue(max));

/**
 * A latitude the geo index can hold: Redis GEO (and so every adapter) stops at ±85.05°,
 * so a position beyond is refused where it enters, never accepted and then dead-lettered.
 */
export const IndexableLatSchema = v.pipe(
  v.number(),
  v.finite(),
  v.minValue(-MAX_INDEXABLE_LAT, `must be within ±${MAX_INDEXABLE_LAT} (the range the geo index can hold)`),
  v.maxValue(MAX_INDEXABLE_LAT, `must be within ±${MAX_INDEXABLE_LAT} (the range the geo index can hold)`),
);

/** One GPS fix as the device recorded it; `recordedAt` is device time and orders fixes of one driver. */
export const FixSchema = v.strictObject({
  lat: IndexableLatSchema,
  lng: finite(-180, 180),
  recordedAt: TimestampSchema,
  speed: v.optional(finite(0, 150)),
  heading: v.optional(finite(0, 360)),
  accuracy: v.optional(finite(0, 100_000)),
});
export type Fix = v.InferOutput<typeof FixSchema>;

export const MAX_FIXES_PER_REQUEST = 500;

/**
 * Why a fix is implausible (shared/geo/plausibility.ts): it implies an impossible speed
 * since the driver's previous fix, its accuracy is worse than the threshold, or it lies
 * outside the service area. A flagged fix is kept (trail, log) but keeps its driver out
 * of matching until a plausible one arrives.
 */
export const FIX_FLAGS = ["speed", "accuracy", "outside-area"] as const;
export const FixFlagSchema = v.picklist(FIX_FLAGS);
export type FixFlag = v.InferOutput<typeof FixFlagSchema>;

/**
 * A fix as the gateway publishes it: as the device reported it, plus the flags the
 * gateway could decide from the fix alone (accuracy, outside-area); absent when none.
 * "speed" needs the driver's previous fix, which only the location worker knows.
 * Clients cannot send flags: the request body is checked against FixSchema.
 * Adding the optional field kept v1: deploy location workers before gateways, or an
 * older worker dead-letters flagged records (redrive them once it is upgraded).
 */
export const ReportedFixSchema = v.strictObject({
  ...FixSchema.entries,
  flags: v.optional(v.pipe(v.array(FixFlagSchema), v.minLength(1))),
});
export type ReportedFix = v.InferOutput<typeof ReportedFixSchema>;

/** `driver.location.reported` v1 on `driver.locations`, key driverId. */
export const DRIVER_LOCATION_REPORTED = "driver.location.reported";
export const DriverLocationReportedSchema = v.strictObject({
  driverId: DriverIdSchema,
  fixes: v.pipe(v.array(ReportedFixSchema), v.minLength(1), v.maxLength(MAX_FIXES_PER_REQUEST)),
});
export type DriverLocationReported = v.InferOutput<typeof DriverLocationReportedSchema>;

export const DRIVER_STATUSES = ["offline", "available", "busy"] as const;
export const DriverStatusSchema = v.picklist(DRIVER_STATUSES);
export type DriverStatus = v.InferOutput<typeof DriverStatusSchema>;

/** `driver.status.changed` v1 on `driver.status` (compacted), key driverId. */
export const DRIVER_STATUS_CHANGED = "driver.status.changed";
export const DriverStatusChangedSchema = v.strictObject({
  driverId: DriverIdSchema,
  status: DriverStatusSchema,
  vehicleType: VehicleTypeSchema,
  changedAt: TimestampSchema,
});
export type DriverStatusChanged = v.InferOutput<typeof DriverStatusChangedSchema>;
