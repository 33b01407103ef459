import type { LuaScript, ScriptRun } from "./lua-script.ts";

/**
 * The little a GeoIndex needs from a Redis client, implemented once per client (Bun's
 * RedisClient, @upstash/redis). A Cluster-capable client can implement it too; the
 * scripts' key use is described in redis-geo-index.ts.
 */
export interface RedisRunner {
  /** One command; replies in RESP2 shapes (arrays, strings, integers, null). */
  call(cmd: string, args: string[]): Promise<unknown>;
  eval(script: LuaScript, keys: string[], args: string[]): Promise<unknown>;
  /** Several script runs in one round trip; replies in order. Rejects with the first error once all have run. */
  pipeline(runs: ScriptRun[]): Promise<unknown[]>;
  close(): Promise<void>;
}
