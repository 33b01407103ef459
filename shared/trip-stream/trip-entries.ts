import type { TimelineEntry } from "../booking/booking-query.ts";
import type { Eta } from "../eta/eta-estimator.ts";
import type { TripBatch } from "./trip-stream.ts";

/*
 * What the workers append to a booking's stream, one builder per SSE event, so the
 * payloads clients read are defined in one place (README, live trip stream):
 *   status    the timeline entry of an applied booking event: {eventId, type, at, applied, reason?}
 *   location  the assigned driver's newest plausible fix: {lat, lng, heading?, speed?, recordedAt}
 *   eta       {to: "pickup" | "dropoff", seconds, distanceM, model, at}
 */

/** Where an ETA runs to: the pickup until the trip starts, then the drop-off. */
export type EtaLeg = "pickup" | "dropoff";

export interface StreamFix {
  lat: number;
  lng: number;
  heading: number | null;
  speed: number | null;
  /** ms since epoch, device time */
  recordedAt: number;
}

/** Positions: newest first, at most one a second (device time); a repeated or older fix is skipped. */
export const LOCATION_GAP_MS = 1_000;
/** ETAs from positions: at most one every 5 s; one after each status change besides. */
export const ETA_GAP_MS = 5_000;

const etaData = (leg: EtaLeg, eta: Eta, at: number) =>
  JSON.stringify({ to: leg, seconds: eta.seconds, distanceM: eta.distanceM, model: eta.model, at: new Date(at).toISOString() });

/** An applied booking event, keyed by its event id; `ends` when it left the booking in a final state. */
export function statusBatch(entry: TimelineEntry, ends: boolean): TripBatch {
  return { key: entry.eventId, entries: [{ kind: "status", data: JSON.stringify(entry) }], ...(ends ? { ends } : {}) };
}

/** The ETA a status change calls for (accepted: to the pickup; started: to the drop-off), keyed by the event. */
export function statusEtaBatch(eventId: string, leg: EtaLeg, eta: Eta, at: number): TripBatch {
  return { key: `eta:${eventId}`, entries: [{ kind: "eta", data: etaData(leg, eta, at) }] };
}

export function locationBatch(fix: StreamFix): TripBatch {
  const data = {
    lat: fix.lat,
    lng: fix.lng,
    ...(fix.heading === null ? {} : { heading: fix.heading }),
    ...(fix.speed === null ? {} : { speed: fix.speed }),
    recordedAt: new Date(fix.recordedAt).toISOString(),
  };
  return {
    series: { name: "location", at: fix.recordedAt, minGapMs: LOCATION_GAP_MS },
    entries: [{ kind: "location", data: JSON.stringify(data) }],
  };
}

/** The ETA from a position, in its own series so it is throttled apart from positions. */
export function positionEtaBatch(leg: EtaLeg, eta: Eta, fixAt: number): TripBatch {
  return { series: { name: "eta", at: fixAt, minGapMs: ETA_GAP_MS }, entries: [{ kind: "eta", data: etaData(leg, eta, fixAt) }] };
}
