import type { NearbyDriver, NearbyQuery } from "../geo-index.ts";
import type { ReferenceModel } from "./reference-model.ts";

/** Redis keeps 52-bit geohashes: a position comes back up to ~0.6 m off, and so does its distance. */
export const DISTANCE_TOLERANCE_M = 1;
const POSITION_TOLERANCE_DEG = 1e-5;

/**
 * Compares one nearby answer with the brute-force oracle; returns the problems found
 * (empty when it matches). Exact: the same ids in the same order, distances within
 * 1 m. Only where the oracle itself cannot decide at that precision (two drivers
 * within 2 m of each other's distance, or one within 1 m of the radius) may the order
 * or the membership of that driver differ.
 */
export function checkNearby(actual: NearbyDriver[], q: NearbyQuery, model: ReferenceModel): string[] {
  const tol = DISTANCE_TOLERANCE_M;
  const problems: string[] = [];
  const exact = model.candidates(q);
  const loose = new Map(model.candidates(q, tol).map((h) => [h.driverId, h]));
  const within = (a: number, b: number, t: number) => Math.abs(a - b) <= t;

  if (new Set(actual.map((d) => d.driverId)).size !== actual.length)
    problems.push(`duplicate ids: ${actual.map((d) => d.driverId).join(",")}`);
  for (const [i, d] of actual.entries()) {
    const want = loose.get(d.driverId);
    if (!want) {
      problems.push(`#${i} ${d.driverId} should not be returned (${JSON.stringify(model.drivers.get(d.driverId) ?? null)})`);
      continue;
    }
    const p = want.driver.position!;
    if (!within(d.distanceM, want.distanceM, tol)) problems.push(`#${i} ${d.driverId} distance ${d.distanceM} != ${want.distanceM}`);
    if (!within(d.lat, p.lat, POSITION_TOLERANCE_DEG) || !within(d.lng, p.lng, POSITION_TOLERANCE_DEG))
      problems.push(`#${i} ${d.driverId} at ${d.lat},${d.lng} != ${p.lat},${p.lng}`);
    if (d.lastSeenAt !== p.recordedAt) problems.push(`#${i} ${d.driverId} lastSeenAt ${d.lastSeenAt} != ${p.recordedAt}`);
    if (i > 0 && d.distanceM < actual[i - 1]!.distanceM) problems.push(`#${i} ${d.driverId} is nearer than #${i - 1}`);
    const ith = exact[i];
    if (ith && !within(want.distanceM, ith.distanceM, tol))
      problems.push(`#${i} ${d.driverId} at ${want.distanceM} m where the ${i + 1}th nearest is ${ith.driverId} at ${ith.distanceM} m`);
  }

  const sure = exact.filter((h) => h.distanceM <= q.radiusM - tol).length;
  const [min, max] = [Math.min(q.limit, sure), Math.min(q.limit, loose.size)];
  if (actual.length < min || actual.length > max) problems.push(`${actual.length} results, expected ${min}..${max}`);

  const head = exact.slice(0, q.limit + 1);
  const ambiguous =
    [...loose.values()].some((h) => within(h.distanceM, q.radiusM, tol)) ||
    head.some((h, i) => i > 0 && within(h.distanceM, head[i - 1]!.distanceM, 2 * tol));
  if (!ambiguous && problems.length === 0) {
    const [got, want] = [
      actual.map((d) => d.driverId).join(","),
      exact
        .slice(0, q.limit)
        .map((h) => h.driverId)
        .join(","),
    ];
    if (got !== want) problems.push(`ids ${got} != ${want}`);
  }
  return problems.map((p) => `${p} (query ${JSON.stringify(q)})`);
}
