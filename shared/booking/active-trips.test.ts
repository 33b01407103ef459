import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Db } from "../db/open-libsql.ts";
import { bookings } from "../db/schema.ts";
import { openTempHistory } from "../history/testing.ts";
import { activeTripsOf } from "./active-trips.ts";
import type { BookingStatus } from "./state-machine.ts";

let history: Awaited<ReturnType<typeof openTempHistory>>;
let db: Db;

beforeAll(async () => {
  history = await openTempHistory();
  db = history.db;
  const row = (bookingId: string, driverId: string | null, status: BookingStatus) => ({
    bookingId,
    customerId: "cust-1",
    vehicleType: "sedan" as const,
    pickupLat: 12.97,
    pickupLng: 77.59,
    pickupAddress: bookingId === "b-accepted" ? "Gate 2" : null,
    dropoffLat: 12.93,
    dropoffLng: 77.62,
    fareAmount: 120,
    fareCurrency: "INR",
    status,
    driverId,
    wave: 1,
    version: 3,
    correlationId: "c",
    requestedAt: "2026-12-04T10:00:00.000Z",
    updatedAt: "2026-12-04T10:01:00.000Z",
  });
  await db.orm
    .insert(bookings)
    .values([
      row("b-accepted", "drv-1", "accepted"),
      row("b-started", "drv-2", "started"),
      row("b-completed", "drv-3", "completed"),
      row("b-cancelled", "drv-4", "cancelled"),
      row("b-offered", null, "offered"),
    ]);
});
afterAll(() => history.remove());

test("drivers on an accepted or started booking map to it; finished bookings and unknown drivers do not", async () => {
  const trips = await activeTripsOf(db.orm, ["drv-1", "drv-2", "drv-3", "drv-4", "drv-9"]);
  expect([...trips.keys()].sort()).toEqual(["drv-1", "drv-2"]);
  expect(trips.get("drv-1")).toMatchObject({
    bookingId: "b-accepted",
    status: "accepted",
    pickup: { lat: 12.97, lng: 77.59, address: "Gate 2" },
  });
  expect(trips.get("drv-2")?.pickup).toEqual({ lat: 12.97, lng: 77.59 });
});
