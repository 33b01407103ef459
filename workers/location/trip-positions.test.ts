import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import type { BookingStatus } from "../../shared/booking/state-machine.ts";
import type { Db } from "../../shared/db/open-libsql.ts";
import { bookings } from "../../shared/db/schema.ts";
import { createStraightLineEta } from "../../shared/eta/straight-line-eta.ts";
import { createEmbeddedGeoIndex } from "../../shared/geo/embedded/embedded-geo.ts";
import { openTempHistory } from "../../shared/history/testing.ts";
import { createEmbeddedTripStream } from "../../shared/trip-stream/embedded/embedded-trip-stream.ts";
import type { TripStream } from "../../shared/trip-stream/trip-stream.ts";
import { recordingPublisher } from "../booking/testing.ts";
import { HOME, latAt, locationEvent } from "../shared/testing.ts";
import { createLocationHandler, type LocationDeps } from "./location-handler.ts";

describe("location handler → trip streams (libSQL file + embedded geo + in-process stream)", () => {
  let history: Awaited<ReturnType<typeof openTempHistory>>;
  let db: Db;
  let tripStream: TripStream;
  let deps: LocationDeps;
  const t0 = Date.now() - 60_000;
  const booking = crypto.randomUUID();

  const trip = (bookingId: string, driverId: string, status: BookingStatus) =>
    db.orm.insert(bookings).values({
      bookingId,
      customerId: "cust-1",
      vehicleType: "sedan",
      pickupLat: latAt(3_000),
      pickupLng: HOME.lng,
      dropoffLat: latAt(9_000),
      dropoffLng: HOME.lng,
      fareAmount: 100,
      fareCurrency: "INR",
      status,
      driverId,
      wave: 1,
      version: 3,
      correlationId: "c",
      requestedAt: new Date(t0).toISOString(),
      updatedAt: new Date(t0).toISOString(),
    });
  const stream = async (bookingId: string) =>
    (await tripStream.read(bookingId, { limit: 100 })).entries.map(
      (e): Record<string, unknown> => ({ kind: e.kind, ...(JSON.parse(e.data) as Record<string, unknown>) }),
    );

  beforeEach(async () => {
    history = await openTempHistory("fleet-trip-positions-");
    db = history.db;
    tripStream = createEmbeddedTripStream();
    deps = { db, geo: createEmbeddedGeoIndex(), publisher: recordingPublisher(), tripStream, eta: createStraightLineEta() };
    await trip(booking, "on-trip", "accepted");
    await trip(crypto.randomUUID(), "finished", "completed");
  });
  afterEach(async () => {
    await tripStream.close();
    history.remove();
  });

  test("a driver on a trip streams its newest fix of the batch and an ETA to the pickup; a driver off trips streams nothing", async () => {
    const handler = createLocationHandler(deps);
    await handler([
      locationEvent("on-trip", t0, [{ s: 0 }, { s: 1, north: 10 }]),
      locationEvent("finished", t0, [{ s: 1 }]),
      locationEvent("idle", t0, [{ s: 1 }]),
    ]);
    const s = await stream(booking);
    expect(s.map((e) => e.kind)).toEqual(["location", "eta"]);
    expect(s[0]).toEqual({
      kind: "location",
      lat: latAt(10),
      lng: HOME.lng,
      heading: 0,
      speed: 5,
      recordedAt: new Date(t0 + 1_000).toISOString(),
    });
    expect(s[1]).toMatchObject({ to: "pickup", model: "straight-line/recent-speed" });
    // ~2990 m × 1.3 at the fix's 5 m/s
    expect(s[1]!.seconds as number).toBeGreaterThan(700);
  });

  test("at most one position a second, never an older or repeated one (a redelivered batch), never a flagged fix", async () => {
    const handler = createLocationHandler(deps);
    const first = locationEvent("on-trip", t0, [{ s: 10 }]);
    await handler([first]);
    await handler([first]);
    await handler([locationEvent("on-trip", t0, [{ s: 10.5, north: 5 }])]);
    await handler([locationEvent("on-trip", t0, [{ s: 8, north: 5 }])]);
    await handler([locationEvent("on-trip", t0, [{ s: 11, north: 5_000, flags: ["accuracy"] }])]);
    await handler([locationEvent("on-trip", t0, [{ s: 12, north: 20 }])]);
    const positions = (await stream(booking)).filter((e) => e.kind === "location").map((e) => e.recordedAt);
    expect(positions).toEqual([new Date(t0 + 10_000).toISOString(), new Date(t0 + 12_000).toISOString()]);
  });

  test("after the start the ETA runs to the drop-off; a fix from long ago (a replay) is not streamed", async () => {
    const handler = createLocationHandler(deps, { maxLiveAgeMs: 120_000 });
    await db.orm.update(bookings).set({ status: "started" }).where(eq(bookings.bookingId, booking));
    await handler([locationEvent("on-trip", t0 - 3_600_000, [{ s: 0 }])]);
    expect(await stream(booking)).toEqual([]);
    await handler([locationEvent("on-trip", t0, [{ s: 20 }])]);
    expect((await stream(booking)).find((e) => e.kind === "eta")).toMatchObject({ to: "dropoff" });
  });
});
