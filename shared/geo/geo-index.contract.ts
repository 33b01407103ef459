import { afterAll, describe, expect, test } from "bun:test";
import { NonRetriableError } from "../errors/errors.ts";
import type { VehicleType } from "../events/driver.ts";
import { straddleEdge } from "./contract/cell-edges.ts";
import { checkNearby } from "./contract/check-nearby.ts";
import { METRO, randomMetro, randomQuery } from "./contract/random-metro.ts";
import { ReferenceModel } from "./contract/reference-model.ts";
import { offset, seededRandom } from "./contract/seeded-random.ts";
import type { GeoIndex, NearbyQuery, PositionUpdate, StatusUpdate } from "./geo-index.ts";

/**
 * The universal GeoIndex suite: every adapter's test file calls it, and an adapter
 * that passes it can replace another. Nearby answers are checked against a
 * brute-force haversine oracle (ReferenceModel + checkNearby), so "exact" means
 * exactly what a filter + sort over every fresh available driver would return.
 */
export interface GeoIndexContractOptions {
  name: string;
  /** A new, empty index each call (its own keys); the suite closes it. */
  create: () => Promise<GeoIndex>;
}

const T0 = 1_800_000_000_000;
const STALE_MS = 60_000;
/** Cell edges at every resolution an adapter could plausibly shard at. */
const RESOLUTIONS = [5, 6, 7, 8, 9];

