/**
 * Open-loop load: request k is sent at start + k / rate whatever the answers do, so a slow
 * server cannot slow the arrivals down and hide its own latency (no coordinated omission):
 * latency counts from the time a request was due, not from when it went out. At most
 * `maxInFlight` requests wait for answers; past that the schedule stalls and catches up,
 * and the wait counts as latency. The window ends on time even for a server that cannot
 * keep up: requests still due then are not sent, and counted (`unsent`). Waits for the
 * stragglers before returning.
 */
export async function openLoop(opts: {
  rate: number;
  seconds: number;
  maxInFlight: number;
  /** Sends request `n`, due at `due` (performance.now()). */
  send: (n: number, due: number) => Promise<unknown>;
}): Promise<{ unsent: number }> {
  const start = performance.now();
  const end = start + opts.seconds * 1000;
  const total = Math.round(opts.seconds * opts.rate);
  const pending = new Set<Promise<unknown>>();
  let k = 0;
  while (k < total && performance.now() < end) {
    const due = start + (k * 1000) / opts.rate;
    const now = performance.now();
    if (due > now) {
      await Bun.sleep(Math.min(due - now, 5));
      continue;
    }
    if (pending.size >= opts.maxInFlight) {
      await Promise.race(pending);
      continue;
    }
    const p = opts.send(k, due).finally(() => pending.delete(p));
    pending.add(p);
    k++;
  }
  await Promise.all(pending);
  return { unsent: total - k };
}
