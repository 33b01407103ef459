import { describe, expect, test } from "bun:test";
import { VEHICLE_TYPES } from "../events/driver.ts";
import { M_PER_DEG_LAT } from "../history/testing.ts";
import { estimateFare, FARE_TABLE, roundToCents } from "./fare.ts";

const pickup = { lat: 12.9716, lng: 77.5946 };
/** A dropoff exactly `km` north of the pickup (moves along a meridian are exact on the haversine sphere). */
const north = (km: number) => ({ lat: pickup.lat + (km * 1000) / M_PER_DEG_LAT, lng: pickup.lng });

describe("fare estimate", () => {
  test("base + per-km × great-circle km, in INR", () => {
    expect(estimateFare({ pickup, dropoff: north(10), vehicleType: "sedan" })).toEqual({ amount: 50 + 16 * 10, currency: "INR" });
    expect(estimateFare({ pickup, dropoff: north(2.5), vehicleType: "tipper" })).toEqual({ amount: 600 + 45 * 2.5, currency: "INR" });
  });

  test("the same place costs the base fare; every vehicle type has a tariff", () => {
    for (const t of VEHICLE_TYPES) expect(estimateFare({ pickup, dropoff: pickup, vehicleType: t }).amount).toBe(FARE_TABLE[t].base);
  });

  test("surge multiplies the whole fare; the result is rounded to 2 decimals", () => {
    expect(estimateFare({ pickup, dropoff: north(10), vehicleType: "sedan", surge: 1.5 }).amount).toBe(315);
    const odd = estimateFare({ pickup, dropoff: north(1.23456), vehicleType: "auto" }).amount;
    expect(odd).toBe(44.81);
  });

  test("rounding works on the decimal a person reads", () => {
    expect(roundToCents(1.005)).toBe(1.01);
    expect(roundToCents(2.675)).toBe(2.68);
    expect(roundToCents(12345.674999)).toBe(12345.67);
    expect(roundToCents(0)).toBe(0);
  });
});
