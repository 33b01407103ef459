import { describe, expect, test } from "bun:test";
import { getHexagonAreaAvg } from "h3-js";
import { cellCircle, DEFAULT_SURGE, inCell, nextSurge, SURGE_RESOLUTION, surgeZoneOf, targetMultiplier } from "./surge-formula.ts";

const zone = surgeZoneOf(12.9716, 77.5946, "sedan");
const T0 = 1_800_000_000_000;
const s = DEFAULT_SURGE;

describe("surge formula", () => {
  test("zones are resolution-7 cells (≈ 5 km²) per vehicle type", () => {
    expect(SURGE_RESOLUTION).toBe(7);
    expect(getHexagonAreaAvg(SURGE_RESOLUTION, "km2")).toBeCloseTo(5.16, 1);
    expect(zone).toEqual({ cell: "8760145b4ffffff", vehicleType: "sedan" });
  });

  test("target: one booking per driver keeps the floor; pressure above 1 raises it by half the excess, up to the cap", () => {
    expect(targetMultiplier(0, 0, s)).toBe(1);
    expect(targetMultiplier(5, 5, s)).toBe(1);
    expect(targetMultiplier(2, 10, s)).toBe(1);
    expect(targetMultiplier(6, 2, s)).toBe(2);
    expect(targetMultiplier(4, 0, s)).toBe(2.5);
    expect(targetMultiplier(100, 1, s)).toBe(3);
    expect(targetMultiplier(100, 1, { ...s, cap: 1.8 })).toBe(1.8);
    expect(targetMultiplier(0, 10, { ...s, floor: 0.9 })).toBe(0.9);
  });

  test("smoothing: a new zone starts at its target; then each update moves 1 − e^(−Δt/τ) of the way", () => {
    const first = nextSurge(zone, null, { demand: 6, supply: 2 }, T0, s);
    expect(first).toMatchObject({ multiplier: 2, demand: 6, supply: 2, windowS: 600, updatedAt: T0, settled: false });
    // Demand gone: after one τ the multiplier has fallen 63 % of the way to the floor.
    const later = nextSurge(zone, first, { demand: 0, supply: 2 }, T0 + s.smoothingMs, s);
    expect(later.multiplier).toBe(Math.round((2 - (1 - Math.exp(-1))) * 100) / 100);
    expect(later.settled).toBe(false);
    // Long after, it is back at the floor and the zone is settled.
    const rest = nextSurge(zone, later, { demand: 0, supply: 2 }, T0 + 20 * s.smoothingMs, s);
    expect(rest).toMatchObject({ multiplier: 1, settled: true });
    // Frequent updates close in on the target and reach it: a step too small to show moves a cent instead.
    let m = nextSurge(zone, null, { demand: 3, supply: 1 }, T0, s);
    for (let i = 1; i <= 400; i++) m = nextSurge(zone, m, { demand: 0, supply: 1 }, T0 + i * 200, { ...s, smoothingMs: 500 });
    expect(m).toMatchObject({ multiplier: 1, settled: true });
    // An update at the same instant changes nothing.
    expect(nextSurge(zone, first, { demand: 0, supply: 9 }, T0, s).multiplier).toBe(2);
  });

  test("a cell's circle holds the whole cell", () => {
    const c = cellCircle(zone.cell);
    expect(inCell(c.lat, c.lng, zone.cell)).toBe(true);
    expect(c.radiusM).toBeGreaterThan(1_200);
    expect(c.radiusM).toBeLessThan(1_700);
  });
});
