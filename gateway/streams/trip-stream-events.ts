import * as v from "valibot";
import { ENTRY_ID_PATTERN } from "../../shared/trip-stream/trip-stream.ts";
import { IsoTimestampSchema } from "../openapi/shared-docs.ts";
import { TimelineEntrySchema } from "../routes/booking.ts";
import { EtaViewSchema } from "../views/pickup-eta.ts";

/*
 * The events of GET /v1/bookings/{bookingId}/stream, for the OpenAPI document and the
 * tests that check real streams against it. The workers write them (shared/trip-stream/
 * trip-entries.ts); the gateway passes them on, each status shaped for the caller.
 */

/** An SSE id: the stream store's entry id, which a client sends back as Last-Event-ID. */
export const EntryIdSchema = v.pipe(v.string(), v.regex(ENTRY_ID_PATTERN, "must be an id this stream sent"));

/** `location`: the assigned driver's newest plausible fix, at most one a second (device time). */
export const TripLocationSchema = v.strictObject({
  lat: v.number(),
  lng: v.number(),
  heading: v.optional(v.number()),
  speed: v.optional(v.number()),
  recordedAt: IsoTimestampSchema,
});

/** `eta`: to the pickup until the trip starts, then to the drop-off; `at` is the instant it was estimated for. */
export const TripEtaSchema = v.strictObject({ to: v.picklist(["pickup", "dropoff"]), ...EtaViewSchema.entries, at: IsoTimestampSchema });

const message = <E extends string, D extends v.GenericSchema>(event: E, data: D) =>
  v.strictObject({ event: v.literal(event), id: EntryIdSchema, data });

/**
 * One message of the stream as its fields read once `data` is parsed as JSON (as
 * OpenAPI 3.2's `itemSchema` for text/event-stream would say); comments (`: keep-alive`)
 * are not messages. `truncated` has no id: the client resumed from before the oldest
 * entry the stream keeps, and GET /v1/bookings/{bookingId} has the whole timeline.
 */
export const TripStreamMessageSchema = v.union([
  message("status", TimelineEntrySchema),
  message("location", TripLocationSchema),
  message("eta", TripEtaSchema),
  v.strictObject({ event: v.literal("truncated"), data: v.strictObject({ detail: v.string() }) }),
]);
