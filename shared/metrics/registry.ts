import { Counter, collectDefaultMetrics, Gauge, Histogram, type Metric, Registry } from "prom-client";

/**
 * Prometheus registries are passed explicitly: nothing registers into prom-client's
 * global default registry, so two apps (or two tests) in one process never collide.
 * Metric helpers are get-or-create, because several workers in one process share a
 * registry and each asks for the same counters.
 */

export interface RegistryOptions {
  /** Labels on every series (e.g. { process: "workers" }). */
  defaultLabels?: Record<string, string>;
  /** Adds prom-client's process metrics (CPU, memory, event loop). */
  processMetrics?: boolean;
}

export function createRegistry(opts: RegistryOptions = {}): Registry {
  const registry = new Registry();
  if (opts.defaultLabels) registry.setDefaultLabels(opts.defaultLabels);
  if (opts.processMetrics) collectDefaultMetrics({ register: registry });
  return registry;
}

export interface MetricSpec<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
}

export function counter<L extends string>(registry: Registry, spec: MetricSpec<L>): Counter<L> {
  return existing(registry, spec, Counter) ?? new Counter({ ...spec, registers: [registry] });
}

export function gauge<L extends string>(registry: Registry, spec: MetricSpec<L>): Gauge<L> {
  return existing(registry, spec, Gauge) ?? new Gauge({ ...spec, registers: [registry] });
}

export function histogram<L extends string>(registry: Registry, spec: MetricSpec<L> & { buckets: number[] }): Histogram<L> {
  return existing(registry, spec, Histogram) ?? new Histogram({ ...spec, registers: [registry] });
}

/** Seconds buckets from 1 ms to 10 s: handler calls and HTTP requests both fit. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Current value of one counter or gauge series, for tests and readiness checks; 0 when never set. */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string | number>): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  const wanted = Object.entries(labels);
  const sample = values.find((s) => wanted.every(([k, v]) => String(s.labels[k]) === String(v)));
  return sample?.value ?? 0;
}

function existing<M extends Metric>(
  registry: Registry,
  spec: MetricSpec<string>,
  kind: abstract new (...args: never[]) => M,
): M | undefined {
  const found = registry.getSingleMetric(spec.name);
  if (!found) return undefined;
  const labels = (found as unknown as { labelNames?: readonly string[] }).labelNames ?? [];
  if (!(found instanceof kind) || labels.join() !== spec.labelNames.join()) {
    throw new Error(`metric "${spec.name}" is already registered with another type or labels (${labels.join(", ")})`);
  }
  return found;
}
