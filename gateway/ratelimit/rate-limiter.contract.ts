import { expect, test } from "bun:test";
import type { RateLimiter, RatePolicy } from "./rate-limiter.ts";

/**
 * What every RateLimiter adapter must do; each adapter's test file calls this. `create`
 * returns a limiter with its own keyspace. Windows are short real time (Redis keeps its
 * own clock), so the recovery test waits for a window to pass.
 */
export function runRateLimiterContract(opts: { name: string; create: (policy: RatePolicy) => Promise<RateLimiter> }): void {
  const id = () => `caller-${crypto.randomUUID().slice(0, 8)}`;

  test(`${opts.name}: allows max requests in a window, refuses the next with the window's end`, async () => {
    const limiter = await opts.create({ max: 3, windowMs: 60_000 });
    const who = id();
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await limiter.limit(who));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0, 0]);
    const refused = decisions[3]!;
    expect(refused.limit).toBe(3);
    expect(refused.resetAt).toBeGreaterThan(Date.now());
    expect(refused.resetAt).toBeLessThanOrEqual(Date.now() + 60_000);
  });

  test(`${opts.name}: callers have separate budgets`, async () => {
    const limiter = await opts.create({ max: 1, windowMs: 60_000 });
    const [a, b] = [id(), id()];
    expect((await limiter.limit(a)).allowed).toBe(true);
    expect((await limiter.limit(a)).allowed).toBe(false);
    expect((await limiter.limit(b)).allowed).toBe(true);
  });

  test(`${opts.name}: a refused caller is let through again once its window has passed`, async () => {
    const limiter = await opts.create({ max: 2, windowMs: 1_000 });
    const who = id();
    let last = await limiter.limit(who);
    while (last.allowed) last = await limiter.limit(who);
    await Bun.sleep(Math.max(0, last.resetAt - Date.now()) + 50);
    expect((await limiter.limit(who)).allowed).toBe(true);
  });
}
