import type { Eta, EtaEstimator, EtaPoint } from "../../shared/eta/eta-estimator.ts";
import { geoCall } from "../shared/geo-call.ts";
import type { ParsedBookingEvent } from "./booking-event.ts";
import type { LoadedBooking } from "./booking-model.ts";
import type { BookingDeps, BookingHandlerSettings } from "./booking-settings.ts";

/**
 * Where the drivers offered a booking in this batch are, for their ETA to the pickup
 * (one `get` per driver, sent together). An ETA is a courtesy: when the index cannot
 * say, the offers go out without one rather than wait.
 */
export async function offeredPositions(
  events: readonly ParsedBookingEvent[],
  deps: BookingDeps,
  s: Pick<BookingHandlerSettings, "geoTimeoutMs">,
): Promise<Map<string, EtaPoint>> {
  if (!deps.eta) return new Map();
  const ids = [...new Set(events.flatMap((e) => (e.type === "booking.offered" ? e.data.driverIds : [])))];
  if (ids.length === 0) return new Map();
  try {
    const states = await geoCall("get", () => Promise.all(ids.map((id) => deps.geo.get(id))), s.geoTimeoutMs);
    return new Map(ids.flatMap((id, i) => (states[i]?.position ? [[id, states[i].position] as const] : [])));
  } catch {
    return new Map();
  }
}

/** Each offered driver's ETA to the booking's pickup, for those whose position is known. */
export async function pickupEtas(
  estimator: EtaEstimator | undefined,
  b: Pick<LoadedBooking, "pickup" | "vehicleType">,
  driverIds: readonly string[],
  positions: ReadonlyMap<string, EtaPoint>,
): Promise<Map<string, Eta>> {
  const out = new Map<string, Eta>();
  if (!estimator) return out;
  for (const id of driverIds) {
    const from = positions.get(id);
    if (!from) continue;
    try {
      out.set(id, await estimator.estimate({ from, to: b.pickup, vehicleType: b.vehicleType }));
    } catch {
      // No ETA for this one (a routing engine's failure): the offer goes out without it.
    }
  }
  return out;
}
