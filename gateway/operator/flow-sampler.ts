import { startPeriodic } from "../../shared/async/periodic.ts";
import { CONSUMER_GROUPS, type ConsumerGroupSpec } from "../../shared/events/consumer-groups.ts";
import { dlqTopicOf, TOPICS } from "../../shared/events/topics.ts";
import type { LogAdmin, PartitionLag } from "../../shared/log/event-log.ts";
import type { Logger } from "../../shared/logging/logger.ts";

/** One look at the log: each topic's end offset (summed over partitions), each group's lag, each topic's retained dead letters. */
interface FlowSample {
  at: number;
  ends: Record<string, number>;
  lags: Record<string, number>;
  deadLetters: Record<string, number>;
}

/** Between two samples: records per second appended to each topic; lag and dead letters as of the later one. */
export interface FlowPoint {
  at: string;
  rates: Record<string, number>;
  lags: Record<string, number>;
  deadLetters: Record<string, number>;
}

export interface FlowWindow {
  intervalMs: number;
  /** Oldest first, covering at most the sampler's window. */
  points: FlowPoint[];
}

export interface FlowSamplerOptions {
  admin: Pick<LogAdmin, "lag">;
  topics: readonly string[];
  groups: readonly ConsumerGroupSpec[];
  intervalMs: number;
  windowMs: number;
  now?: () => number;
}

/** Never commits: its lag on a topic is the records retained there, and its name keeps it apart from any worker. */
const PROBE_GROUP = "fleet-gateway-flow-probe";

/**
 * Topic rates, group lag and dead letters over the last minutes, for the operator
 * console (GET /v1/operator/flow). The gateway samples offsets only (no group
 * membership, nothing read), `topics.length + groups.length` partitions' worth of
 * offset requests per sample, off the request path; the entry point runs `sample`
 * every `intervalMs` (startPeriodic) and the route reads `window()`.
 */
export function createFlowSampler(opts: FlowSamplerOptions) {
  const now = opts.now ?? Date.now;
  const samples: FlowSample[] = [];
  const total = (parts: PartitionLag[], topic: string, field: "end" | "lag") =>
    parts.filter((p) => p.topic === topic).reduce((n, p) => n + p[field], 0);

  return {
    async sample(): Promise<void> {
      const dlqs = opts.topics.map(dlqTopicOf);
      const [probe, ...groupLags] = await Promise.all([
        opts.admin.lag(PROBE_GROUP, [...opts.topics, ...dlqs]),
        ...opts.groups.map((g) => opts.admin.lag(g.group, [...g.topics])),
      ]);
      const at = now();
      samples.push({
        at,
        ends: Object.fromEntries(opts.topics.map((t) => [t, total(probe!, t, "end")])),
        lags: Object.fromEntries(opts.groups.map((g, i) => [g.group, groupLags[i]!.reduce((n, p) => n + p.lag, 0)])),
        deadLetters: Object.fromEntries(opts.topics.map((t) => [t, total(probe!, dlqTopicOf(t), "lag")])),
      });
      while (samples.length > 0 && samples[0]!.at < at - opts.windowMs) samples.shift();
    },

    window(): FlowWindow {
      const points = samples.slice(1).map((s, i): FlowPoint => {
        const prev = samples[i]!;
        const seconds = Math.max(0.001, (s.at - prev.at) / 1000);
        const rates = Object.fromEntries(
          Object.entries(s.ends).map(([t, end]) => [t, Math.max(0, Math.round(((end - (prev.ends[t] ?? end)) / seconds) * 10) / 10)]),
        );
        return { at: new Date(s.at).toISOString(), rates, lags: s.lags, deadLetters: s.deadLetters };
      });
      return { intervalMs: opts.intervalMs, points };
    },
  };
}

export type FlowSampler = ReturnType<typeof createFlowSampler>;

/** How often a gateway samples, and how far back the console's charts reach. */
export const FLOW_INTERVAL_MS = 5_000;
export const FLOW_WINDOW_MS = 15 * 60_000;

/** The catalogue's topics and worker groups, sampled every `intervalMs` until stop(); for gateway/main.ts and dev.ts. */
export function startFlowSampler(
  admin: Pick<LogAdmin, "lag">,
  logger: Logger,
  timing = { intervalMs: FLOW_INTERVAL_MS, windowMs: FLOW_WINDOW_MS },
): Pick<FlowSampler, "window"> & { stop(): Promise<void> } {
  const sampler = createFlowSampler({ admin, topics: Object.values(TOPICS), groups: CONSUMER_GROUPS, ...timing });
  const periodic = startPeriodic("flow sample", { intervalMs: timing.intervalMs, logger, run: sampler.sample });
  return { window: sampler.window, stop: periodic.stop };
}
