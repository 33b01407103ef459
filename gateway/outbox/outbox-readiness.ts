import type { ReadinessCheck } from "../deps.ts";
import type { Outbox } from "./outbox.ts";

export const DEFAULT_MAX_OUTBOX_DEPTH = 10_000;

/** Not ready while the outbox holds more than `maxDepth` unpublished records: the broker is behind, send traffic elsewhere. */
export function outboxReadiness(outbox: Outbox, maxDepth = DEFAULT_MAX_OUTBOX_DEPTH): ReadinessCheck {
  return async () => {
    const depth = await outbox.depth();
    if (depth > maxDepth) throw new Error(`outbox holds ${depth} unpublished records (more than ${maxDepth})`);
  };
}
