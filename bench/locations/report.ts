import type { ProducerPerfResult } from "../ceilings/producer-perf.ts";
import type { CpuShare } from "./cpu-meter.ts";
import type { LoadResult } from "./load-plan.ts";
import type { CeilingResults } from "./measure-ceilings.ts";
import type { PipelineResults, PipelineRun } from "./measure-pipeline.ts";
import type { BenchSettings } from "./settings.ts";

/** The targets of docs/architecture.md, figures. */
const TARGETS = { fixesPerS: 100_000, singleFixShareOfCeiling: 0.6, singleFixP99Ms: 20, visibleP99Ms: 500, gatewayRssBytes: 150 * 2 ** 20 };

export interface ReportInput {
  command: string;
  settings: BenchSettings;
  machine: string;
  services: string;
  ceilings: CeilingResults;
  pipeline: PipelineResults;
}

/** The benchmark's figures as Markdown, ready for BENCHMARKS.md. */
export function formatReport(r: ReportInput): string {
  const s = r.settings;
  const endToEnd = (p: PipelineRun) => Math.min(accepted(p.load), p.workerFixesPerS);
  const best = r.pipeline.runs
    .filter((p) => p.load.fixesPerRequest === s.fixesPerRequest)
    .reduce((a, b) => (endToEnd(b) > endToEnd(a) ? b : a));
  const single = r.pipeline.runs.find((p) => p.load.fixesPerRequest === 1 && !p.name.includes("open loop"))!;
  const honoSingle = r.ceilings.http.find((h) => h.name.startsWith("Hono") && h.load.fixesPerRequest === 1)!;
  return [
    `- Command: \`${r.command}\`${s.quick ? " (quick smoke run: windows too short to trust)" : ""}`,
    `- Machine: ${r.machine}. **Everything shares these 2 cores**: load generator, ceiling servers, gateway, workers, Kafka and Redis.`,
    `- Services: ${r.services}; history in a libSQL file in a temp dir.`,
    `- Shape: ${s.drivers.toLocaleString("en")} distinct drivers per run on random walks at 5–20 m/s in one metro (40 km across); each request is one driver's upload of the ` +
      `${s.fixesPerRequest} fixes (or 1) it recorded since its previous one, device time = wall time, so fixes are fresh; ${s.connections} keep-alive connections${s.connectionsHigh ? ` (${s.connectionsHigh} in the third pipeline run)` : ""}, closed loop${s.openRate ? `, then open loop at ${int(s.openRate)} requests/s (latency counted from each request's due time)` : ""}, from one Bun load-generator process; ` +
      `HTTP ceilings ${s.ceilingWarmupS} s warm-up + ${s.ceilingS} s measured, pipeline ${s.warmupS} s + ${s.measureS} s; fix→visible sampled on 1 in ${s.sampleEvery} accepted requests.`,
    "",
    "HTTP, same load generator and run (CPU: % of one core over the measured window; 200 % = both cores):",
    "",
    "| run | fixes/req | req/s | fixes/s (202) | p50 ms | p99 ms | non-202 | server / gateway CPU µs per request | server / gateway peak RSS | CPU % by process | machine busy |",
    "|---|---:|---:|---:|---:|---:|---|---:|---:|---|---:|",
    ...r.ceilings.http.map((h) => httpRow(`ceiling: ${h.name}`, h.load, h.cpu, "server", h.peakRssBytes)),
    ...r.pipeline.runs.map((p) => httpRow(p.name, p.load, p.cpu, "gateway", p.peakRss.gateway)),
    "",
    "Pipeline (gateway → Kafka → location worker → Redis index):",
    "",
    "| run | s between a driver's uploads | fixes/s accepted | fixes/s committed by worker | fix→visible p50 / p99 / max ms (samples) | lag at window end (records) | drain s | status set-up s | system CPU µs per fix | cores for 100k fixes/s |",
    "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ...r.pipeline.runs.map((p) => pipelineRow(p, s.drivers)),
    "",
    "Location worker's handler in the window (one call = one partition's batch: a Redis script and the trail INSERTs side by side):",
    "",
    "| run | calls/s | records/call | mean ms/call | handler busy (% of wall time, summed over partitions) |",
    "|---|---:|---:|---:|---:|",
    ...r.pipeline.runs.map(
      (p) =>
        `| ${p.name} | ${int(p.handler.callsPerS)} | ${p.handler.recordsPerCall.toFixed(1)} | ${ms(p.handler.meanCallMs)} | ${pct(p.handler.busyPct / 100)} |`,
    ),
    "",
    `Peak RSS of the workers process: ${r.pipeline.runs.map((p) => `${mb(p.peakRss.workers)} (${p.name})`).join(", ")}.`,
    `Warn/error log lines: ${Object.entries(r.pipeline.logIssues)
      .map(([name, i]) => `${name} ${i.count}${i.first ? ` (first: \`${i.first}\`)` : ""}`)
      .join(", ")}.`,
    "",
    "Other ceilings, same run:",
    "",
    "| ceiling | rate |",
    "|---|---:|",
    `| Redis GEOADD, 500 members/command, 4 in flight (Bun RedisClient) | ${int(r.ceilings.geoadd.perSecond)} members/s |`,
    `| GeoIndex upsertPositions (the worker's Lua script), 500 drivers/call | ${int(r.ceilings.indexUpsert.perSecond)} drivers/s |`,
    ...r.ceilings.producer.map(producerRow),
    "",
    "Targets (docs/architecture.md, figures):",
    "",
    "| target | measured | verdict |",
    "|---|---:|---|",
    target(
      `≥ ${int(TARGETS.fixesPerS)} fixes/s HTTP → index (best run: ${best.name}; the lower of accepted and committed)`,
      endToEnd(best),
      TARGETS.fixesPerS,
      "min",
      int,
    ),
    target(
      "single-fix req/s ≥ 60 % of the Hono + valibot ceiling",
      single.load.http.perSecond / honoSingle.load.http.perSecond,
      TARGETS.singleFixShareOfCeiling,
      "min",
      pct,
    ),
    target(`single-fix HTTP p99 ≤ 20 ms at ${s.connections} connections`, single.load.http.p99Ms, TARGETS.singleFixP99Ms, "max", ms),
    ...r.pipeline.runs.map((p) =>
      target(`p99 fix → visible ≤ 500 ms (${p.name})`, p.load.visibility?.p99 ?? NaN, TARGETS.visibleP99Ms, "max", ms),
    ),
    target("gateway RSS ≤ 150 MB", Math.max(...r.pipeline.runs.map((p) => p.peakRss.gateway)), TARGETS.gatewayRssBytes, "max", mb),
    "",
  ].join("\n");
}

function accepted(l: LoadResult): number {
  return (l.accepted * l.fixesPerRequest) / l.http.seconds;
}

function httpRow(name: string, l: LoadResult, cpu: CpuShare, server: string, rssBytes: number): string {
  const serverUsPerRequest = ((cpu.processes[server] ?? NaN) / 100 / l.http.perSecond) * 1e6;
  const failures =
    Object.entries(l.failures)
      .map(([k, n]) => `${k}: ${int(n)}`)
      .join(", ") || "0";
  return `| ${name} | ${l.fixesPerRequest} | ${int(l.http.perSecond)} | ${int(accepted(l))} | ${ms(l.http.p50Ms)} | ${ms(l.http.p99Ms)} | ${failures} | ${ms(serverUsPerRequest)} | ${mb(rssBytes)} | ${cpuText(cpu)} | ${pct(cpu.machineBusyPct / 100)} |`;
}

function pipelineRow(p: PipelineRun, drivers: number): string {
  const v = p.load.visibility;
  const visible = v
    ? `${ms(v.p50)} / ${ms(v.p99)} / ${ms(v.max)} (${v.count}${v.timedOut ? `, ${v.timedOut} not seen in 60 s` : ""})`
    : "–";
  const drain = p.drainS === null ? "not within 180 s" : p.drainS.toFixed(1);
  const usPerFix = systemCpuUsPerFix(p);
  return `| ${p.name} | ${(drivers / p.load.http.perSecond).toFixed(1)} | ${int(accepted(p.load))} | ${int(p.workerFixesPerS)} | ${visible} | ${int(p.lagAtEnd)} | ${drain} | ${p.load.statusSetupS?.toFixed(1) ?? "–"} | ${ms(usPerFix)} | ${Number.isFinite(usPerFix) ? ((usPerFix * TARGETS.fixesPerS) / 1e6).toFixed(2) : "–"} |`;
}

/**
 * CPU the system under test (gateway, workers, broker, Redis: not the load generator)
 * spent per accepted fix; NaN when a service was external and its CPU unknown. Times
 * 100k it is the cores the target needs at this efficiency, before any load generator.
 */
function systemCpuUsPerFix(p: PipelineRun): number {
  let pctOfCore = 0;
  for (const name of ["gateway", "workers", "kafka", "redis"]) {
    const share = p.cpu.processes[name];
    if (share === undefined) return NaN;
    pctOfCore += share;
  }
  return (pctOfCore / 100 / accepted(p.load)) * 1e6;
}

function producerRow(p: ProducerPerfResult): string {
  return `| Kafka ProducerPerformance (Java client), ${p.recordBytes} B records, acks=all, ${int(p.records)} records | ${int(p.recordsPerSecond)} records/s (${p.mbPerSecond.toFixed(1)} MB/s; latency p50 ${p.p50Ms} ms, p99 ${p.p99Ms} ms) |`;
}

function cpuText(cpu: CpuShare): string {
  const parts = Object.entries(cpu.processes).map(([name, p]) => `${name} ${Math.round(p)}`);
  return [...parts, `others ${Math.round(cpu.othersPct)}`].join(" · ");
}

function target(name: string, value: number, goal: number, kind: "min" | "max", fmt: (n: number) => string): string {
  const met = kind === "min" ? value >= goal : value <= goal;
  const by = kind === "min" ? `${(goal / value).toFixed(1)}× short` : `${(value / goal).toFixed(1)}× over`;
  return `| ${name} | ${fmt(value)} | ${Number.isNaN(value) ? "not measured" : met ? "met" : `**missed** (${by})`} |`;
}

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en") : "–");
const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "–");
const pct = (f: number) => (Number.isFinite(f) ? `${Math.round(f * 100)} %` : "–");
const mb = (bytes: number | undefined) => (bytes === undefined || !Number.isFinite(bytes) ? "–" : `${Math.round(bytes / 2 ** 20)} MB`);
