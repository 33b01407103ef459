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
  lowerBoundM(lat: number, lng: number, cell: string): number;
}

const FAR_M = 2_000_000;
const SLACK_M = 2;
const RAD = Math.PI / 180;

interface CellGeometry {
  lat: number;
  lng: number;
  /** Boundary as lat, lng pairs. */
  ring: number[];
  circumM: number;
}

/** Geometry is cached per instance (cells of one metro repeat in every search); the cache is cleared when full. */
export function createCellBounds(maxCached = 50_000): CellBounds {
  const cache = new Map<string, CellGeometry>();
  const geometry = (cell: string): CellGeometry => {
    let g = cache.get(cell);
    if (!g) {
      if (cache.size >= maxCached) cache.clear();
      const [lat, lng] = cellToLatLng(cell);
      const ring = cellToBoundary(cell).flat();
      let circumM = 0;
      for (let i = 0; i < ring.length; i += 2) circumM = Math.max(circumM, haversineM(lat, lng, ring[i]!, ring[i + 1]!));
      g = { lat, lng, ring, circumM };
      cache.set(cell, g);
    }
    return g;
  };
  return {
    lowerBoundM(lat, lng, cell) {
      const g = geometry(cell);
      const toCentre = haversineM(lat, lng, g.lat, g.lng);
      if (toCentre > FAR_M) return Math.max(0, toCentre - g.circumM * 1.001 - SLACK_M);
      return Math.max(0, gnomonicDistanceM(lat, lng, g.ring) - SLACK_M);
    },
  };
}

/** Great-circle distance from (lat, lng) to a polygon of great-circle edges; 0 inside. */
function gnomonicDistanceM(lat: number, lng: number, ring: number[]): number {
  const n = ring.length / 2;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const [sin0, cos0] = [Math.sin(lat * RAD), Math.cos(lat * RAD)];
  for (let i = 0; i < n; i++) {
    const phi = ring[2 * i]! * RAD;
    const dLng = (ring[2 * i + 1]! - lng) * RAD;
    const [sinP, cosP, cosD] = [Math.sin(phi), Math.cos(phi), Math.cos(dLng)];
    const cosC = sin0 * sinP + cos0 * cosP * cosD;
    xs[i] = (cosP * Math.sin(dLng)) / cosC;
    ys[i] = (cos0 * sinP - sin0 * cosP * cosD) / cosC;
  }
  let inside = false;
  let nearest = Infinity;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = xs[i]!,
      yi = ys[i]!,
      xj = xs[j]!,
      yj = ys[j]!;
    if (yi > 0 !== yj > 0 && 0 < ((xj - xi) * (0 - yi)) / (yj - yi) + xi) inside = !inside;
    nearest = Math.min(nearest, originToSegment(xi, yi, xj, yj));
  }
  return inside ? 0 : Math.atan(nearest) * EARTH_RADIUS_M;
}

function originToSegment(ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2));
  return Math.hypot(ax + t * dx, ay + t * dy);
}
