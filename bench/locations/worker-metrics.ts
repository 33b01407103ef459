/** What the workers' /metrics says about one group's handler calls so far (prom-client text format). */
export interface HandlerTotals {
  calls: number;
  seconds: number;
  events: number;
}

export async function scrapeHandlerTotals(metricsUrl: string, group: string): Promise<HandlerTotals> {
  const text = await (await fetch(metricsUrl)).text();
  const sum = (name: string) =>
    text
      .split("\n")
      .filter((line) => line.startsWith(`${name}{`) && line.includes(`group="${group}"`))
      .reduce((n, line) => n + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
  return {
    calls: sum("fleet_handler_duration_seconds_count"),
    seconds: sum("fleet_handler_duration_seconds_sum"),
    events: sum("fleet_events_processed_total"),
  };
}

/** Handler activity between two scrapes over `windowS` seconds of wall time. */
export interface HandlerActivity {
  callsPerS: number;
  meanCallMs: number;
  recordsPerCall: number;
  /** Handler time ÷ wall time, %: above 100 means calls overlapped (several partitions at once). */
  busyPct: number;
}

export function handlerActivity(before: HandlerTotals, after: HandlerTotals, windowS: number): HandlerActivity {
  const calls = after.calls - before.calls;
  const seconds = after.seconds - before.seconds;
  return {
    callsPerS: calls / windowS,
    meanCallMs: (seconds / Math.max(1, calls)) * 1000,
    recordsPerCall: (after.events - before.events) / Math.max(1, calls),
    busyPct: (seconds / windowS) * 100,
  };
}
