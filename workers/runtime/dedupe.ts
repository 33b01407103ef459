import type { Db } from "../../shared/db/open-libsql.ts";
import type { Middleware } from "./handler.ts";
import { markProcessed, processedIds, unseen } from "./processed-events.ts";

/**
 * Drops events `group` already processed before the handler runs, and marks the rest
 * once it resolved. For handlers whose effects live outside libSQL and are idempotent
 * by themselves (e.g. Redis writes conditional on a newer device time): the mark is
 * not atomic with the effect, so a crash in between re-applies those events once — the
 * effect must tolerate that. It saves the repeated work of redeliveries and replays.
 * Effects in libSQL use applyOnce instead.
 */
export function withDedupe<D>(db: Db, group: string, now: () => number = Date.now): Middleware<D> {
  return (next) => async (events, deps) => {
    const seen = await processedIds(db.client, group, [...new Set(events.map((e) => e.id))]);
    const fresh = unseen(events, seen);
    if (fresh.length === 0) return;
    await next(fresh, deps);
    await markProcessed(db.client, group, fresh, { at: now(), ignoreExisting: true });
  };
}
