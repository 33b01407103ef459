import type { Fix } from "../../shared/events/driver.ts";
import { offset, type Random, seededRandom } from "../../shared/geo/contract/seeded-random.ts";

/** Bengaluru; the metro is a disc 40 km across around it. */
const CENTRE = { lat: 12.9716, lng: 77.5946 };
const METRO_RADIUS_M = 20_000;
/** City traffic: crawling to a clear arterial road. */
const MIN_SPEED = 5;
const MAX_SPEED = 20;
/** A phone records about a fix a second; its first upload carries the last few. */
const FIX_INTERVAL_MS = 1000;
/** Chance per second of turning at a junction; otherwise the heading only wavers. */
const TURN_CHANCE = 0.04;
/** Radians per second the heading wavers by, at most. */
const WAVER = 0.08;

export interface Fleet {
  readonly size: number;
  driverId(i: number): string;
  /**
   * Driver i's upload now: `count` fixes, oldest first, spread evenly over the time since
   * its previous upload (the last `count` seconds on the first), the newest now. So
   * device time is real time, fixes are fresh as a live phone's, and the driver moves
   * continuously at its speed whether it uploads every second or every ten.
   */
  next(i: number, count: number): Fix[];
}

export interface FleetOptions {
  drivers: number;
  idPrefix: string;
  seed: number;
}

/**
 * Drivers on a random walk through one metro: each starts where drivers are (half spread
 * over the disc, half in a σ 5 km core, as bench/nearby.ts places them), drives 5–20 m/s,
 * wavers a few degrees a second, sometimes turns at a junction, and heads back in at the
 * edge of the metro. State lives in typed arrays so 10k+ drivers stay cheap to advance.
 */
export function createFleet(opts: FleetOptions): Fleet {
  const rng = seededRandom(opts.seed);
  const n = opts.drivers;
  const lat = new Float64Array(n);
  const lng = new Float64Array(n);
  const heading = new Float64Array(n);
  const speed = new Float64Array(n);
  /** Device time of each driver's newest fix so far; 0 before its first upload. */
  const clock = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = metroPoint(rng);
    lat[i] = p.lat;
    lng[i] = p.lng;
    heading[i] = rng.between(0, 2 * Math.PI);
    speed[i] = rng.between(MIN_SPEED, MAX_SPEED);
  }

  /** Moves driver i on by `dtS` seconds and records a fix at `at`. */
  const step = (i: number, dtS: number, at: number): Fix => {
    speed[i] = Math.min(MAX_SPEED, Math.max(MIN_SPEED, speed[i]! + rng.between(-1.5, 1.5) * Math.min(1, dtS)));
    if (rng.next() < TURN_CHANCE * dtS) heading[i] = heading[i]! + (rng.next() < 0.5 ? -1 : 1) * (Math.PI / 2);
    else heading[i] = heading[i]! + rng.between(-WAVER, WAVER) * dtS;
    if (distanceFromCentreM(lat[i]!, lng[i]!) > METRO_RADIUS_M) heading[i] = bearingToCentre(lat[i]!, lng[i]!);
    heading[i] = ((heading[i]! % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
    const moved = offset(lat[i]!, lng[i]!, speed[i]! * dtS, heading[i]!);
    lat[i] = moved.lat;
    lng[i] = moved.lng;
    clock[i] = at;
    return {
      // Phones report about six decimals (≈ 0.1 m); more only inflates the body.
      lat: round(moved.lat, 6),
      lng: round(moved.lng, 6),
      recordedAt: new Date(at).toISOString(),
      speed: round(speed[i]!, 1),
      heading: round((heading[i]! * 180) / Math.PI, 1) % 360,
      accuracy: round(rng.between(3, 15), 1),
    };
  };

  return {
    size: n,
    driverId: (i) => `${opts.idPrefix}${i}`,
    next(i, count) {
      const now = Date.now();
      const since = clock[i] || now - count * FIX_INTERVAL_MS;
      const fixes: Fix[] = [];
      let previous = since;
      for (let j = 1; j <= count; j++) {
        // Millisecond device times, strictly increasing even when uploads come within a few ms.
        const at = Math.max(previous + 1, Math.round(since + ((now - since) * j) / count));
        fixes.push(step(i, (at - previous) / 1000, at));
        previous = at;
      }
      return fixes;
    },
  };
}

function metroPoint(rng: Random): { lat: number; lng: number } {
  if (rng.next() < 0.5) return offset(CENTRE.lat, CENTRE.lng, METRO_RADIUS_M * Math.sqrt(rng.next()), rng.between(0, 2 * Math.PI));
  const core = Math.sqrt(-2 * Math.log(1 - rng.next())) * 5_000; // Box-Muller radius, σ 5 km
  return offset(CENTRE.lat, CENTRE.lng, Math.min(core, METRO_RADIUS_M), rng.between(0, 2 * Math.PI));
}

const M_PER_DEG = 111_320;

function eastNorthM(lat: number, lng: number): [number, number] {
  return [(lng - CENTRE.lng) * M_PER_DEG * Math.cos((CENTRE.lat * Math.PI) / 180), (lat - CENTRE.lat) * M_PER_DEG];
}

function distanceFromCentreM(lat: number, lng: number): number {
  const [east, north] = eastNorthM(lat, lng);
  return Math.hypot(east, north);
}

/** Bearing (0 = north, clockwise) from the point back to the centre. */
function bearingToCentre(lat: number, lng: number): number {
  const [east, north] = eastNorthM(lat, lng);
  return Math.atan2(-east, -north);
}

function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}
