import { afterAll, describe, expect, test } from "bun:test";
import type { DemandEntry, SurgeStore, SurgeZone, ZoneSurge } from "./surge-store.ts";

/**
 * The universal SurgeStore suite: every adapter's test file calls it, and an adapter
 * that passes it can replace another (the embedded one in dev, Redis over Bun's client
 * for the surge worker, Redis over Upstash REST for a gateway).
 */
export interface SurgeStoreContractOptions {
  name: string;
  /** A new, empty store each call (its own keys); the suite closes it. */
  create: () => Promise<SurgeStore>;
}

const T0 = 1_800_000_000_000;
const A: SurgeZone = { cell: "872a1072bffffff", vehicleType: "sedan" };
const B: SurgeZone = { cell: "872a1072bffffff", vehicleType: "auto" };
const C: SurgeZone = { cell: "872a10729ffffff", vehicleType: "sedan" };
const entry = (z: SurgeZone, bookingId: string, at: number): DemandEntry => ({ ...z, bookingId, at });
const state = (z: SurgeZone, over: Partial<ZoneSurge> = {}): ZoneSurge => ({
  ...z,
  multiplier: 1.75,
  demand: 7,
  supply: 3,
  windowS: 600,
  updatedAt: T0,
  settled: false,
  ...over,
});
const names = (zones: SurgeZone[]) => zones.map((z) => `${z.vehicleType}:${z.cell}`).sort();

export function runSurgeStoreContract(opts: SurgeStoreContractOptions): void {
  describe(`SurgeStore contract: ${opts.name}`, () => {
    const open: SurgeStore[] = [];
    afterAll(() => Promise.allSettled(open.map((s) => s.close())));
    const fresh = async () => {
      const store = await opts.create();
      open.push(store);
      return store;
    };

    test("demand counts each booking once, per zone (cell and vehicle type apart)", async () => {
      const store = await fresh();
      await store.recordDemand([entry(A, "b1", T0), entry(A, "b2", T0 + 1), entry(B, "b3", T0), entry(C, "b4", T0)]);
      await store.recordDemand([entry(A, "b1", T0), entry(A, "b2", T0 + 1)]);
      expect(await store.demand([A, B, C], T0)).toEqual([2, 1, 1]);
      expect(await store.demand([{ cell: A.cell, vehicleType: "van" }], T0)).toEqual([0]);
    });

    test("demand counts entries at or after `since` and forgets older ones", async () => {
      const store = await fresh();
      await store.recordDemand([entry(A, "old", T0), entry(A, "edge", T0 + 1_000), entry(A, "new", T0 + 2_000)]);
      expect(await store.demand([A], T0 + 1_000)).toEqual([2]);
      // Forgotten: a wider window does not bring them back.
      expect(await store.demand([A], T0)).toEqual([2]);
    });

    test("states round-trip per zone; a zone never put is null", async () => {
      const store = await fresh();
      await store.put([state(A), state(B, { multiplier: 1, demand: 0, supply: 12, settled: true })]);
      expect(await store.get([A, B, C])).toEqual([state(A), state(B, { multiplier: 1, demand: 0, supply: 12, settled: true }), null]);
      await store.put([state(A, { multiplier: 2.5, updatedAt: T0 + 5_000 })]);
      expect((await store.get([A]))[0]).toEqual(state(A, { multiplier: 2.5, updatedAt: T0 + 5_000 }));
    });

    test("active zones: recorded demand or an unsettled state; settling removes a zone until new demand", async () => {
      const store = await fresh();
      expect(await store.activeZones()).toEqual([]);
      await store.recordDemand([entry(A, "b1", T0)]);
      await store.put([state(C)]);
      expect(names(await store.activeZones())).toEqual(names([A, C]));
      await store.put([state(A, { settled: true }), state(C, { settled: true })]);
      expect(await store.activeZones()).toEqual([]);
      await store.recordDemand([entry(C, "b2", T0 + 1)]);
      expect(names(await store.activeZones())).toEqual(names([C]));
    });
  });
}
