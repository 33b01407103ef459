import { TOPICS } from "../shared/events/topics.ts";
import { auditHandler } from "./audit/audit-handler.ts";
import type { WorkerDeps } from "./deps.ts";
import type { Handler } from "./runtime/handler.ts";

/** One kind of worker: a consumer group over some topics with one handler. */
export interface WorkerSpec {
  name: string;
  group: string;
  topics: string[];
  handler: Handler<WorkerDeps>;
  maxBatchSize?: number;
  description: string;
}

/** Every worker `bun workers/main.ts` can run; a process runs the ones named on its command line, or all. */
export const WORKERS: readonly WorkerSpec[] = [
  {
    name: "audit",
    group: "fleet-audit",
    topics: [TOPICS.driverStatus, TOPICS.bookings, TOPICS.orders, TOPICS.notifications],
    handler: auditHandler,
    maxBatchSize: 500,
    description: "appends every business event to the libSQL audit trail",
  },
];

export function selectWorkers(names: string[]): WorkerSpec[] {
  if (names.length === 0) return [...WORKERS];
  const unknown = names.filter((n) => !WORKERS.some((w) => w.name === n));
  if (unknown.length) throw new Error(`unknown worker(s): ${unknown.join(", ")}; known: ${WORKERS.map((w) => w.name).join(", ")}`);
  return WORKERS.filter((w) => names.includes(w.name));
}
