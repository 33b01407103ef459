/**
 * The log Notifier, the dev default: each notification becomes one structured JSON line
 * (`msg: "notification"`, the notification's fields flat beside it) through the Logger,
 * so a developer sees what would have been sent without running a receiver.
 *
 * Where it differs from the port: nobody receives anything — "delivered" means the line
 * was handed to the Logger, so send() never fails transiently. It still refuses an
 * expired notification with NonRetriableError, as every Notifier does.
 */
import type { Logger } from "../../logging/logger.ts";
import { assertNotExpired, type Notifier } from "../notifier.ts";

export function createLogNotifier(logger: Logger): Notifier {
  let closed = false;
  return {
    async send(n) {
      if (closed) throw new Error("log notifier is closed");
      assertNotExpired(n, Date.now());
      logger.info("notification", { ...n });
    },
    async close() {
      closed = true;
    },
  };
}
