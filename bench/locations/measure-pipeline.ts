import { TOPICS } from "../../shared/events/topics.ts";
import type { LogAdmin } from "../../shared/log/event-log.ts";
import { type GroupProgress, groupProgress, waitForDrain } from "./consumer-progress.ts";
import { type CpuShare, startCpuWindow, watchPeakRss } from "./cpu-meter.ts";
import type { LoadPlan, LoadResult } from "./load-plan.ts";
import { runLoadProcess } from "./load-process.ts";
import { startPipeline } from "./pipeline.ts";
import type { BenchSettings } from "./settings.ts";
import { type HandlerActivity, type HandlerTotals, handlerActivity, scrapeHandlerTotals } from "./worker-metrics.ts";

const LOCATION_GROUP = "fleet-location";
const DRAIN_TIMEOUT_MS = 180_000;
const VISIBILITY_TIMEOUT_MS = 60_000;

export interface PipelineRun {
  name: string;
  connections: number;
  load: LoadResult;
  cpu: CpuShare;
  /** Fixes the location worker committed per second during the measured window. */
  workerFixesPerS: number;
  /** Records (requests) the worker had yet to commit when the measured window ended. */
  lagAtEnd: number;
  /** Seconds from the window's end (the load stops) until the lag was zero; null if it never got there. */
  drainS: number | null;
  /** The location worker's handler calls during the measured window. */
  handler: HandlerActivity;
  /** Peak resident set of the gateway and the workers during the run, bytes. */
  peakRss: { gateway: number; workers: number };
}

export interface PipelineResults {
  runs: PipelineRun[];
  /** Warn and error lines each process logged (retries, dead letters, broker trouble), and the first of them. */
  logIssues: Record<string, { count: number; first?: string }>;
}

export interface PipelineContext {
  settings: BenchSettings;
  brokers: string;
  redisUrl: string;
  dataDir: string;
  admin: Pick<LogAdmin, "lag">;
  servicePids: Record<string, number | undefined>;
  /** Unique per benchmark run, so drivers of an earlier run (with newer device times) never shadow this run's fixes. */
  runId: string;
}

/**
 * The real gateway and workers under the load generator: batched fixes, one fix per
 * request, then batched fixes over more connections. Each 202 waits for the broker's
 * ack, so a closed loop's rate is at most connections ÷ latency: the last run shows
 * whether more clients get more throughput (latency-bound) or not (CPU-bound).
 */
export async function measurePipeline(ctx: PipelineContext, progress: (msg: string) => void): Promise<PipelineResults> {
  progress("pipeline: starting workers and gateway");
  const pipeline = await startPipeline({ brokers: ctx.brokers, redisUrl: ctx.redisUrl, dataDir: ctx.dataDir });
  try {
    const runs: PipelineRun[] = [];
    const s = ctx.settings;
    const shapes: { tag: string; fixes: number; connections: number; rate?: number }[] = [
      { tag: "b", fixes: s.fixesPerRequest, connections: s.connections },
      { tag: "s", fixes: 1, connections: s.connections },
      ...(s.connectionsHigh > 0 ? [{ tag: "w", fixes: s.fixesPerRequest, connections: s.connectionsHigh }] : []),
      // Open loop: latency at a stated offered rate, not only at saturation.
      ...(s.openRate > 0
        ? [
            { tag: "ob", fixes: s.fixesPerRequest, connections: s.connections, rate: s.openRate },
            { tag: "os", fixes: 1, connections: s.connections, rate: s.openRate },
          ]
        : []),
    ];
    for (const { tag, fixes, connections, rate } of shapes) {
      progress(
        `pipeline: ${fixes} fix(es)/request, ${rate ? `open loop ${rate} req/s` : `${connections} connections`}, ${s.drivers} drivers, ${s.warmupS} s warm-up + ${s.measureS} s`,
      );
      const plan: LoadPlan = {
        baseUrl: pipeline.url,
        drivers: s.drivers,
        driverIdPrefix: `bench-${ctx.runId}-${tag}-`,
        fixesPerRequest: fixes,
        connections,
        rate,
        warmupS: s.warmupS,
        measureS: s.measureS,
        seed: fixes,
        setAvailable: { redisUrl: ctx.redisUrl },
        visibility: { redisUrl: ctx.redisUrl, sampleEvery: s.sampleEvery, timeoutMs: VISIBILITY_TIMEOUT_MS },
      };
      runs.push(await pipelineRun(ctx, plan, { gateway: pipeline.gateway.pid, workers: pipeline.workers.pid }, pipeline.workersMetricsUrl));
    }
    await pipeline.stop();
    return { runs, logIssues: { gateway: await logIssues(pipeline.gateway.logFile), workers: await logIssues(pipeline.workers.logFile) } };
  } finally {
    await pipeline.stop();
  }
}

async function logIssues(logFile: string): Promise<{ count: number; first?: string }> {
  const issues = (await Bun.file(logFile).text()).split("\n").filter((line) => /"level":"(warn|error)"/.test(line));
  return { count: issues.length, first: issues[0]?.slice(0, 300) };
}

async function pipelineRun(
  ctx: PipelineContext,
  plan: LoadPlan,
  pids: { gateway: number; workers: number },
  metricsUrl: string,
): Promise<PipelineRun> {
  const progressNow = () => groupProgress(ctx.admin, LOCATION_GROUP, TOPICS.driverLocations);
  const handlerNow = () => scrapeHandlerTotals(metricsUrl, LOCATION_GROUP);
  let start: { at: number; progress: GroupProgress; handler: HandlerTotals; endCpu: () => CpuShare } | undefined;
  let end: { at: number; progress: GroupProgress; handler: HandlerTotals; cpu: CpuShare; drained: Promise<number | null> } | undefined;
  const rss = watchPeakRss(pids);
  const load = await runLoadProcess(plan, {
    async onMeasuring(loadPid) {
      const endCpu = startCpuWindow({ ...pids, "load generator": loadPid, ...ctx.servicePids });
      start = { at: performance.now(), progress: await progressNow(), handler: await handlerNow(), endCpu };
    },
    async onMeasured() {
      const cpu = start!.endCpu();
      const at = performance.now();
      // The load stops here (only the requests in flight still finish): the backlog now is what the worker must catch up on.
      const drained = waitForDrain(ctx.admin, LOCATION_GROUP, TOPICS.driverLocations, DRAIN_TIMEOUT_MS);
      // Awaited once the generator exits; until then a failure must not count as unhandled.
      drained.catch(() => {});
      end = { at, cpu, progress: await progressNow(), handler: await handlerNow(), drained };
    },
  });
  const peakRss = rss.stop();
  const windowS = (end!.at - start!.at) / 1000;
  return {
    name: `pipeline, ${plan.fixesPerRequest === 1 ? "single fix" : `${plan.fixesPerRequest} fixes`}, ${plan.rate ? `open loop ${plan.rate.toLocaleString("en")} req/s` : `${plan.connections} connections`}`,
    connections: plan.connections,
    load,
    cpu: end!.cpu,
    workerFixesPerS: ((end!.progress.consumed - start!.progress.consumed) * plan.fixesPerRequest) / windowS,
    lagAtEnd: end!.progress.lag,
    drainS: await end!.drained,
    handler: handlerActivity(start!.handler, end!.handler, windowS),
    peakRss: { gateway: peakRss.gateway ?? NaN, workers: peakRss.workers ?? NaN },
  };
}
