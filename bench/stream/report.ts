import type { CpuShare } from "../locations/cpu-meter.ts";
import { summarize } from "../locations/percentiles.ts";
import type { StreamLoadResult } from "./plan.ts";

export interface LevelRun {
  streams: number;
  mode: "trips" | "ceiling";
  load: StreamLoadResult;
  cpu: CpuShare;
  /** The server's (gateway's or ceiling's) resident set before its streams opened, and its peak while they ran. */
  baselineRss: number;
  peakRss: number;
}

export interface StreamReportInput {
  command: string;
  machine: string;
  services: string;
  runs: LevelRun[];
  periodMs: number;
  targetP99Ms: number;
  flags: { warmup: string; seconds: string };
}

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : "–");
const refusals = (f: StreamLoadResult["fixes"]) =>
  f.refused === 0
    ? "0"
    : `${f.refused} (${Object.entries(f.refusedBy)
        .map(([why, n]) => `${why}: ${n}`)
        .join(", ")})`;
const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;

/** The stream benchmark's figures as Markdown, ready for BENCHMARKS.md. */
export function formatStreamReport(r: StreamReportInput): string {
  const rows = r.runs.map((run) => {
    const l = summarize(run.load.latencies);
    const server = run.cpu.processes.server ?? NaN;
    const byProcess = Object.entries(run.cpu.processes)
      .map(([name, pct]) => `${name === "server" ? (run.mode === "trips" ? "gateway" : "ceiling") : name} ${pct.toFixed(0)}`)
      .concat(`others ${run.cpu.othersPct.toFixed(0)}`)
      .join(" · ");
    const perStreamUs = (server / 100 / run.streams) * 1e6;
    const perStreamKb = Math.max(0, run.peakRss - run.baselineRss) / 1024 / run.streams;
    return [
      run.mode === "trips" ? "gateway (Kafka → worker → Redis stream → SSE)" : "ceiling: bare Bun SSE push",
      run.streams.toLocaleString("en"),
      `${run.load.streamsOpen.toLocaleString("en")} / ${run.load.streamsFailed}`,
      run.mode === "trips"
        ? `${run.load.fixes.accepted.toLocaleString("en")} / ${refusals(run.load.fixes)} / ${run.load.fixes.skipped.toLocaleString("en")}`
        : "–",
      (run.load.events.location ?? 0).toLocaleString("en"),
      `${ms(l.p50)} / ${ms(l.p99)} / ${ms(l.max)} (${l.count.toLocaleString("en")})`,
      `${server.toFixed(0)} %`,
      perStreamUs.toFixed(0),
      `${mb(run.baselineRss)} → ${mb(run.peakRss)}`,
      perStreamKb.toFixed(1),
      byProcess,
      `${run.cpu.machineBusyPct.toFixed(0)} %`,
    ];
  });
  const storms = r.runs.flatMap((run) => (run.load.storm ? [{ streams: run.streams, storm: run.load.storm }] : []));
  return [
    `- Command: \`${r.command}\``,
    `- Machine: ${r.machine}. **Everything shares these 2 cores**: the load process (every SSE client and every driver), gateway, workers, Kafka, Redis, the ceiling server, and other engineers' work (the "others" CPU).`,
    `- Services: ${r.services}; history in a libSQL file in a temp dir; \`bun workers/main.ts booking status location order\` and \`bun gateway/main.ts\` as production runs them.`,
    `- Shape: N accepted bookings, one rider's SSE client per booking (one Bun load process, one connection each) and its driver posting one fix every ${r.periodMs / 1000} s (spread evenly, moving at 8 m/s, device time = send time); ${r.flags.warmup} s warm-up, ${r.flags.seconds} s measured. Latency: the fix's recordedAt → its \`location\` event parsed at the client. The ceiling: a bare \`Bun.serve\` holding as many SSE streams and pushing each an event every ${r.periodMs / 1000} s, read by the same client code. Target: p99 ≤ ${r.targetP99Ms} ms.`,
    "",
    "| run | streams | open / failed | fixes 202 / refused / not sent (previous still in flight) | location events | fix → event p50 / p99 / max ms (samples) | server CPU (% of a core) | server CPU µs per stream-second | server RSS before → peak | KB per stream | CPU % by process | machine busy |",
    "|---|---:|---:|---:|---:|---|---:|---:|---|---:|---|---:|",
    ...rows.map((cells) => `| ${cells.join(" | ")} |`),
    "",
    ...(storms.length === 0
      ? []
      : [
          "Streams are opened 250 at a time before the window (riders do not all connect in one instant; the storm below is that instant). Reconnect storm: every client drops its stream and reconnects at once with its Last-Event-ID while the drivers keep posting; recovery = storm start → the client's first new event (a driver posts every 2 s, so up to ~2 s of it is waiting for one); then each client's ids, over both connections, are compared with the stream's own in Redis (XRANGE from its first to its last id).",
          "",
          "| streams | recovered | recover p50 / p99 / max ms | not recovered in 60 s | clients with a gap | duplicate ids | entries checked |",
          "|---:|---:|---|---:|---:|---:|---:|",
          ...storms.map(({ streams, storm: s }) => {
            const rec = summarize(s.recoverMs);
            return `| ${streams.toLocaleString("en")} | ${s.recoverMs.length.toLocaleString("en")} | ${ms(rec.p50)} / ${ms(rec.p99)} / ${ms(rec.max)} | ${s.notRecovered} | ${s.gaps} | ${s.duplicates} | ${s.checkedEntries.toLocaleString("en")} |`;
          }),
        ]),
  ].join("\n");
}
