/**
 * Matching in waves. Wave n searches for available drivers of the booking's vehicle
 * type within the n-th radius step around the pickup and offers the booking to the
 * nearest `batchSize` of them that no earlier wave offered it to; the offers last
 * `offerTtlMs`, then wave n+1 searches farther. A step that finds nobody new is
 * skipped at once rather than waited out (nobody could answer it), so a wave's number
 * is its radius step and numbers can jump. Once every step is spent — the last wave's
 * offers ran out, or no step found anyone — the booking expires.
 *
 * Defaults: radius steps 1, 3, 6, 10 km; 10 drivers a wave; offers last 15 s; so a
 * booking searches for at most a minute and is offered to at most 40 drivers.
 */
export interface WaveSettings {
  /** Growing radii, one per wave, in metres. */
  radiiM: readonly number[];
  batchSize: number;
  offerTtlMs: number;
}

export const DEFAULT_WAVES: WaveSettings = { radiiM: [1_000, 3_000, 6_000, 10_000], batchSize: 10, offerTtlMs: 15_000 };

export function checkWaveSettings(s: WaveSettings): WaveSettings {
  if (s.radiiM.length === 0 || s.radiiM.some((r, i) => !(r > 0) || (i > 0 && r <= s.radiiM[i - 1]!)))
    throw new Error(`wave radii must be positive and growing (got ${s.radiiM.join(", ")})`);
  if (!Number.isInteger(s.batchSize) || s.batchSize < 1) throw new Error(`wave batch size must be a whole number ≥ 1 (got ${s.batchSize})`);
  if (!(s.offerTtlMs > 0)) throw new Error(`offer TTL must be positive (got ${s.offerTtlMs})`);
  return s;
}

/** The next wave's drivers, or why there is none. */
export type WavePlan = { kind: "offer"; wave: number; radiusM: number; driverIds: string[] } | { kind: "exhausted" };

/** The radius steps after `wave` (the wave the booking is on; 0 before the first), as [wave, radius] pairs. */
export function stepsAfter(wave: number, s: WaveSettings): [number, number][] {
  return s.radiiM.flatMap((r, i) => (i + 1 > wave ? [[i + 1, r] as [number, number]] : []));
}

/**
 * The drivers a wave offers to: nearest first (the order search returns), skipping
 * those already offered, at most `batchSize`. A search for this wave should ask for
 * `batchSize + excluded.size` drivers, so that skipping still leaves a full batch.
 */
export function pickDrivers(nearestFirst: readonly { driverId: string }[], excluded: ReadonlySet<string>, batchSize: number): string[] {
  const picked: string[] = [];
  for (const d of nearestFirst) {
    if (picked.length === batchSize) break;
    if (!excluded.has(d.driverId) && !picked.includes(d.driverId)) picked.push(d.driverId);
  }
  return picked;
}
