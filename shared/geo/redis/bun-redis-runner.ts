import type { RedisClient } from "bun";
import type { RedisRunner } from "../redis-layout/redis-runner.ts";
import { createScriptPipeline, settleAll } from "../redis-layout/script-pipeline.ts";
import { reconnectingSend } from "./connect-redis.ts";

/**
 * RedisRunner over Bun's RedisClient. Commands issued in one tick leave in one write
 * (the client auto-pipelines), so a pipeline is simply every EVALSHA sent at once.
 * The client speaks RESP3; the commands used here (EVALSHA, HMGET, SMEMBERS,
 * SCRIPT LOAD) reply with arrays, strings, integers and null, as in RESP2.
 */
export function createBunRedisRunner(client: RedisClient): RedisRunner {
  const call = reconnectingSend(client);
  const pipeline = createScriptPipeline({
    call,
    evalshaAll: (runs) => settleAll(runs.map((r) => call("EVALSHA", [r.sha, String(r.keys.length), ...r.keys, ...r.args]))),
  });
  return {
    call,
    pipeline,
    eval: async (script, keys, args) => (await pipeline([{ script, keys, args }]))[0],
    close: async () => client.close(),
  };
}
