import { cellToBoundary, cellToLatLng, latLngToCell } from "h3-js";

export interface EdgeStraddle {
  /** `distanceM` inside the cell holding (lat, lng), next to one of its edges. */
  inside: { lat: number; lng: number };
  /** Mirror image of `inside` across that edge: in the neighbouring cell. */
  outside: { lat: number; lng: number };
}

/**
 * Two points a few metres either side of an edge of the resolution-`res` cell holding
 * (lat, lng), so a scenario can cross a shard boundary whatever resolution an adapter
 * shards at. Straight-line interpolation in degrees: fine at metre scale.
 */
export function straddleEdge(lat: number, lng: number, res: number, distanceM: number): EdgeStraddle {
  const cell = latLngToCell(lat, lng, res);
  const [[aLat, aLng], [bLat, bLng]] = cellToBoundary(cell) as [[number, number], [number, number]];
  const [cLat, cLng] = cellToLatLng(cell);
  const mid = { lat: (aLat + bLat) / 2, lng: (aLng + bLng) / 2 };
  // Unit vector from the edge's midpoint towards the centre, in metres.
  const mPerDegLng = 111_320 * Math.cos((mid.lat * Math.PI) / 180);
  const north = (cLat - mid.lat) * 111_320;
  const east = (cLng - mid.lng) * mPerDegLng;
  const len = Math.hypot(north, east);
  const at = (sign: number) => ({
    lat: mid.lat + (sign * distanceM * north) / len / 111_320,
    lng: mid.lng + (sign * distanceM * east) / len / mPerDegLng,
  });
  const inside = at(1);
  const outside = at(-1);
  if (latLngToCell(inside.lat, inside.lng, res) !== cell || latLngToCell(outside.lat, outside.lng, res) === cell) {
    throw new Error(`straddleEdge: points ${distanceM} m either side of an edge of ${cell} did not land on both sides`);
  }
  return { inside, outside };
}
