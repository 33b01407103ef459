import type { LoopResult } from "../closed-loop.ts";
import type { Summary } from "./percentiles.ts";

/** What the load generator process is told to do; passed to it as one JSON argument. */
export interface LoadPlan {
  /** Loopback only: the generator refuses anything else. */
  baseUrl: string;
  drivers: number;
  /** Each run sets up and drives its own drivers. */
  driverIdPrefix: string;
  fixesPerRequest: number;
  connections: number;
  /** Open loop: this many requests per second on a fixed schedule (latency from the due time); absent: closed loop over `connections`. */
  rate?: number;
  warmupS: number;
  measureS: number;
  seed: number;
  /** PUT every driver available (and wait until the index shows it) before sending fixes: the pipeline only. */
  setAvailable?: { redisUrl: string };
  /** Sample fix → visible in the geo index: the pipeline only. */
  visibility?: { redisUrl: string; sampleEvery: number; timeoutMs: number };
}

export interface LoadResult {
  /** The measured window; requests answered 202 count as accepted. */
  http: LoopResult;
  accepted: number;
  fixesPerRequest: number;
  /** Anything but 202, by status code or error name. */
  failures: Record<string, number>;
  /** Mean request body, bytes. */
  bodyBytes: number;
  visibility?: Summary & { timedOut: number };
  statusSetupS?: number;
}

/** One JSON object per stdout line, so the orchestrator can read CPU and offsets at the window's edges. */
export type LoadEvent = { event: "measuring" } | { event: "measured" } | { event: "result"; result: LoadResult };
