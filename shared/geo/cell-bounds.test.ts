import { expect, test } from "bun:test";
import { cellToBoundary, gridDisk, latLngToCell } from "h3-js";
import { createCellBounds } from "./cell-bounds.ts";
import { seededRandom } from "./contract/seeded-random.ts";
import { haversineM } from "./haversine.ts";

const RAD = Math.PI / 180;

/** Points along the great-circle arc from a to b (slerp), the true shape of an H3 edge. */
function arc(a: [number, number], b: [number, number], steps: number): [number, number][] {
  const v = ([lat, lng]: [number, number]) => [
    Math.cos(lat * RAD) * Math.cos(lng * RAD),
    Math.cos(lat * RAD) * Math.sin(lng * RAD),
    Math.sin(lat * RAD),
  ];
  const [p, q] = [v(a), v(b)];
  const omega = Math.acos(Math.min(1, p[0]! * q[0]! + p[1]! * q[1]! + p[2]! * q[2]!));
  return Array.from({ length: steps + 1 }, (_, i) => {
    const t = i / steps;
    const [s1, s2] = omega === 0 ? [1 - t, t] : [Math.sin((1 - t) * omega) / Math.sin(omega), Math.sin(t * omega) / Math.sin(omega)];
    const [x, y, z] = [0, 1, 2].map((k) => s1 * p[k]! + s2 * q[k]!) as [number, number, number];
    return [Math.atan2(z, Math.hypot(x, y)) / RAD, Math.atan2(y, x) / RAD];
  });
}

test("the lower bound never exceeds the true distance to any point of a cell's boundary", () => {
  const rng = seededRandom(42);
  const bounds = createCellBounds();
  let checked = 0;
  for (let i = 0; i < 150; i++) {
    const lat = rng.between(-84, 84);
    const lng = rng.between(-180, 180);
    const res = rng.pick([5, 6, 7, 8]);
    const origin = latLngToCell(lat, lng, res);
    for (const cell of gridDisk(origin, 3)) {
      const bound = bounds.lowerBoundM(lat, lng, cell);
      if (cell === origin) expect(bound).toBe(0);
      const ring = cellToBoundary(cell) as [number, number][];
      let nearest = Infinity;
      ring.forEach((vertex, k) => {
        for (const [pLat, pLng] of arc(vertex, ring[(k + 1) % ring.length]!, 100))
          nearest = Math.min(nearest, haversineM(lat, lng, pLat, pLng));
      });
      if (bound > nearest) throw new Error(`bound ${bound} > true ${nearest} for ${cell} from ${lat},${lng}`);
      // The cheap bound, taken when it already exceeds what the caller needs, is a lower bound too.
      const cheap = bounds.lowerBoundM(lat, lng, cell, 0);
      if (cheap > nearest) throw new Error(`cheap bound ${cheap} > true ${nearest} for ${cell} from ${lat},${lng}`);
      // Tight, so pruning works: off by the 2 m slack plus the sampling step along the edge.
      if (cell !== origin) expect(bound).toBeGreaterThanOrEqual(nearest - 2 - 60);
      checked++;
    }
  }
  expect(checked).toBeGreaterThan(3_000);
});

test("far cells are bounded by the spherical triangle inequality", () => {
  const bounds = createCellBounds();
  const sydney = latLngToCell(-33.8688, 151.2093, 6);
  const bound = bounds.lowerBoundM(12.9716, 77.5946, sydney);
  const centre = haversineM(12.9716, 77.5946, -33.8688, 151.2093);
  expect(bound).toBeLessThan(centre);
  expect(bound).toBeGreaterThan(centre - 10_000);
});
