import { describe, expect, test } from "bun:test";
import { VEHICLE_TYPES } from "../events/driver.ts";
import type { EtaEstimator } from "./eta-estimator.ts";

/** The suite every EtaEstimator passes; each adapter's test calls it with a factory. */
export function runEtaEstimatorContract(opts: { name: string; create: () => EtaEstimator | Promise<EtaEstimator> }): void {
  describe(`EtaEstimator contract: ${opts.name}`, () => {
    const here = { lat: 12.9716, lng: 77.5946 };
    const north = (km: number) => ({ lat: here.lat + km / 111.2, lng: here.lng });

    test("the same point is zero seconds away", async () => {
      const eta = await (await opts.create()).estimate({ from: here, to: here, vehicleType: "sedan" });
      expect(eta.seconds).toBe(0);
      expect(eta.model.length).toBeGreaterThan(0);
    });

    test("finite, non-negative, and never shorter for a farther point on the same bearing, for every vehicle type", async () => {
      const eta = await opts.create();
      for (const vehicleType of VEHICLE_TYPES) {
        let previous = 0;
        for (const km of [0.1, 0.5, 1, 3, 10, 40]) {
          const e = await eta.estimate({ from: here, to: north(km), vehicleType });
          expect(Number.isFinite(e.seconds) && e.seconds >= 0).toBe(true);
          expect(e.distanceM).toBeGreaterThanOrEqual(km * 1000 * 0.99);
          expect(e.seconds).toBeGreaterThanOrEqual(previous);
          previous = e.seconds;
        }
      }
    });

    test("a standing driver's speed does not make the estimate infinite", async () => {
      const e = await (await opts.create()).estimate({ from: here, to: north(2), vehicleType: "auto", recentSpeedMps: 0 });
      expect(Number.isFinite(e.seconds)).toBe(true);
      expect(e.seconds).toBeGreaterThan(0);
    });
  });
}
