import type { RedisRunner } from "../../geo/redis-layout/redis-runner.ts";
import { type DemandEntry, parseZoneName, type SurgeStore, type SurgeZone, type ZoneSurge, zoneName } from "../surge-store.ts";

/**
 * The SurgeStore's Redis key layout. Every command touches one key, so it runs as is on
 * Redis Cluster; a zone's two keys share the hash tag `{<type>:<cell>}` (one slot), so a
 * later script may update both at once.
 *
 *   <prefix>surge:demand:{<type>:<cell>}   sorted set: bookingId → requested at (ms)
 *   <prefix>surge:state:{<type>:<cell>}    hash: m (multiplier), d (demand), s (supply), w (window s), at (updated ms), st (settled 1/0)
 *   <prefix>surge:active:{zones}           set of `<type>:<cell>` worth recomputing
 */
export function surgeKeys(prefix: string) {
  return {
    demand: (z: SurgeZone) => `${prefix}surge:demand:{${zoneName(z)}}`,
    state: (z: SurgeZone) => `${prefix}surge:state:{${zoneName(z)}}`,
    active: `${prefix}surge:active:{zones}`,
  };
}

export interface RedisSurgeOptions {
  /** Prepended to every key (tests, tenants); default "fs:", as the geo index's. */
  prefix?: string;
}

/**
 * SurgeStore over any RedisRunner: Bun's client for the surge worker, @upstash/redis for
 * a gateway that reads over REST. Where it departs from the port: the commands of one
 * call are sent together but not as a transaction, so a reader may see a zone's demand
 * recorded before it is listed active (harmless: the worker recomputes recorded zones);
 * a state's numbers come back as Redis stores them (decimal text), parsed here.
 */
export function createRedisSurgeStore(runner: RedisRunner, opts: RedisSurgeOptions = {}): SurgeStore {
  const keys = surgeKeys(opts.prefix ?? "fs:");
  const all = <T>(calls: Promise<T>[]) => Promise.all(calls);
  return {
    async recordDemand(entries: readonly DemandEntry[]) {
      if (entries.length === 0) return;
      await all([
        ...entries.map((e) => runner.call("ZADD", [keys.demand(e), String(e.at), e.bookingId])),
        runner.call("SADD", [keys.active, ...new Set(entries.map(zoneName))]),
      ]);
    },
    async demand(zones: readonly SurgeZone[], since: number) {
      await all(zones.map((z) => runner.call("ZREMRANGEBYSCORE", [keys.demand(z), "-inf", `(${since}`])));
      return (await all(zones.map((z) => runner.call("ZCARD", [keys.demand(z)])))).map(Number);
    },
    async put(states: readonly ZoneSurge[]) {
      if (states.length === 0) return;
      const settled = states.filter((s) => s.settled).map(zoneName);
      const unsettled = states.filter((s) => !s.settled).map(zoneName);
      await all([
        ...states.map((s) =>
          runner.call("HSET", [
            keys.state(s),
            ...["m", String(s.multiplier), "d", String(s.demand), "s", String(s.supply), "w", String(s.windowS)],
            ...["at", String(s.updatedAt), "st", s.settled ? "1" : "0"],
          ]),
        ),
        ...(settled.length > 0 ? [runner.call("SREM", [keys.active, ...settled])] : []),
        ...(unsettled.length > 0 ? [runner.call("SADD", [keys.active, ...unsettled])] : []),
      ]);
    },
    async get(zones: readonly SurgeZone[]) {
      const replies = await all(zones.map((z) => runner.call("HMGET", [keys.state(z), "m", "d", "s", "w", "at", "st"])));
      return replies.map((reply, i) => {
        const [m, d, s, w, at, st] = reply as (string | null)[];
        if (m === null || m === undefined) return null;
        const state = { multiplier: Number(m), demand: Number(d), supply: Number(s), windowS: Number(w), updatedAt: Number(at) };
        return { ...zones[i]!, ...state, settled: st === "1" };
      });
    },
    async activeZones() {
      return ((await runner.call("SMEMBERS", [keys.active])) as string[]).map(parseZoneName);
    },
    close: () => runner.close(),
  };
}
