import type { Logger } from "../logging/logger.ts";
import { createLogNotifier } from "./log/log-notifier.ts";
import type { Notifier } from "./notifier.ts";
import { createWebhookNotifier } from "./webhook/webhook-notifier.ts";

export interface NotifySettings {
  NOTIFY_WEBHOOK_URL?: string;
  NOTIFY_WEBHOOK_SECRET?: string;
  NOTIFY_TIMEOUT_MS?: number;
}

/**
 * The webhook Notifier when NOTIFY_WEBHOOK_URL is set, else the log Notifier (the dev
 * default). The config schema already refuses a URL without a secret; this checks again
 * because an unsigned webhook must never go out, whoever built the settings.
 */
export function openNotifier(s: NotifySettings, logger: Logger): Notifier {
  if (!s.NOTIFY_WEBHOOK_URL) return createLogNotifier(logger.child({ notifier: "log" }));
  if (!s.NOTIFY_WEBHOOK_SECRET) throw new Error("NOTIFY_WEBHOOK_SECRET must be set with NOTIFY_WEBHOOK_URL");
  return createWebhookNotifier({ url: s.NOTIFY_WEBHOOK_URL, secret: s.NOTIFY_WEBHOOK_SECRET, timeoutMs: s.NOTIFY_TIMEOUT_MS });
}
