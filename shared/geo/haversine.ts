/**
 * The earth radius Redis GEO uses (geohash_helper.c). Every adapter measures with it,
 * so an embedded and a Redis index report the same distance for the same two points.
 */
export const EARTH_RADIUS_M = 6372797.560856;

const RAD = Math.PI / 180;

/** Metres per degree of latitude on this sphere: a move along a meridian is exact. */
export const M_PER_DEG_LAT = EARTH_RADIUS_M * RAD;

/** Great-circle distance in metres, the same formula as Redis's geohashGetDistance. */
export function haversineM(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const u = Math.sin(((lat2 - lat1) * RAD) / 2);
  const v = Math.sin(((lng2 - lng1) * RAD) / 2);
  const a = u * u + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * v * v;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}
