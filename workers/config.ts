import * as v from "valibot";
import { commonEnv, optionalString, port, url } from "../shared/config/env-schema.ts";

/** The notify worker's settings; `bun run dev` parses them on their own (NotifyConfigSchema). */
const notifyEnv = {
  /** Where notifications are POSTed; unset → they are written to the log (dev). */
  NOTIFY_WEBHOOK_URL: url("http://", "https://"),
  /** Signs every webhook request (x-fleet-signature); required with NOTIFY_WEBHOOK_URL. */
  NOTIFY_WEBHOOK_SECRET: optionalString,
  /** Per webhook request, answer included. */
  NOTIFY_TIMEOUT_MS: v.optional(v.pipe(v.string(), v.regex(/^\d+$/, "must be a whole number of milliseconds"), v.transform(Number), v.minValue(100), v.maxValue(60_000)), "5000"),
};

/**
 * An unsigned webhook would let anyone forge offers to drivers: a URL without a secret
 * stops start-up. The issue carries no input, as a check over the whole object would
 * otherwise print every variable (tokens included) in the error.
 */
const secretWithUrl = <T extends Record<string, unknown>>() =>
  v.rawCheck<T>(({ dataset, addIssue }) => {
    // Runs even when other variables failed, so every problem is reported at once.
    const c = (dataset.value ?? {}) as Record<string, unknown>;
    if (!c.NOTIFY_WEBHOOK_URL || c.NOTIFY_WEBHOOK_SECRET) return;
    addIssue({ message: "must be set when NOTIFY_WEBHOOK_URL is set", input: undefined, path: [{ type: "object", origin: "value", input: c, key: "NOTIFY_WEBHOOK_SECRET", value: undefined }] });
  });

export const NotifyConfigSchema = v.pipe(v.object(notifyEnv), secretWithUrl());

export const WorkersConfigSchema = v.pipe(
  v.object({
    ...commonEnv,
    /** Serves /metrics and /healthz of the worker process; 0 picks a free port. */
    METRICS_PORT: port(9464),
    STALE_AFTER_S: v.optional(v.pipe(v.string(), v.regex(/^\d+$/, "must be a whole number of seconds"), v.transform(Number), v.minValue(1)), "60"),
    ...notifyEnv,
  }),
  secretWithUrl(),
);
export type WorkersConfig = v.InferOutput<typeof WorkersConfigSchema>;
