/** Count, p50, p95, p99 and max of samples (ms), nearest rank like bench/closed-loop.ts; NaN where there are none. */
export interface Quantiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function quantiles(samples: readonly number[]): Quantiles {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.length ? sorted[sorted.length - 1]! : NaN };
}

/** Milliseconds since the epoch with sub-ms resolution, comparable across processes on one machine (performance.now() is per process). */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
