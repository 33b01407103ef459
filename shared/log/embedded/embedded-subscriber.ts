import type { Logger } from "../../logging/logger.ts";
import type { SubscribeOptions, Subscriber, Subscription } from "../event-log.ts";
import type { Doorbell } from "./doorbell.ts";
import type { LogDb, Statement } from "./log-db.ts";
import { commitStatement, committedOffsets, partitionBounds } from "./offsets.ts";
import { consumePartition } from "./partition-loop.ts";
import type { TopicRegistry } from "./topic-registry.ts";

const DEFAULT_MAX_BATCH_SIZE = 500;

export interface SubscriberDeps {
  db: LogDb;
  topics: TopicRegistry;
  doorbell: Doorbell;
  logger: Pick<Logger, "warn" | "error">;
  pollIntervalMs: number;
  /** Groups with a running subscription in this EventLog instance; admin refuses to reset them. */
  activeGroups: Set<string>;
}

interface StartPosition {
  topic: string;
  partition: number;
  position: number;
}

/**
 * One async loop per partition of every subscribed topic, so a partition that keeps
 * failing never holds back the others (handlers of different partitions may therefore
 * run concurrently, like kafkajs with partitionsConsumedConcurrently = partition count).
 */
export function createEmbeddedSubscriber(deps: SubscriberDeps): Subscriber {
  const running = new Set<Subscription>();
  let closed = false;

  async function subscribe(opts: SubscribeOptions): Promise<Subscription> {
    if (closed) throw new Error("embedded log subscriber is closed");
    const maxBatchSize = opts.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1)
      throw new RangeError(`maxBatchSize must be a positive integer, got ${maxBatchSize}`);
    if (deps.activeGroups.has(opts.group)) {
      throw new Error(`group "${opts.group}" is already subscribed in this process: the embedded log allows one member per group`);
    }
    deps.activeGroups.add(opts.group);
    let starts: StartPosition[];
    try {
      starts = await startPositions(deps, opts);
    } catch (err) {
      deps.activeGroups.delete(opts.group);
      throw err;
    }

    const controller = new AbortController();
    let fatal: unknown;
    const loops = starts.map(({ topic, partition, position }) =>
      consumePartition(
        { ...deps, group: opts.group, topic, partition, handler: opts.handler, maxBatchSize, signal: controller.signal },
        position,
      ).catch((err: unknown) => {
        fatal ??= err;
        controller.abort();
      }),
    );
    const done = Promise.all(loops).then(() => {
      deps.activeGroups.delete(opts.group);
      running.delete(subscription);
      if (fatal !== undefined) {
        deps.logger.error("embedded log subscription crashed", { group: opts.group, err: fatal });
        throw fatal;
      }
    });
    // The crash is reported through `done` (and logged); a caller that only ever
    // calls stop() must not also get an unhandled rejection.
    done.catch(() => {});
    const subscription: Subscription = {
      done,
      stop: () => {
        controller.abort();
        return done;
      },
    };
    running.add(subscription);
    return subscription;
  }

  return {
    subscribe,
    async close() {
      closed = true;
      await Promise.allSettled([...running].map((s) => s.stop()));
    },
  };
}

/**
 * Committed offsets where the group has them; otherwise earliest (0 reads from the first
 * retained record) or, with fromBeginning false, the current end. The end is committed
 * at once, so a restart before the first batch does not skip what was published meanwhile.
 */
async function startPositions(deps: SubscriberDeps, opts: SubscribeOptions): Promise<StartPosition[]> {
  const starts: StartPosition[] = [];
  const newCommits: Statement[] = [];
  for (const topic of new Set(opts.topics)) {
    await deps.topics.get(topic);
    const committed = await committedOffsets(deps.db, opts.group, topic);
    for (const { partition, end } of await partitionBounds(deps.db, topic)) {
      let position = committed.get(partition);
      if (position === undefined && opts.fromBeginning === false) {
        position = end;
        newCommits.push(commitStatement(opts.group, topic, partition, end));
      }
      starts.push({ topic, partition, position: position ?? 0 });
    }
  }
  if (newCommits.length > 0) await deps.db.write(newCommits);
  return starts;
}
