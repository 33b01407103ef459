import { describe, expect, test } from "bun:test";
import { M_PER_DEG_LAT } from "../geo/haversine.ts";
import { drivenDistanceM, finalFare } from "./final-fare.ts";

const start = { lat: 12.9716, lng: 77.5946 };
const north = (m: number, t: number, flags?: string[]) => ({ lat: start.lat + m / M_PER_DEG_LAT, lng: start.lng, recordedAt: t, flags });
const trip = { vehicleType: "sedan" as const, surge: 1, arrivedAt: null, startedAt: "2026-11-01T08:00:00.000Z" };

describe("final fare", () => {
  test("distance is the sum along the plausible points in time order; flagged fixes are left out", () => {
    expect(drivenDistanceM([north(1_000, 3), north(0, 1), north(500, 2)])).toBeCloseTo(1_000, 6);
    expect(drivenDistanceM([north(0, 1), north(40_000, 2, ["speed"]), north(300, 3)])).toBeCloseTo(300, 6);
    expect(drivenDistanceM([])).toBe(0);
  });

  test("(base + per-km × km) × surge + waiting past the free minutes, per started minute, not surged", () => {
    const points = [north(0, 1), north(2_500, 2)];
    expect(finalFare(trip, points)).toEqual({
      distanceM: 2_500,
      waitingS: 0,
      base: 50,
      distanceCharge: 40,
      waitingFee: 0,
      surge: 1,
      amount: 90,
      currency: "INR",
    });
    // 4 min 10 s at the pickup: 5 started minutes, 2 charged at 2 INR; surge 1.5 on base and distance only.
    const waited = finalFare({ ...trip, surge: 1.5, arrivedAt: "2026-11-01T07:55:50.000Z" }, points);
    expect(waited).toMatchObject({ waitingS: 250, waitingFee: 4, amount: 90 * 1.5 + 4 });
    // Starting before the arrival was recorded charges no waiting.
    expect(finalFare({ ...trip, arrivedAt: "2026-11-01T08:01:00.000Z" }, points).waitingS).toBe(0);
  });
});
