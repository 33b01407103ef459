import type { Place } from "../../shared/events/booking.ts";
import type { VehicleType } from "../../shared/events/driver.ts";
import type { GatewayDeps } from "../deps.ts";

export interface EtaView {
  seconds: number;
  distanceM: number;
  model: string;
}

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
