import type { ConsumerGroupSpec } from "../../shared/events/consumer-groups.ts";
import type { LogAdmin } from "../../shared/log/event-log.ts";
import type { ReadinessCheck } from "../deps.ts";

export const DEFAULT_MAX_CONSUMER_LAG = 50_000;

/**
 * Not ready while any worker group is more than `maxLag` records behind on its topics
 * (READY_MAX_CONSUMER_LAG): the workers cannot keep up, so a load balancer should send
 * traffic elsewhere (or shed it) instead of deepening the backlog. A group that never
 * committed counts everything retained as lag: nobody is processing those records.
 * Reads offsets only (no group membership), so probing never disturbs the workers.
 */
export function consumerLagReadiness(
  admin: Pick<LogAdmin, "lag">,
  groups: readonly ConsumerGroupSpec[],
  maxLag = DEFAULT_MAX_CONSUMER_LAG,
): ReadinessCheck {
  return async () => {
    const lags = await Promise.all(
      groups.map(async (g) => ({ group: g.group, lag: (await admin.lag(g.group, [...g.topics])).reduce((n, p) => n + p.lag, 0) })),
    );
    const behind = lags.filter((l) => l.lag > maxLag);
    if (behind.length > 0) throw new Error(`consumer lag over ${maxLag}: ${behind.map((b) => `${b.group} ${b.lag}`).join(", ")}`);
  };
}
