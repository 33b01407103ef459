import { expect, test } from "bun:test";
import { haversineM } from "../geo/haversine.ts";
import { runEtaEstimatorContract } from "./eta-estimator.contract.ts";
import { createStraightLineEta, DEFAULT_DETOUR_FACTOR, URBAN_SPEED_KMH } from "./straight-line-eta.ts";

runEtaEstimatorContract({ name: "straight line", create: () => createStraightLineEta() });

const from = { lat: 12.9716, lng: 77.5946 };
const to = { lat: 12.9352, lng: 77.6245 };

test("without a moving driver: haversine × detour ÷ the vehicle type's urban speed", async () => {
  const e = await createStraightLineEta().estimate({ from, to, vehicleType: "tipper" });
  const expected = (haversineM(from.lat, from.lng, to.lat, to.lng) * DEFAULT_DETOUR_FACTOR) / (URBAN_SPEED_KMH.tipper / 3.6);
  expect(e.seconds).toBe(Math.round(expected));
  expect(e.model).toBe("straight-line/typical-speed");
});

test("a moving driver's recent speed is used, capped at twice the urban speed", async () => {
  const eta = createStraightLineEta();
  const slow = await eta.estimate({ from, to, vehicleType: "sedan", recentSpeedMps: 5 });
  const fast = await eta.estimate({ from, to, vehicleType: "sedan", recentSpeedMps: 60 });
  const capped = await eta.estimate({ from, to, vehicleType: "sedan", recentSpeedMps: (2 * URBAN_SPEED_KMH.sedan) / 3.6 });
  expect(slow.model).toBe("straight-line/recent-speed");
  expect(Math.abs(slow.seconds - slow.distanceM / 5)).toBeLessThanOrEqual(1);
  expect(fast.seconds).toBe(capped.seconds);
});
