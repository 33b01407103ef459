/** Partitions of a topic as the broker's metadata has them; rejects when the topic does not exist or the broker is away. */
export type PartitionCount = (topic: string) => Promise<number>;

/** How long a topic's count is used before it is looked up again (in the background): Java's metadata.max.age.ms. */
const REFRESH_AFTER_MS = 5 * 60_000;

/**
 * The publisher's cache of partition counts, which it needs to place each record on its
 * partition itself. A count is looked up once per topic (concurrent lookups share one) and
 * refreshed in the background every few minutes, so partitions added to a topic are picked up
 * as a Java producer would; until then the old count goes on being used.
 */
export function createPartitionCounts(lookUp: PartitionCount, now: () => number = Date.now) {
  const counts = new Map<string, { count: number; at: number }>();
  const loading = new Map<string, Promise<number>>();

  function load(topic: string): Promise<number> {
    let p = loading.get(topic);
    if (!p) {
      p = lookUp(topic).then(
        (count) => {
          if (!Number.isInteger(count) || count < 1) throw new Error(`topic ${topic} has ${count} partitions`);
          counts.set(topic, { count, at: now() });
          return count;
        },
        (err: unknown) => {
          // A failed refresh keeps the old count for another period rather than asking again on every record.
          const old = counts.get(topic);
          if (old) old.at = now();
          throw err;
        },
      );
      const settled = () => void loading.delete(topic);
      p.then(settled, settled);
      loading.set(topic, p);
    }
    return p;
  }

  return {
    /** The cached count, or undefined before the first lookup succeeded. */
    known(topic: string): number | undefined {
      const c = counts.get(topic);
      if (c && now() - c.at > REFRESH_AFTER_MS && !loading.has(topic)) load(topic).catch(() => {});
      return c?.count;
    },
    load,
  };
}
