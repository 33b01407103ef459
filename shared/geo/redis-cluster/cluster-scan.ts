import type { Cluster, Redis } from "ioredis";

/**
 * SCAN over a Cluster. Each master holds only its own slots' keys, so one listing walks
 * the masters one after another, in the order of the slots they own; that order survives
 * a failover (the promoted replica owns the same slots), though the SCAN cursor carried
 * over to it gives only SCAN's promise on a rehashed table. The cursor is
 * "<master>:<that master's SCAN cursor>"; "0" starts and ends a walk, as SCAN's does.
 */
export async function clusterScan(cluster: Cluster, args: string[]): Promise<[string, string[]]> {
  const [cursor = "0", ...options] = args;
  const m = cursor === "0" ? ["", "0", "0"] : /^(\d+):(\d+)$/.exec(cursor);
  if (!m) throw new Error(`invalid cursor ${cursor}`);
  const masters = mastersInSlotOrder(cluster);
  const at = Number(m[1]);
  const node = masters[at];
  if (!node) return ["0", []];
  const [next, keys] = (await node.call("SCAN", m[2]!, ...options)) as [string, string[]];
  if (next !== "0") return [`${at}:${next}`, keys];
  return [at + 1 < masters.length ? `${at + 1}:0` : "0", keys];
}

function mastersInSlotOrder(cluster: Cluster): Redis[] {
  const byKey = new Map(cluster.nodes("master").map((node) => [`${node.options.host}:${node.options.port}`, node]));
  const order: Redis[] = [];
  for (const owners of cluster.slots) {
    const node = owners?.[0] === undefined ? undefined : byKey.get(owners[0]);
    if (node && !order.includes(node)) order.push(node);
  }
  return order;
}
