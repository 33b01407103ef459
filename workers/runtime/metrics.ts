import type { Counter, Gauge, Histogram, Registry } from "prom-client";
import { counter, gauge, histogram, LATENCY_BUCKETS } from "../../shared/metrics/registry.ts";
import type { BatchMiddleware } from "./handler.ts";
import type { RetryObserver } from "./retry.ts";

type Labels = "group" | "topic";

export interface WorkerMetrics {
  /** Events in handler calls that resolved. */
  processed: Counter<Labels>;
  /** Events in handler calls that threw (each failed call counts its events). */
  failed: Counter<Labels>;
  /** Events run again after a failure (outage retries, isolation, further attempts). */
  retried: Counter<Labels>;
  /** Events published to `<topic>.dlq`. */
  deadLettered: Counter<Labels>;
  duration: Histogram<Labels>;
  /** Records a group has yet to consume, per partition (see lag-gauge.ts). */
  lag: Gauge<Labels | "partition">;
}

/** The worker runtime's series in `registry`; several workers in one process share them. */
export function workerMetrics(registry: Registry): WorkerMetrics {
  const labelNames = ["group", "topic"] as const;
  return {
    processed: counter(registry, { name: "fleet_events_processed_total", help: "Events whose handler call resolved", labelNames }),
    failed: counter(registry, { name: "fleet_events_failed_total", help: "Events in handler calls that threw", labelNames }),
    retried: counter(registry, { name: "fleet_events_retried_total", help: "Events run again after a failure", labelNames }),
    deadLettered: counter(registry, {
      name: "fleet_events_dead_lettered_total",
      help: "Events published to their topic's DLQ",
      labelNames,
    }),
    duration: histogram(registry, {
      name: "fleet_handler_duration_seconds",
      help: "Duration of one handler call",
      labelNames,
      buckets: LATENCY_BUCKETS,
    }),
    lag: gauge(registry, {
      name: "fleet_consumer_lag",
      help: "Records not yet consumed by the group",
      labelNames: ["group", "topic", "partition"],
    }),
  };
}

/** Times every handler call and counts its events as processed or failed. */
export function withMetrics(m: WorkerMetrics, group: string): BatchMiddleware {
  return (next) => async (batch) => {
    const labels = { group, topic: batch.topic };
    const end = m.duration.startTimer(labels);
    try {
      await next(batch);
      m.processed.inc(labels, batch.records.length);
    } catch (err) {
      m.failed.inc(labels, batch.records.length);
      throw err;
    } finally {
      end();
    }
  };
}

/** Counts re-runs and dead letters as the retry policy reports them. */
export function metricsObserver(m: WorkerMetrics, group: string): RetryObserver {
  return {
    retrying: (e) => {
      if (e.kind !== "dead-letter-publish") m.retried.inc({ group, topic: e.batch.topic }, e.records.length);
    },
    deadLettered: (e) => m.deadLettered.inc({ group, topic: e.batch.topic }),
  };
}
