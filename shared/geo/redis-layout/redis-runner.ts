import type { LuaScript, ScriptRun } from "./lua-script.ts";

/**
 * The little a GeoIndex needs from a Redis client, implemented once per client (Bun's
 * RedisClient, @upstash/redis, an ioredis Cluster). Every script run names its keys,
 * all of one hash slot (redis-keys.ts), so a Cluster client routes it by its first key.
 */
export interface RedisRunner {
  /** One command; replies in RESP2 shapes (arrays, strings, integers, null). */
  call(cmd: string, args: string[]): Promise<unknown>;
  eval(script: LuaScript, keys: string[], args: string[]): Promise<unknown>;
  /** Several script runs in one round trip; replies in order. Rejects with the first error once all have run. */
  pipeline(runs: ScriptRun[]): Promise<unknown[]>;
  close(): Promise<void>;
}
