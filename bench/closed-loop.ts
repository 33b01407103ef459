/**
 * Closed-loop load: `concurrency` clients, each sending its next request as soon as the
 * previous one answers, for `seconds`. Latency is measured per request from the
 * client's side, so it includes any queueing inside the process. Run it once unmeasured
 * first to warm up.
 */
export interface LoopResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

export async function closedLoop(opts: {
  concurrency: number;
  seconds: number;
  request: (n: number) => Promise<unknown>;
}): Promise<LoopResult> {
  let n = 0;
  const latencies: number[] = [];
  const started = performance.now();
  const until = started + opts.seconds * 1000;
  const client = async () => {
    while (performance.now() < until) {
      const t0 = performance.now();
      await opts.request(n++);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, client));
  return summarize(latencies, (performance.now() - started) / 1000);
}

/** A window's figures from its latencies (ms) and length (s); shared with the open loop's (open-loop.ts). */
export function summarize(latencies: number[], seconds: number): LoopResult {
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    requests: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    p999Ms: at(0.999),
    maxMs: latencies.at(-1) ?? NaN,
  };
}
