export interface RateResult {
  items: number;
  seconds: number;
  perSecond: number;
}

/**
 * `inFlight` loops each calling `step` (which resolves with how many items it did) until
 * `seconds` passed. A few calls in flight hide the round trip, so the server is the limit.
 */
export async function rateLoop(opts: { seconds: number; inFlight: number; step: () => Promise<number> }): Promise<RateResult> {
  let items = 0;
  const started = performance.now();
  const until = started + opts.seconds * 1000;
  const loop = async () => {
    while (performance.now() < until) items += await opts.step();
  };
  await Promise.all(Array.from({ length: opts.inFlight }, loop));
  const seconds = (performance.now() - started) / 1000;
  return { items, seconds, perSecond: items / seconds };
}
