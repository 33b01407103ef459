import type { TripSettings } from "../../shared/booking/trip-settings.ts";
import type { WorkerDeps } from "../deps.ts";
import type { MatchingSettings } from "./matching.ts";

/* What the booking handler is built with; its own file, so the handler's helpers (trip-inputs.ts) need not import the handler. */

/** Without a trip stream nothing is streamed. */
export type BookingDeps = Pick<WorkerDeps, "db" | "geo" | "eta" | "outbox"> & Partial<Pick<WorkerDeps, "tripStream">>;

export interface BookingHandlerSettings extends MatchingSettings {
  /** Arrival deadlines, the customer's wait limit, reassignment limits, the pickup code (shared/booking/trip-settings.ts). */
  trip: TripSettings;
  now: () => number;
  /** A redelivered event applied this recently is streamed again (trip-status.ts); older ones are a replay. */
  restreamWithinMs: number;
}
