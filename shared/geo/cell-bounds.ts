import { cellToBoundary, cellToLatLng } from "h3-js";
import { EARTH_RADIUS_M, haversineM } from "./haversine.ts";

/**
 * Safe lower bounds on the distance from a point to every point of an H3 cell. The
 * nearby search skips a cell, or stops, only when this bound exceeds the distance it
 * already has, so the bound may be low (a wasted shard query) but never high (a
 * missed driver).
 *
 * H3 cell edges are great-circle arcs, and a gnomonic projection centred on the
 * point maps great circles to straight lines and distance θ from the point to radius
 * R·tan θ. So the distance to the projected polygon, mapped back with atan, is the
 * exact great-circle distance to the cell. SLACK_M covers a stored position sitting up
 * to ~0.6 m outside its cell (Redis keeps 52-bit geohashes). Cells beyond FAR_M use
 * the triangle inequality instead (distance to the centre minus the farthest vertex),
 * which holds at any distance, where the projection would not.
 */
export interface CellBounds {
  /**
   * A lower bound on the distance from the point to the cell. When a cheap bound already
   * exceeds `enoughM` (the search has nothing to gain from this cell), that one is returned
   * without refinement.
   */
  lowerBoundM(lat: number, lng: number, cell: string, enoughM?: number): number;
}

const FAR_M = 2_000_000;
const SLACK_M = 2;
const RAD = Math.PI / 180;

interface CellGeometry {
  lat: number;
  lng: number;
  circumM: number;
  /** Per boundary vertex: sin and cos of its latitude and its longitude in radians, what the projection needs. */
  sinPhi: Float64Array;
  cosPhi: Float64Array;
  lngRad: Float64Array;
}

/** Geometry is cached per instance (cells of one metro repeat in every search); the cache is cleared when full. */
export function createCellBounds(maxCached = 50_000): CellBounds {
  const cache = new Map<string, CellGeometry>();
  const geometry = (cell: string): CellGeometry => {
    let g = cache.get(cell);
    if (!g) {
      if (cache.size >= maxCached) cache.clear();
      const [lat, lng] = cellToLatLng(cell);
      const boundary = cellToBoundary(cell);
      let circumM = 0;
      for (const [vLat, vLng] of boundary) circumM = Math.max(circumM, haversineM(lat, lng, vLat, vLng));
      g = {
        lat,
        lng,
        circumM,
        sinPhi: Float64Array.from(boundary, ([vLat]) => Math.sin(vLat * RAD)),
        cosPhi: Float64Array.from(boundary, ([vLat]) => Math.cos(vLat * RAD)),
        lngRad: Float64Array.from(boundary, ([, vLng]) => vLng * RAD),
      };
      cache.set(cell, g);
    }
    return g;
  };
  return {
    lowerBoundM(lat, lng, cell, enoughM = Infinity) {
      const g = geometry(cell);
      const toCentre = haversineM(lat, lng, g.lat, g.lng);
      const triangle = Math.max(0, toCentre - g.circumM * 1.001 - SLACK_M);
      if (toCentre > FAR_M || triangle > enoughM) return triangle;
      return Math.max(0, gnomonicDistanceM(lat, lng, g) - SLACK_M);
    },
  };
}

// Scratch for the projected boundary (a cell has at most 10 vertices): the bound is computed thousands of times a second.
const xs = new Float64Array(16);
const ys = new Float64Array(16);

/** Great-circle distance from (lat, lng) to a polygon of great-circle edges; 0 inside. */
function gnomonicDistanceM(lat: number, lng: number, g: CellGeometry): number {
  const n = g.sinPhi.length;
  const sin0 = Math.sin(lat * RAD);
  const cos0 = Math.cos(lat * RAD);
  const lng0 = lng * RAD;
  for (let i = 0; i < n; i++) {
    const sinP = g.sinPhi[i]!;
    const cosP = g.cosPhi[i]!;
    const dLng = g.lngRad[i]! - lng0;
    const cosD = Math.cos(dLng);
    const cosC = sin0 * sinP + cos0 * cosP * cosD;
    xs[i] = (cosP * Math.sin(dLng)) / cosC;
    ys[i] = (cos0 * sinP - sin0 * cosP * cosD) / cosC;
  }
  let inside = false;
  let nearest2 = Infinity;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = xs[i]!,
      yi = ys[i]!,
      xj = xs[j]!,
      yj = ys[j]!;
    if (yi > 0 !== yj > 0 && 0 < ((xj - xi) * (0 - yi)) / (yj - yi) + xi) inside = !inside;
    nearest2 = Math.min(nearest2, originToSegment2(xi, yi, xj, yj));
  }
  return inside ? 0 : Math.atan(Math.sqrt(nearest2)) * EARTH_RADIUS_M;
}

/** Squared distance from the origin to segment a-b. */
function originToSegment2(ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2));
  const px = ax + t * dx;
  const py = ay + t * dy;
  return px * px + py * py;
}
