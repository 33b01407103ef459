import type { Cluster } from "ioredis";
import type { RedisRunner } from "../redis-layout/redis-runner.ts";
import { createScriptPipeline, settleAll } from "../redis-layout/script-pipeline.ts";
import { clusterScan, withFreshSlots } from "./cluster-scan.ts";

/**
 * RedisRunner over an ioredis Cluster. A keyed command goes to the master of its key's
 * slot (ioredis follows MOVED/ASK and refreshes the slot map after a failover); the
 * EVALSHAs of a pipeline are sent at once and ioredis auto-pipelines those bound for one
 * node into one write. SCRIPT LOAD goes to every master: a script cached on one node is
 * unknown to the others, and the shared script pipeline reloads it on NOSCRIPT (a
 * replica promoted after a failover may not have it). SCAN walks every master (cluster-scan.ts).
 */
export function createIoredisRunner(cluster: Cluster): RedisRunner {
  const call = async (cmd: string, args: string[]): Promise<unknown> => {
    if (cmd === "SCRIPT" && args[0] === "LOAD") {
      const shas = await withFreshSlots(cluster, () => Promise.all(cluster.nodes("master").map((node) => node.call("SCRIPT", ...args))));
      return shas[0];
    }
    if (cmd === "SCAN") return clusterScan(cluster, args);
    return cluster.call(cmd, ...args);
  };
  const pipeline = createScriptPipeline({
    call,
    evalshaAll: (runs) => settleAll(runs.map((r) => cluster.evalsha(r.sha, r.keys.length, ...r.keys, ...r.args))),
  });
  return {
    call,
    pipeline,
    eval: async (script, keys, args) => (await pipeline([{ script, keys, args }]))[0],
    close: async () => void (await cluster.quit().catch(() => cluster.disconnect())),
  };
}
