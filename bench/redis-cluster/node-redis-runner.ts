import type { RedisClusterType } from "redis";
import type { RedisRunner } from "../../shared/geo/redis-layout/redis-runner.ts";
import { createScriptPipeline, settleAll } from "../../shared/geo/redis-layout/script-pipeline.ts";

export function createNodeRedisRunner(cluster: RedisClusterType): RedisRunner {
  const call = async (cmd: string, args: string[]): Promise<unknown> => {
    if (cmd === "SCRIPT" && args[0] === "LOAD") {
      const shas = await Promise.all(cluster.masters.map(async (m) => (await cluster.nodeClient(m)).sendCommand(["SCRIPT", ...args])));
      return shas[0];
    }
    return cluster.sendCommand(args[0], false, [cmd, ...args]);
  };
  const pipeline = createScriptPipeline({
    call,
    evalshaAll: (runs) =>
      settleAll(runs.map((r) => cluster.sendCommand(r.keys[0], false, ["EVALSHA", r.sha, String(r.keys.length), ...r.keys, ...r.args]))),
  });
  return {
    call,
    pipeline,
    eval: async (script, keys, args) => (await pipeline([{ script, keys, args }]))[0],
    close: async () => void (await cluster.close()),
  };
}
