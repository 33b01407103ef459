import type { ReassignLimits } from "./state-machine.ts";

/**
 * The rules of a trip after the accept (state-machine.ts), as the booking worker applies
 * them. Defaults: a driver has their ETA to the pickup plus 5 minutes to arrive, or they
 * are dropped (driver no-show) and the booking searched again; the customer has 5
 * minutes after the driver arrived, or the booking is cancelled as a customer no-show;
 * a booking is reassigned at most 3 times and only within 30 minutes of its request,
 * else it expires; no pickup code is required to start.
 */
export interface TripSettings {
  /** Added to the driver's ETA to the pickup: past that, a driver who has not arrived is dropped. */
  arrivalGraceMs: number;
  /** How long a driver waits at the pickup before the customer is a no-show. */
  waitLimitMs: number;
  reassign: ReassignLimits;
  /** `booking.started` must carry the customer's pickup code. */
  pickupCodeRequired: boolean;
}

export const DEFAULT_TRIP: TripSettings = {
  arrivalGraceMs: 300_000,
  waitLimitMs: 300_000,
  reassign: { maxReassignments: 3, windowMs: 1_800_000 },
  pickupCodeRequired: false,
};
