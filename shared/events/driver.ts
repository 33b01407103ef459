import * as v from "valibot";

/** Vehicle classes served: ride-hailing cars and bikes, freight trucks. */
export const VEHICLE_TYPES = ["bike", "auto", "sedan", "suv", "van", "tipper", "container", "open", "trailer", "reefer"] as const;
export const VehicleTypeSchema = v.picklist(VEHICLE_TYPES);
export type VehicleType = v.InferOutput<typeof VehicleTypeSchema>;

export const DriverIdSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 letters, digits, '_' or '-'"));

const finite = (min: number, max: number) => v.pipe(v.number(), v.finite(), v.minValue(min), v.maxValue(max));

/** One GPS fix as the device recorded it; `recordedAt` is device time and orders fixes of one driver. */
export const FixSchema = v.strictObject({
  lat: finite(-90, 90),
  lng: finite(-180, 180),
  recordedAt: v.pipe(v.string(), v.isoTimestamp()),
  speed: v.optional(finite(0, 150)),
  heading: v.optional(finite(0, 360)),
  accuracy: v.optional(finite(0, 100_000)),
});
export type Fix = v.InferOutput<typeof FixSchema>;

export const MAX_FIXES_PER_REQUEST = 500;

/** `driver.location.reported` v1 on `driver.locations`, key driverId. */
export const DRIVER_LOCATION_REPORTED = "driver.location.reported";
export const DriverLocationReportedSchema = v.strictObject({
  driverId: DriverIdSchema,
  fixes: v.pipe(v.array(FixSchema), v.minLength(1), v.maxLength(MAX_FIXES_PER_REQUEST)),
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
  changedAt: v.pipe(v.string(), v.isoTimestamp()),
});
export type DriverStatusChanged = v.InferOutput<typeof DriverStatusChangedSchema>;
