import type { FarePoint } from "../../shared/booking/final-fare.ts";
import type { BookingSnapshot, Verdict } from "../../shared/booking/state-machine.ts";
import type { TripSettings } from "../../shared/booking/trip-settings.ts";
import type { WavePlan, WaveSettings } from "../../shared/booking/waves.ts";
import type { bookings, bookingTimers } from "../../shared/db/schema.ts";
import type { Eta } from "../../shared/eta/eta-estimator.ts";
import type { Fare, Place } from "../../shared/events/booking.ts";
import type { VehicleType } from "../../shared/events/driver.ts";
import type { StatusUpdate } from "../../shared/geo/geo-index.ts";
import type { OutgoingRecord } from "../../shared/log/event-log.ts";
import type { ParsedBookingEvent } from "./booking-event.ts";

/*
 * The booking worker's model: a booking as it decides on it, and what one decision
 * changes. Its own file, so the store (which writes outcomes) and the reactions (which
 * make them from loaded bookings) need not import each other.
 */

/** A booking as the worker decides on it: the state machine's snapshot plus what its follow-ups need. */
export interface LoadedBooking extends BookingSnapshot {
  bookingId: string;
  customerId: string;
  orderId: string | null;
  vehicleType: VehicleType;
  pickup: Place;
  dropoff: Place;
  fareEstimate: Fare;
  /** The surge multiplier locked at request time. */
  surge: number;
  correlationId: string;
  version: number;
  /** ISO-8601 occurredAt of the request, and of the current driver's arrival and start (null until then). */
  requestedAt: string;
  arrivedAt: string | null;
  startedAt: string | null;
  /** Drivers offered the booking in the current search round: its later waves skip them. */
  roundOfferedDriverIds: readonly string[];
}

/** The columns an applied event changes: always the status, driver and time; the rest when the event says so. */
export type BookingPatch = Pick<typeof bookings.$inferInsert, "status" | "driverId" | "updatedAt"> &
  Partial<
    Pick<
      typeof bookings.$inferInsert,
      "wave" | "round" | "droppedDriverIds" | "arrivedAt" | "startedAt" | "endReason" | "cancelledBy" | "feeAmount" | "finalFare"
    >
  >;

/** Everything one event changes; written in one transaction (booking-store.ts), except `geo`. */
export interface Outcome {
  audit: { eventId: string; bookingId: string; type: string; occurredAt: string; applied: boolean; reason: string | null; data: string };
  insert?: typeof bookings.$inferInsert;
  update?: BookingPatch;
  offers?: { wave: number; round: number; driverIds: string[] };
  timer?: typeof bookingTimers.$inferInsert;
  cancelTimers: boolean;
  /** What counts against a driver who dropped the booking (added to driver_counters). */
  counter?: { driverId: string; cancelsAfterAccept: number; noShows: number };
  /** Follow-up records, published after the commit (outbox.ts). */
  outbox: OutgoingRecord[];
  /** Driver availability, written before the transaction: idempotent (ordered by changedAt), so a retry repeats it harmlessly. */
  geo: StatusUpdate[];
}

export interface ReactionInput {
  before: LoadedBooking | null;
  event: ParsedBookingEvent;
  verdict: Verdict;
  /** The next wave, planned when the verdict applies a `booking.requested`, `booking.wave-due` or `booking.reassigning`. */
  plan?: WavePlan;
  /** For an applied `booking.accepted`: the driver's ETA to the pickup (ms), which starts their arrival deadline. */
  etaMs?: number;
  /** For an applied `booking.completion-requested`: the driver's stored trail since the start. */
  trail?: readonly FarePoint[];
  waves: WaveSettings;
  trip: TripSettings;
  now: number;
  /** For an applied `booking.offered`: each offered driver's ETA to the pickup, where known. */
  offerEtas?: ReadonlyMap<string, Eta>;
}
