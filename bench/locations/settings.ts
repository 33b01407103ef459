import { parseArgs } from "node:util";

export interface BenchSettings {
  quick: boolean;
  drivers: number;
  connections: number;
  /** A second batched pipeline run over this many connections (0: none). */
  connectionsHigh: number;
  /** Open-loop pipeline runs (10 fixes and 1 fix per request) at this many requests/s (0: none). */
  openRate: number;
  fixesPerRequest: number;
  /** The pipeline runs' warm-up and measured window. */
  warmupS: number;
  measureS: number;
  /** The ceilings' (shorter: they only need a steady rate, not a steady backlog). */
  ceilingWarmupS: number;
  ceilingS: number;
  /** Bytes each producer perf run sends; its record count follows from the record size. */
  producerPerfBytes: number;
  /** 1 in N accepted requests is followed until its fix is visible in the index. */
  sampleEvery: number;
}

const USAGE =
  "bun bench/locations/run.ts [--quick] [--drivers 10000] [--connections 64] [--connections-high 256] [--open-rate 5000] [--fixes 10] [--seconds 30] [--warmup 5]";

export function parseSettings(argv: string[]): BenchSettings {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      drivers: { type: "string", default: "10000" },
      connections: { type: "string", default: "64" },
      "connections-high": { type: "string", default: "256" },
      "open-rate": { type: "string" },
      fixes: { type: "string", default: "10" },
      seconds: { type: "string" },
      warmup: { type: "string" },
    },
  });
  const quick = values.quick === true;
  const settings: BenchSettings = {
    quick,
    drivers: Number(values.drivers),
    connections: Number(values.connections),
    connectionsHigh: Number(values["connections-high"]),
    openRate: Number(values["open-rate"] ?? (quick ? 2000 : 5000)),
    fixesPerRequest: Number(values.fixes),
    measureS: Number(values.seconds ?? (quick ? 3 : 30)),
    warmupS: Number(values.warmup ?? (quick ? 1 : 5)),
    ceilingWarmupS: quick ? 1 : 3,
    ceilingS: quick ? 2 : 10,
    producerPerfBytes: quick ? 20e6 : 200e6,
    sampleEvery: 100,
  };
  const minimums = { drivers: 1, connections: 1, connectionsHigh: 0, openRate: 0, fixesPerRequest: 1, measureS: 1, warmupS: 0 } as const;
  const bad = Object.entries(minimums)
    .filter(([k, min]) => !(settings[k as keyof typeof minimums] >= min))
    .map(([k]) => k);
  if (bad.length > 0) throw new Error(`invalid ${bad.join(", ")}; usage: ${USAGE}`);
  if (settings.fixesPerRequest > 10)
    throw new Error("--fixes must be at most 10: a phone flushes a few seconds of fixes (docs/architecture.md, figures)");
  return settings;
}
