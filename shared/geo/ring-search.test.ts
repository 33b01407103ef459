import { expect, test } from "bun:test";
import { cellToLatLng, latLngToCell } from "h3-js";
import { createCellBounds } from "./cell-bounds.ts";
import { pointInDisc, seededRandom } from "./contract/seeded-random.ts";
import { MemoryShards } from "./embedded/memory-shards.ts";
import type { NearbyQuery } from "./geo-index.ts";
import { type ShardReader, searchNearby } from "./ring-search.ts";

const RES = 6;
const T0 = 1_800_000_000_000;
const [LAT, LNG] = cellToLatLng(latLngToCell(12.9716, 77.5946, RES));

/** A reader that records which cells each wave asked for. */
function recording(shards: MemoryShards): { reader: ShardReader; waves: string[][] } {
  const waves: string[][] = [];
  return {
    waves,
    reader: {
      searchCells: (q, cells, radiusM) => {
        waves.push(cells);
        return shards.searchCells(q, cells, radiusM);
      },
      occupiedCells: (t) => shards.occupiedCells(t),
    },
  };
}

function fill(n: number, radiusM: number): MemoryShards {
  const shards = new MemoryShards();
  const rng = seededRandom(3);
  for (let i = 0; i < n; i++) {
    const p = pointInDisc(rng, LAT, LNG, radiusM);
    shards.enter(`d${i}`, { vehicleType: "sedan", cell: latLngToCell(p.lat, p.lng, RES) }, { ...p, at: T0 });
  }
  return shards;
}

const query = (q: Partial<NearbyQuery>): NearbyQuery => ({
  lat: LAT,
  lng: LNG,
  radiusM: 5_000,
  vehicleType: "sedan",
  limit: 10,
  now: T0,
  staleAfterMs: 60_000,
  ...q,
});

test("a dense area is answered from the query's own cell: no neighbour can hold anything nearer", async () => {
  const { reader, waves } = recording(fill(20_000, 15_000));
  const found = await searchNearby(query({ radiusM: 20_000 }), reader, { resolution: RES, bounds: createCellBounds() });
  expect(found).toHaveLength(10);
  expect(waves).toEqual([[latLngToCell(LAT, LNG, RES)]]);
});

test("a sparse area takes rings 1 and 2 in one round trip and skips the cells beyond the radius", async () => {
  const { reader, waves } = recording(fill(30, 15_000));
  const bounds = createCellBounds();
  const found = await searchNearby(query({ radiusM: 8_000 }), reader, { resolution: RES, bounds });
  expect(found.length).toBeLessThan(10);
  // Ring 1's six cells, and the six of ring 2's twelve whose nearest corner is within 8 km.
  expect(waves.map((w) => w.length)).toEqual([1, 12]);
  for (const cell of waves.flat()) expect(bounds.lowerBoundM(LAT, LNG, cell)).toBeLessThanOrEqual(8_000);
});

test("a limit below 1 or a radius of 0 asks for nothing", async () => {
  const { reader, waves } = recording(fill(100, 1_000));
  expect(await searchNearby(query({ limit: 0 }), reader, { resolution: RES, bounds: createCellBounds() })).toEqual([]);
  expect(await searchNearby(query({ radiusM: 0 }), reader, { resolution: RES, bounds: createCellBounds() })).toEqual([]);
  expect(waves).toEqual([]);
});
