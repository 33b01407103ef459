import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { RedisClient } from "bun";
import { freePorts } from "./free-ports.ts";
import { redisAnswersPing } from "./redis-probe.ts";
import { requireTool } from "./require-tool.ts";
import { type ServiceControl, startService } from "./service-process.ts";

export interface RedisClusterNode extends ServiceControl {
  port: number;
  url: string;
}

export interface RedisClusterService {
  /** Every node's `redis://` URL, masters first: what REDIS_CLUSTER_URLS takes (any one is enough to discover the rest). */
  urls: string[];
  nodes: RedisClusterNode[];
  /** The node serving `slot` as master right now, asked of any live node. */
  masterOf(slot: number): Promise<RedisClusterNode>;
  /** Resolves once every node that is running agrees the cluster is up and every slot is served. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** Resolves with the new master of `slot` once a node other than `old` serves it and the cluster is up again. */
  waitFailover(slot: number, old: RedisClusterNode, timeoutMs?: number): Promise<RedisClusterNode>;
  stop(): Promise<void>;
}

export interface RedisClusterOptions {
  /** nodes-<port>.conf files live here; a restarted node reads its own and rejoins. */
  dataDir: string;
  masters?: number;
  /** Replicas per master; a failover needs at least one. */
  replicas?: number;
  /** Redis's cluster-node-timeout: how long a master may be silent before it is failed over. */
  nodeTimeoutMs?: number;
}

/**
 * A throwaway Redis Cluster (`redis-server --cluster-enabled yes`, joined by
 * `redis-cli --cluster create`) on free ports of 127.0.0.1; nothing persisted, like
 * startRedis. A killed master's replica takes over after `nodeTimeoutMs`; a restarted
 * node comes back empty and rejoins (as a replica once it lost its slots).
 */
export async function startRedisCluster(opts: RedisClusterOptions): Promise<RedisClusterService> {
  const redisServer = requireTool("redis-server", "the local Redis Cluster");
  const redisCli = requireTool("redis-cli", "joining the local Redis Cluster");
  const masters = opts.masters ?? 3;
  const replicas = opts.replicas ?? 0;
  await mkdir(opts.dataDir, { recursive: true });
  const ports = await freePorts(masters * (1 + replicas));

  const started = await Promise.allSettled(
    ports.map(async (port): Promise<RedisClusterNode> => {
      const control = await startService({
        name: `redis-server (cluster node ${port})`,
        // Cluster nodes also talk on port + 10000 (the bus); freePorts only checked the client ports, a clash fails start-up loudly.
        cmd: [
          redisServer,
          "--port",
          String(port),
          "--bind",
          "127.0.0.1",
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          join(opts.dataDir, `nodes-${port}.conf`),
          "--cluster-node-timeout",
          String(opts.nodeTimeoutMs ?? 2_000),
          "--save",
          "",
          "--appendonly",
          "no",
          "--dir",
          opts.dataDir,
          "--loglevel",
          "warning",
        ],
        ready: () => redisAnswersPing(port),
        readyTimeoutMs: 10_000,
        stopGraceMs: 5_000,
      });
      return { port, url: `redis://127.0.0.1:${port}`, ...control };
    }),
  );
  const nodes = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const stop = async () => void (await Promise.all(nodes.map((n) => n.stop())));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) {
    await stop();
    throw failed.reason;
  }

  const service: RedisClusterService = {
    urls: nodes.map((n) => n.url),
    nodes,
    stop,
    async masterOf(slot) {
      for (const node of nodes) {
        const shards = await ask(node.port, ["CLUSTER", "SLOTS"]).catch(() => undefined);
        if (!Array.isArray(shards)) continue;
        for (const [from, to, [, port]] of shards as [number, number, [string, number]][]) {
          if (slot >= from && slot <= to) {
            const master = nodes.find((n) => n.port === Number(port));
            if (master) return master;
          }
        }
      }
      throw new Error(`no live node knows the master of slot ${slot}`);
    },
    async waitHealthy(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const states = await Promise.all(nodes.map((n) => clusterState(n.port)));
        const live = states.filter((s) => s !== "down");
        if (live.length > 0 && live.every((s) => s === "ok")) return;
        if (Date.now() > deadline) throw new Error(`Redis Cluster not healthy within ${timeoutMs} ms: ${states.join(", ")}`);
        await Bun.sleep(100);
      }
    },
    async waitFailover(slot, old, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const master = await service.masterOf(slot).catch(() => undefined);
        if (master && master !== old && (await clusterState(master.port)) === "ok") {
          await service.waitHealthy(Math.max(1_000, deadline - Date.now()));
          return master;
        }
        if (Date.now() > deadline) throw new Error(`slot ${slot} not failed over from port ${old.port} within ${timeoutMs} ms`);
        await Bun.sleep(100);
      }
    },
  };

  const create = Bun.spawn(
    [redisCli, "--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`), "--cluster-replicas", String(replicas), "--cluster-yes"],
    { stdin: "ignore", stdout: "pipe", stderr: "pipe" },
  );
  const [out, err, code] = await Promise.all([new Response(create.stdout).text(), new Response(create.stderr).text(), create.exited]);
  try {
    if (code !== 0) throw new Error(`redis-cli --cluster create failed (exit ${code}):\n${(out + err).slice(-4_000)}`);
    await service.waitHealthy();
    // Replicas report "ok" before their link to the master is up; a failover test needs them synced.
    if (replicas > 0) await waitReplicasLinked(nodes, masters * replicas);
  } catch (error) {
    await stop();
    throw error;
  }
  return service;
}

async function ask(port: number, args: string[]): Promise<unknown> {
  const client = new RedisClient(`redis://127.0.0.1:${port}`, { autoReconnect: false, connectionTimeout: 1_000 });
  try {
    return await client.send(args[0]!, args.slice(1));
  } finally {
    client.close();
  }
}

/** "ok", "fail", or "down" when the node does not answer. */
async function clusterState(port: number): Promise<string> {
  const info = await ask(port, ["CLUSTER", "INFO"]).catch(() => undefined);
  if (typeof info !== "string") return "down";
  return /cluster_state:(\w+)/.exec(info)?.[1] ?? "unknown";
}

async function waitReplicasLinked(nodes: RedisClusterNode[], expected: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const infos = await Promise.all(nodes.map((n) => ask(n.port, ["INFO", "replication"]).catch(() => "")));
    const linked = infos.filter((i) => /role:slave/.test(String(i)) && /master_link_status:up/.test(String(i))).length;
    if (linked >= expected) return;
    if (Date.now() > deadline) throw new Error(`only ${linked} of ${expected} Redis Cluster replicas linked within ${timeoutMs} ms`);
    await Bun.sleep(100);
  }
}
