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
  const at = Number(m[1]);
  const { masters, reply } = await withFreshSlots(cluster, async () => {
    const masters = mastersInSlotOrder(cluster);
    const node = masters[at];
    if (!node) return { masters: masters.length, reply: ["0", []] as [string, string[]] };
    return { masters: masters.length, reply: (await node.call("SCAN", m[2]!, ...options)) as [string, string[]] };
  });
  const [next, keys] = reply;
  if (next !== "0") return [`${at}:${next}`, keys];
  return [at + 1 < masters ? `${at + 1}:0` : "0", keys];
}

/**
 * Runs a call addressed to nodes rather than keys (SCAN, SCRIPT LOAD on every master), and
 * once more after refreshing the slot map if it fails: ioredis follows no redirection for
 * those, so right after a failover they may reach the dead master the map still names until
 * its next periodic refresh. A second failure is a real outage and goes to the caller.
 */
export async function withFreshSlots<T>(cluster: Cluster, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch {
    await new Promise<void>((resolve, reject) => cluster.refreshSlotsCache((err) => (err ? reject(err) : resolve())));
    return call();
  }
}

function mastersInSlotOrder(cluster: Cluster): Redis[] {
  // Right after a failover the promoted replica may still sit in ioredis's pool as a replica, so owners are looked up
  // among all nodes; an owner not connected at all throws, and withFreshSlots refreshes the map instead of a listing
  // silently skipping that master's keys.
  const byKey = new Map(cluster.nodes("all").map((node) => [`${node.options.host}:${node.options.port}`, node]));
  const order: Redis[] = [];
  for (const owners of cluster.slots) {
    const owner = owners?.[0];
    if (owner === undefined) continue;
    const node = byKey.get(owner);
    if (!node) throw new Error(`slot owner ${owner} is not connected`);
    if (!order.includes(node)) order.push(node);
  }
  return order;
}
