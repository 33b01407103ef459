import type { Registry } from "prom-client";
import type { Publisher } from "../../shared/log/event-log.ts";
import { histogram, LATENCY_BUCKETS } from "../../shared/metrics/registry.ts";

/**
 * Wraps a Publisher to time each publish until the log has it durably (the broker's
 * ack for Kafka), by topic and outcome: the part of a request's latency the gateway
 * does not control, and the first thing to look at when 202s slow down.
 */
export function timedPublisher(inner: Publisher, registry: Registry): Publisher {
  const seconds = histogram(registry, {
    name: "fleet_publish_duration_seconds",
    help: "Time from publish to durable (acks=all) by topic and outcome",
    labelNames: ["topic", "outcome"] as const,
    buckets: LATENCY_BUCKETS,
  });
  return {
    async publish(records) {
      const start = performance.now();
      const topic = records[0]?.topic ?? "none";
      try {
        await inner.publish(records);
        seconds.observe({ topic, outcome: "acked" }, (performance.now() - start) / 1000);
      } catch (err) {
        seconds.observe({ topic, outcome: (err as Error).name ?? "error" }, (performance.now() - start) / 1000);
        throw err;
      }
    },
    close: () => inner.close(),
  };
}
