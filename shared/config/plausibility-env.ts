import * as v from "valibot";
import { DEFAULT_MAX_SPEED_KMH } from "../geo/plausibility.ts";
import { wholeNumber } from "./env-schema.ts";

/*
 * GPS plausibility thresholds (shared/geo/plausibility.ts) as environment variables.
 * The gateway flags what one fix decides (MAX_ACCURACY_M, SERVICE_AREA); the location
 * worker the speed since the driver's previous fix (MAX_SPEED_KMH).
 */

/** Gateway: a fix whose accuracy radius is larger is flagged "accuracy". Default 200 m. */
export const maxAccuracyM = wholeNumber(200, 1, "metres");

const DEGREES = /^\s*-?\d+(\.\d+)?\s*$/;

/** Gateway: "minLat,minLng,maxLat,maxLng"; fixes outside are flagged "outside-area". Unset: everywhere is served. */
export const serviceArea = v.optional(
  v.pipe(
    v.string(),
    v.check(
      (s) => s.split(",").length === 4 && s.split(",").every((d) => DEGREES.test(d)),
      'must be "minLat,minLng,maxLat,maxLng" in decimal degrees',
    ),
    v.transform((s) => {
      const [minLat, minLng, maxLat, maxLng] = s.split(",").map(Number) as [number, number, number, number];
      return { minLat, minLng, maxLat, maxLng };
    }),
    v.check((a) => -90 <= a.minLat && a.minLat < a.maxLat && a.maxLat <= 90, "latitudes must be within ±90, min below max"),
    v.check(
      (a) => -180 <= a.minLng && a.minLng < a.maxLng && a.maxLng <= 180,
      "longitudes must be within ±180, min below max (no box across the antimeridian)",
    ),
  ),
);

/** Location worker: a fix implying a faster move since the driver's previous one is flagged "speed". Default 250 km/h. */
export const maxSpeedKmh = wholeNumber(DEFAULT_MAX_SPEED_KMH, 1, "km/h");