export function runGeoIndexContract(opts: GeoIndexContractOptions): void {
  describe(`GeoIndex contract: ${opts.name}`, () => {
    const open: GeoIndex[] = [];
    afterAll(() => Promise.allSettled(open.map((g) => g.close())));

    /** An index plus the oracle, fed the same updates. */
    async function fixture() {
      const geo = await opts.create();
      open.push(geo);
      const model = new ReferenceModel();
      return {
        geo,
        model,
        async fix(updates: PositionUpdate[]) {
          const moved = await geo.upsertPositions(updates);
          expect(moved).toBe(model.upsert(updates));
          return moved;
        },
        async status(updates: StatusUpdate[]) {
          await geo.setStatus(updates);
          model.setStatus(updates);
        },
        /** Nearby over METRO (2 km, sedan, limit 10 unless overridden), checked against the oracle. */
        async nearby(q: Partial<NearbyQuery>) {
          const query = { ...METRO, radiusM: 2_000, vehicleType: "sedan" as VehicleType, limit: 10, now: T0, staleAfterMs: STALE_MS, ...q };
          const found = await geo.nearby(query);
          expect(checkNearby(found, query, model)).toEqual([]);
          return found;
        },
        async ids(q: Partial<NearbyQuery>) {
          return (await this.nearby(q)).map((d) => d.driverId);
        },
      };
    }
    const at = (driverId: string, distanceM: number, bearingDeg: number, recordedAt = T0): PositionUpdate => ({
      driverId,
      ...offset(METRO.lat, METRO.lng, distanceM, (bearingDeg * Math.PI) / 180),
      recordedAt,
    });
    const available = (driverId: string, vehicleType: VehicleType = "sedan", changedAt = T0): StatusUpdate => ({
      driverId,
      status: "available",
      vehicleType,
      changedAt,
    });

    test("three drivers come back nearest first with their distances; limit cuts the list", async () => {
      const f = await fixture();
      await f.status([...["a", "b", "c", "far", "busy"].map((id) => available(id)), available("bike", "bike")]);
      await f.status([{ driverId: "busy", status: "busy", vehicleType: "sedan", changedAt: T0 + 1 }]);
      await f.fix([at("c", 1_000, 180), at("a", 100, 0), at("b", 300, 90), at("far", 3_000, 45), at("busy", 50, 0), at("bike", 10, 0)]);
      const found = await f.nearby({});
      expect(found.map((d) => [d.driverId, Math.round(d.distanceM / 10) * 10, d.lastSeenAt])).toEqual([
        ["a", 100, T0],
        ["b", 300, T0],
        ["c", 1_000, T0],
      ]);
      expect(await f.ids({ limit: 2 })).toEqual(["a", "b"]);
      expect(await f.ids({ vehicleType: "bike" })).toEqual(["bike"]);
    });

    test("get returns status, vehicle type and newest position; unknown drivers are null", async () => {
      const f = await fixture();
      await f.status([available("both"), { driverId: "status-only", status: "busy", vehicleType: "tipper", changedAt: T0 }]);
      await f.fix([at("both", 10, 0, T0 - 5), at("both", 20, 0), at("fix-only", 30, 0)]);
      expect(await f.geo.get("nobody")).toBeNull();
      expect(await f.geo.get("status-only")).toEqual({
        driverId: "status-only",
        status: "busy",
        vehicleType: "tipper",
        position: null,
        suspect: false,
      });
      const fixOnly = await f.geo.get("fix-only");
      expect(fixOnly).toMatchObject({
        driverId: "fix-only",
        status: null,
        vehicleType: null,
        position: { recordedAt: T0 },
        suspect: false,
      });
      const both = await f.geo.get("both");
      const want = at("both", 20, 0);
      expect(both).toMatchObject({ status: "available", vehicleType: "sedan", position: { recordedAt: T0 } });
      expect(both!.position!.lat).toBeCloseTo(want.lat, 5);
      expect(both!.position!.lng).toBeCloseTo(want.lng, 5);
    });

    test("listDrivers pages through every driver exactly as get sees it, whatever its status", async () => {
      const f = await fixture();
      const ids = Array.from({ length: 57 }, (_, i) => `list-${i}`);
      // Some drivers have only a status, some only a fix, most both; a third are busy.
      const statusOnly = (i: number) => i % 5 === 0 && i % 3 !== 2;
      await f.status(ids.filter((_, i) => i % 3 !== 2).map((id, i) => ({ ...available(id), status: i % 3 ? "available" : "busy" })));
      await f.fix(ids.filter((_, i) => !statusOnly(i)).map((id, i) => at(id, i * 10, 0)));
      await f.fix([{ ...at("list-1", 9_000, 0, T0 + 1_000), suspect: true }]);
      const listed = new Map<string, unknown>();
      let cursor: string | null = null;
      do {
        const page = await f.geo.listDrivers(cursor, 20);
        for (const d of page.drivers) listed.set(d.driverId, d);
        cursor = page.cursor;
      } while (cursor !== null);
      expect([...listed.keys()].sort()).toEqual([...ids].sort());
      for (const id of ids) expect(listed.get(id)).toEqual((await f.geo.get(id))!);
      expect(listed.get("list-1")).toMatchObject({ suspect: true });
    });

    test("listDrivers of an empty index lists no one", async () => {
      const f = await fixture();
      let cursor: string | null = null;
      const seen: string[] = [];
      do {
        const page = await f.geo.listDrivers(cursor, 200);
        seen.push(...page.drivers.map((d) => d.driverId));
        cursor = page.cursor;
      } while (cursor !== null);
      expect(seen).toEqual([]);
    });

    test("an older fix is ignored and a repeated fix changes nothing", async () => {
      const f = await fixture();
      await f.status([available("d")]);
      await f.fix([at("d", 100, 0, T0)]);
      expect(await f.fix([at("d", 900, 0, T0 - 1)])).toBe(0);
      expect(await f.fix([at("d", 100, 0, T0)])).toBe(0);
      expect((await f.geo.get("d"))?.position?.recordedAt).toBe(T0);
      expect(await f.ids({ radiusM: 150 })).toEqual(["d"]);
      // In one batch each fix is judged against the newest before it: +1, older (ignored), +1.
      expect(await f.fix([at("d", 200, 0, T0 + 2), at("d", 300, 0, T0 + 1), at("d", 400, 0, T0 + 3)])).toBe(2);
      expect(await f.ids({ now: T0 + 3 })).toEqual(["d"]);
      expect((await f.geo.get("d"))?.position?.recordedAt).toBe(T0 + 3);
      expect(await f.fix([])).toBe(0);
    });

    test("an older status change is ignored", async () => {
      const f = await fixture();
      await f.fix([at("d", 100, 0)]);
      await f.status([{ driverId: "d", status: "busy", vehicleType: "sedan", changedAt: T0 + 10 }, available("d", "sedan", T0 + 5)]);
      expect(await f.ids({})).toEqual([]);
      expect((await f.geo.get("d"))?.status).toBe("busy");
    });

    test("busy and offline drivers are excluded; available again returns them at their last position", async () => {
      const f = await fixture();
      await f.status([available("x"), available("y")]);
      await f.fix([at("x", 100, 0), at("y", 200, 0)]);
      await f.status([
        { driverId: "x", status: "busy", vehicleType: "sedan", changedAt: T0 + 1 },
        { driverId: "y", status: "offline", vehicleType: "sedan", changedAt: T0 + 1 },
      ]);
      expect(await f.ids({})).toEqual([]);
      await f.status([available("x", "sedan", T0 + 2), available("y", "sedan", T0 + 2)]);
      expect(await f.ids({})).toEqual(["x", "y"]);
    });

    test("a suspect fix keeps the driver out of nearby at its last plausible position until a newer plausible fix", async () => {
      const f = await fixture();
      await f.status([available("t"), available("near")]);
      await f.fix([at("t", 100, 0, T0), at("near", 300, 0, T0)]);
      expect(await f.fix([{ ...at("t", 40_000, 90, T0 + 1_000), suspect: true }])).toBe(1);
      expect(await f.ids({})).toEqual(["near"]);
      expect(await f.ids({ ...offset(METRO.lat, METRO.lng, 40_000, Math.PI / 2), radiusM: 5_000 })).toEqual([]);
      const held = await f.geo.get("t");
      expect(held).toMatchObject({ status: "available", suspect: true, position: { recordedAt: T0 } });
      expect(held!.position!.lat).toBeCloseTo(at("t", 100, 0).lat, 5);
      // Older plausible fixes (redelivered, late) do not clear it; neither does a status change.
      expect(await f.fix([at("t", 120, 0, T0 + 500)])).toBe(0);
      await f.status([{ driverId: "t", status: "busy", vehicleType: "sedan", changedAt: T0 + 1 }]);
      await f.status([available("t", "sedan", T0 + 2)]);
      expect(await f.ids({})).toEqual(["near"]);
      // A newer suspect fix keeps it out; the next plausible one brings it back where that fix is.
      expect(await f.fix([{ ...at("t", 41_000, 90, T0 + 2_000), suspect: true }])).toBe(1);
      expect(await f.fix([at("t", 200, 0, T0 + 3_000)])).toBe(1);
      expect(await f.ids({ now: T0 + 3_000 })).toEqual(["t", "near"]);
      expect(await f.geo.get("t")).toMatchObject({ suspect: false, position: { recordedAt: T0 + 3_000 } });
    });

    test("in one batch the newest fix decides: plausible then suspect is held at the plausible fix, suspect then plausible is searchable", async () => {
      const f = await fixture();
      await f.status([available("ps"), available("sp")]);
      await f.fix([
        at("ps", 100, 0, T0),
        { ...at("ps", 50_000, 0, T0 + 1), suspect: true },
        { ...at("sp", 50_000, 0, T0), suspect: true },
        at("sp", 200, 0, T0 + 1),
      ]);
      expect(await f.ids({ now: T0 + 1 })).toEqual(["sp"]);
      expect(await f.geo.get("ps")).toMatchObject({ suspect: true, position: { recordedAt: T0 } });
      expect(await f.geo.get("sp")).toMatchObject({ suspect: false, position: { recordedAt: T0 + 1 } });
    });

    test("a driver whose first fix is suspect has no position and is not searchable, even when available", async () => {
      const f = await fixture();
      await f.fix([{ ...at("first", 100, 0), suspect: true }]);
      await f.status([available("first", "sedan", T0 + 1)]);
      expect(await f.ids({})).toEqual([]);
      expect(await f.geo.get("first")).toEqual({
        driverId: "first",
        status: "available",
        vehicleType: "sedan",
        position: null,
        suspect: true,
      });
      expect(await f.fix([at("first", 100, 0, T0 + 1)])).toBe(1);
      expect(await f.ids({ now: T0 + 1 })).toEqual(["first"]);
    });

    test("a new vehicle type moves the driver to that type's search", async () => {
      const f = await fixture();
      await f.status([available("v")]);
      await f.fix([at("v", 100, 0)]);
      await f.status([available("v", "suv", T0 + 1)]);
      expect(await f.ids({ vehicleType: "sedan" })).toEqual([]);
      expect(await f.ids({ vehicleType: "suv" })).toEqual(["v"]);
    });

    test("a stale driver drops out after the window, and dropStale removes it from the index", async () => {
      const f = await fixture();
      await f.status([available("old"), available("new")]);
      await f.fix([at("old", 100, 0, T0), at("new", 200, 0, T0 + 30_000)]);
      expect(await f.ids({ now: T0 + STALE_MS })).toEqual(["old", "new"]);
      expect(await f.ids({ now: T0 + STALE_MS + 1 })).toEqual(["new"]);
      expect(await f.geo.dropStale(T0)).toBe(0);
      expect(await f.geo.dropStale(T0 + 1)).toBe(f.model.dropStale(T0 + 1));
      expect(await f.ids({ now: T0 + 1, staleAfterMs: 86_400_000 })).toEqual(["new"]);
      expect((await f.geo.get("old"))?.position?.recordedAt).toBe(T0);
      await f.fix([at("old", 100, 0, T0 + 40_000)]);
      expect(await f.ids({ now: T0 + 40_000 })).toEqual(["old", "new"]);
    });

    test("moving across a cell boundary leaves no ghost in the old shard", async () => {
      const f = await fixture();
      const edges = RESOLUTIONS.map((res) => straddleEdge(METRO.lat, METRO.lng, res, 3));
      await f.status(edges.map((_, i) => available(`mover${i}`)));
      await f.fix(edges.map((e, i) => ({ driverId: `mover${i}`, ...e.inside, recordedAt: T0 })));
      await f.fix(edges.map((e, i) => ({ driverId: `mover${i}`, ...e.outside, recordedAt: T0 + 1 })));
      for (const [i, e] of edges.entries()) {
        expect(await f.ids({ ...e.inside, radiusM: 50 })).toContain(`mover${i}`);
      }
      expect(await f.ids({ radiusM: 100_000, limit: 100 })).toHaveLength(edges.length);
      await f.status(
        edges.map((_, i) => ({ driverId: `mover${i}`, status: "busy" as const, vehicleType: "sedan" as const, changedAt: T0 + 2 })),
      );
      expect(await f.ids({ radiusM: 100_000, limit: 100 })).toEqual([]);
    });

    test("a query next to a cell edge is exact on both sides", async () => {
      const f = await fixture();
      const rng = seededRandom(7);
      const drivers: PositionUpdate[] = [];
      const queries: Partial<NearbyQuery>[] = [];
      for (const res of RESOLUTIONS) {
        const { inside, outside } = straddleEdge(METRO.lat, METRO.lng, res, 1);
        for (let i = 0; i < 12; i++) {
          const from = i % 2 ? inside : outside;
          drivers.push({
            driverId: `e${res}-${i}`,
            ...offset(from.lat, from.lng, rng.between(2, 400), rng.between(0, 2 * Math.PI)),
            recordedAt: T0,
          });
        }
        queries.push(
          { ...inside, radiusM: 300, limit: 5 },
          { ...outside, radiusM: 300, limit: 5 },
          { ...inside, radiusM: 1_000, limit: 50 },
        );
      }
      await f.status(drivers.map((d) => available(d.driverId)));
      await f.fix(drivers);
      for (const q of queries) await f.ids(q);
    });

    test("random metro: 2,000 drivers, many queries, the same answers as brute force", async () => {
      const f = await fixture();
      const rng = seededRandom(20_261_107);
      const history = randomMetro(rng, 2_000, T0);
      for (const batch of history.statusBatches) await f.status(batch);
      for (const batch of history.fixBatches) await f.fix(batch);
      const problems: string[] = [];
      const ask = async (q: NearbyQuery) => problems.push(...checkNearby(await f.geo.nearby(q), q, f.model));
      for (let i = 0; i < 250; i++) await ask(randomQuery(rng, T0, rng.pick([STALE_MS, STALE_MS, 600_000])));
      expect(await f.geo.dropStale(T0 - STALE_MS)).toBe(f.model.dropStale(T0 - STALE_MS));
      for (let i = 0; i < 100; i++) await ask(randomQuery(rng, T0, 86_400_000));
      expect(problems.slice(0, 5)).toEqual([]);
    });

    test("a huge radius with a limit above the matches returns every match, far-away drivers included", async () => {
      const f = await fixture();
      const far = [at("r-metro1", 500, 10), at("r-metro2", 9_000, 200), at("r-150km", 150_000, 30), at("r-700km", 700_000, 300)];
      far.push({ driverId: "r-sydney", lat: -33.8688, lng: 151.2093, recordedAt: T0 });
      await f.status(far.map((d) => available(d.driverId, "reefer")));
      await f.fix(far);
      expect(await f.ids({ vehicleType: "reefer", radiusM: 20_000_000, limit: 100 })).toEqual([
        "r-metro1",
        "r-metro2",
        "r-150km",
        "r-700km",
        "r-sydney",
      ]);
      expect(await f.ids({ vehicleType: "reefer", radiusM: 800_000, limit: 100 })).toEqual(["r-metro1", "r-metro2", "r-150km", "r-700km"]);
      expect(await f.ids({ vehicleType: "reefer", radiusM: 800_000, limit: 3 })).toEqual(["r-metro1", "r-metro2", "r-150km"]);
    });

    test("a fix no geo index can hold is rejected before anything is written", async () => {
      const f = await fixture();
      const batch = [at("ok", 10, 0), { driverId: "polar", lat: 89.5, lng: 0, recordedAt: T0 }];
      await expect(f.geo.upsertPositions(batch)).rejects.toBeInstanceOf(NonRetriableError);
      expect(await f.geo.get("ok")).toBeNull();
    });
  });
}
