import type { Registry } from "prom-client";
import { type BackoffPolicy, backoffDelay, sleep } from "../../shared/async/backoff.ts";
import { startPeriodic } from "../../shared/async/periodic.ts";
import type { Publisher } from "../../shared/log/event-log.ts";
import { errorFields, type Logger } from "../../shared/logging/logger.ts";
import { gauge } from "../../shared/metrics/registry.ts";
import { DELIVERY_TIMING } from "./deliver.ts";
import type { Outbox } from "./outbox.ts";

/** Retries of a batch the broker refused: 25-50 ms, doubling up to 1-2 s. */
const BROKER_DOWN_BACKOFF: BackoffPolicy = { baseMs: 50, capMs: 2_000 };

export interface RelayOptions {
  outbox: Outbox;
  publisher: Publisher;
  logger: Logger;
  registry: Registry;
  /** Records per publish: small, so one stuck batch holds back little. Default 100. */
  batchSize?: number;
  /** How often an empty outbox is looked at again (and the depth gauge refreshed). Default 500. */
  idleMs?: number;
  /** Entries younger than this are still their request's to publish (deliver.ts). */
  handOverAfterMs?: number;
  /** Published entries are deleted this long after their ack (the keys stay). Default 24 h. */
  keepPublishedMs?: number;
  /** How often they are looked for. Default 10 minutes. */
  pruneIntervalMs?: number;
  now?: () => number;
}

export interface OutboxRelay {
  /** Finishes the publish in flight (if any) and stops. Unpublished entries stay for the next start. */
  stop(): Promise<void>;
}

/**
 * Drains the outbox: publishes unpublished entries in insertion order, one small batch
 * at a time, with the ids they were stored with, and marks them only after the ack.
 * While the broker is down it retries the same batch with jittered exponential backoff,
 * so nothing behind it overtakes. A publish is awaited to its end, never abandoned
 * and resent, so the relay itself does not duplicate; a crash between ack and mark
 * does (at-least-once), and consumers dedupe by event id.
 *
 * One relay per outbox: two gateways sharing one database server would each publish
 * the backlog. The relay also deletes entries a day after their ack: the record is in
 * the log by then, and a replayed key outboxes it afresh (Outbox.prunePublished).
 */
export function startOutboxRelay(opts: RelayOptions): OutboxRelay {
  const { outbox, publisher, logger } = opts;
  const batchSize = opts.batchSize ?? 100;
  const idleMs = opts.idleMs ?? 500;
  const handOverAfterMs = opts.handOverAfterMs ?? DELIVERY_TIMING.handOverAfterMs;
  const now = opts.now ?? Date.now;
  const depth = gauge(opts.registry, {
    name: "fleet_gateway_outbox_depth",
    help: "Records in the gateway outbox waiting for the broker's ack",
    labelNames: [],
  });
  const stopping = new AbortController();
  let failures = 0;
  const keepPublishedMs = opts.keepPublishedMs ?? 24 * 3_600_000;
  const pruning = startPeriodic("gateway outbox pruning", {
    intervalMs: opts.pruneIntervalMs ?? 10 * 60_000,
    logger,
    run: async () => {
      const deleted = await outbox.prunePublished(now() - keepPublishedMs);
      if (deleted > 0) logger.info("published outbox entries pruned", { deleted });
    },
  });

  async function pass(): Promise<"idle" | "busy"> {
    const entries = await outbox.pending(batchSize, now() - handOverAfterMs);
    depth.set(await outbox.depth());
    if (entries.length === 0) return "idle";
    await publisher.publish(entries.map((e) => e.record));
    await outbox.markPublished(entries.map((e) => e.seq));
    if (failures > 0) logger.info("outbox relay publishing again", { afterFailures: failures });
    failures = 0;
    return "busy";
  }

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      try {
        if ((await pass()) === "idle") await sleep(idleMs, stopping.signal);
      } catch (err) {
        failures++;
        const delayMs = Math.round(backoffDelay(failures - 1, BROKER_DOWN_BACKOFF));
        // Every attempt would repeat the same line while the broker is down: log the first and then every 20th.
        if (failures % 20 === 1) logger.warn("outbox relay cannot publish; retrying", { failures, delayMs, ...errorFields(err) });
        await sleep(delayMs, stopping.signal);
      }
    }
  })();

  return {
    async stop() {
      stopping.abort();
      await Promise.all([loop, pruning.stop()]);
    },
  };
}
