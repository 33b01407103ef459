import { describe, expect, test } from "bun:test";
import type { ActiveTrip } from "../../shared/booking/active-trips.ts";
import { geofenceArrivalEventId } from "../../shared/booking/ids.ts";
import { parseEnvelope } from "../../shared/events/envelope.ts";
import type { TrailPoint } from "../../shared/history/downsample.ts";
import { pointAt } from "../../shared/history/testing.ts";
import { geofenceArrivals } from "./arrival-geofence.ts";
import { HOME } from "./testing.ts";

const T0 = Date.UTC(2026, 10, 1, 8);
const bookingId = "0f8fad5b-d9cb-469f-a165-70867728950e";
const trip = (driverId: string, status: ActiveTrip["status"] = "accepted"): ActiveTrip => ({
  bookingId,
  driverId,
  customerId: "cust-1",
  orderId: null,
  status,
  vehicleType: "sedan",
  pickup: HOME,
  dropoff: HOME,
});
const fixes = (driverId: string, ...north: [number, number, string[]?][]): TrailPoint[] =>
  north.map(([s, m, flags]) => ({ ...pointAt(driverId, T0, s, HOME.lat, HOME.lng, m), flags: (flags ?? []) as TrailPoint["flags"] }));

describe("pickup geofence", () => {
  test("the first plausible fix within the radius is the arrival, dated by that fix, with an id per trip", () => {
    const byDriver = new Map([["d-1", fixes("d-1", [0, 400], [10, 150], [20, 80], [30, 10])]]);
    const [record, ...rest] = geofenceArrivals(byDriver, new Map([["d-1", trip("d-1")]]), 100);
    expect(rest).toEqual([]);
    const e = parseEnvelope(record!.value);
    expect(e).toMatchObject({
      id: geofenceArrivalEventId(bookingId, "d-1"),
      type: "booking.driver-arrived",
      key: bookingId,
      occurredAt: new Date(T0 + 20_000).toISOString(),
      data: { bookingId, driverId: "d-1", detectedBy: "geofence" },
    });
  });

  test("nothing for fixes outside the radius, flagged fixes inside it, drivers already arrived or on no trip", () => {
    const trips = new Map([
      ["far", trip("far")],
      ["spoof", trip("spoof")],
      ["there", trip("there", "arrived")],
    ]);
    const byDriver = new Map([
      ["far", fixes("far", [0, 300], [10, 101])],
      ["spoof", fixes("spoof", [0, 5, ["speed"]])],
      ["there", fixes("there", [0, 0])],
      ["free", fixes("free", [0, 0])],
    ]);
    expect(geofenceArrivals(byDriver, trips, 100)).toEqual([]);
  });
});
