import type { TripSettings } from "../../shared/booking/trip-settings.ts";
import type { WorkerDeps } from "../deps.ts";
import type { MatchingSettings } from "./matching.ts";

/* What the booking handler is built with; its own file, so the handler's helpers (trip-inputs.ts) need not import the handler. */

export type BookingDeps = Pick<WorkerDeps, "db" | "geo" | "eta" | "outbox">;

export interface BookingHandlerSettings extends MatchingSettings {
  /** Arrival deadlines, the customer's wait limit, reassignment limits, the pickup code (shared/booking/trip-settings.ts). */
  trip: TripSettings;
  now: () => number;
}
