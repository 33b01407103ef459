import * as v from "valibot";
import type { Place } from "../../shared/events/booking.ts";
import type { VehicleType } from "../../shared/events/driver.ts";
import type { GatewayDeps } from "../deps.ts";

export const EtaViewSchema = v.strictObject({
  seconds: v.pipe(v.number(), v.minValue(0)),
  distanceM: v.pipe(v.number(), v.minValue(0)),
  /** Which estimator said it (shared/eta/): straight-line/recent-speed, straight-line/typical-speed, or a routing engine's name. */
  model: v.string(),
});
export type EtaView = v.InferOutput<typeof EtaViewSchema>;

/**
 * The driver's ETA to a place from its newest plausible position in the geo index; null
 * when the index has no position or the estimator fails (an ETA is a courtesy, never an
 * error of the read).
 */
export async function etaFrom(
  deps: Pick<GatewayDeps, "geo" | "eta">,
  driverId: string,
  to: Place,
  vehicleType: VehicleType,
): Promise<EtaView | null> {
  try {
    const from = (await deps.geo.get(driverId))?.position;
    if (!from) return null;
    const e = await deps.eta.estimate({ from, to, vehicleType });
    return { seconds: e.seconds, distanceM: e.distanceM, model: e.model };
  } catch {
    return null;
  }
}
