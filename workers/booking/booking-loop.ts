import { deferredForMs } from "../../shared/db/deferred-writes.ts";
import type { Db } from "../../shared/db/open-libsql.ts";
import { flushDeferred } from "../../shared/db/write-transaction.ts";
import type { Publisher } from "../../shared/log/event-log.ts";
import type { Logger } from "../../shared/logging/logger.ts";
import { drainOutbox } from "./outbox.ts";
import { fireDueTimers } from "./timers.ts";

export interface BookingLoopOptions {
  /** The workers' history database, where the booking worker keeps its timers and outbox. */
  db: Db;
  publisher: Pick<Publisher, "publish">;
  logger: Logger;
  /** How often due timers are looked for: a timer fires up to this late. Default 250 ms. */
  intervalMs?: number;
  /**
   * Outbox records older than this are published here: the handler publishes its own
   * right after its commit, so only those a crash or a failed publish left behind get
   * this old. Default 2 s.
   */
  outboxGraceMs?: number;
  now?: () => number;
}

export interface BookingLoop {
  /** Lets the tick in progress finish, then stops. */
  stop(): Promise<void>;
}

/**
 * The booking worker's clock, run by every process that runs the booking worker:
 * fires due timers (timers.ts) and publishes outbox records left behind (outbox.ts).
 * Both live in libSQL, so whatever a stopped or crashed process left pending is done
 * by the next one. A failing tick (broker or database away) is logged and tried again
 * on the next one; nothing is lost, since rows are only marked or deleted after the
 * log acked them.
 */
export function startBookingLoop(opts: BookingLoopOptions): BookingLoop {
  const intervalMs = opts.intervalMs ?? 250;
  const graceMs = opts.outboxGraceMs ?? 2_000;
  const now = opts.now ?? Date.now;
  const logger = opts.logger.child({ loop: "booking-timers" });
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = async () => {
    try {
      const fired = await fireDueTimers(opts.db, opts.publisher, now());
      if (fired > 0) logger.debug("booking timers fired", { fired });
      const leftovers = await drainOutbox(opts.db, opts.publisher, { writtenBy: now() - graceMs });
      if (leftovers > 0) logger.info("published booking follow-ups left in the outbox", { records: leftovers });
      // Deletes of acked outbox records ride the handlers' transactions; on a quiet database they are committed here.
      if (deferredForMs(opts.db) >= intervalMs) await flushDeferred(opts.db);
    } catch (err) {
      logger.warn("booking timer tick failed; retrying next tick", { err });
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(schedule);
    }, intervalMs);
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
