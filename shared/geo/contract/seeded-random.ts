/** A small seeded PRNG (mulberry32) so a failing contract scenario replays exactly, and the point helpers built on it. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  between(min: number, max: number): number;
  int(min: number, maxExclusive: number): number;
  pick<T>(items: readonly T[]): T;
}

export function seededRandom(seed: number): Random {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const between = (min: number, max: number) => min + (max - min) * next();
  const int = (min: number, maxExclusive: number) => Math.floor(between(min, maxExclusive));
  return { next, between, int, pick: (items) => items[int(0, items.length)]! };
}

const M_PER_DEG_LAT = 111_320;

/** A point `distanceM` from (lat, lng) at `bearingRad` (0 = north), flat-earth: fine for offsets of a few tens of km. */
export function offset(lat: number, lng: number, distanceM: number, bearingRad: number): { lat: number; lng: number } {
  const dLat = (distanceM * Math.cos(bearingRad)) / M_PER_DEG_LAT;
  const dLng = (distanceM * Math.sin(bearingRad)) / (M_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180));
  return { lat: lat + dLat, lng: lng + dLng };
}

/** Uniform over a disc of `radiusM` around (lat, lng). */
export function pointInDisc(rng: Random, lat: number, lng: number, radiusM: number): { lat: number; lng: number } {
  return offset(lat, lng, radiusM * Math.sqrt(rng.next()), rng.between(0, 2 * Math.PI));
}
