import type { Redis } from "@upstash/redis";
import type { RedisRunner } from "../redis-layout/redis-runner.ts";
import { createScriptPipeline, type Settled } from "../redis-layout/script-pipeline.ts";

/**
 * RedisRunner over @upstash/redis: one HTTP request per call, one `/pipeline` request
 * per pipeline. The client must be built with `automaticDeserialization: false`, or
 * ids and distances that look like JSON numbers would come back as numbers.
 */
export function createUpstashRunner(redis: Redis): RedisRunner {
  const call = (cmd: string, args: string[]): Promise<unknown> => redis.exec([cmd, ...args]);
  const pipeline = createScriptPipeline({
    call,
    async evalshaAll(runs) {
      const p = redis.pipeline();
      for (const r of runs) p.evalsha(r.sha, r.keys, r.args);
      const replies = await p.exec({ keepErrors: true });
      return replies.map(({ error, result }): Settled => (error ? { ok: false, error: new Error(error) } : { ok: true, value: result }));
    },
  });
  return {
    call,
    pipeline,
    eval: async (script, keys, args) => (await pipeline([{ script, keys, args }]))[0],
    // HTTP holds no connection to close.
    close: async () => {},
  };
}
