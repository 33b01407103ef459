import type { Kafka } from "kafkajs";

export interface PartitionOffset {
  partition: number;
  offset: number;
}

const FETCH_WAIT_MS = 100;

/**
 * Commits offsets for a group that has no active members. The brokers accept a commit only
 * from a group member, so, like kafkajs's admin.setOffsets, this joins the group with a
 * paused consumer, seeks (which commits) and leaves. kafkajs's version always waits out a
 * 5 s empty fetch before leaving; this one waits 100 ms. A member that joins meanwhile takes
 * some partitions and their seeks are dropped, so callers verify the result.
 */
export async function commitIdleGroupOffsets(kafka: Kafka, group: string, topic: string, offsets: PartitionOffset[]): Promise<void> {
  const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: FETCH_WAIT_MS });
  await consumer.connect();
  try {
    const { state } = await consumer.describeGroup();
    if (state !== "Empty" && state !== "Dead") {
      throw new Error(`group "${group}" has active members (state ${state}): stop its consumers before moving its offsets`);
    }
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      // The first fetch runs after the seeks were committed.
      consumer.on(consumer.events.FETCH, () => resolve());
      consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
      consumer.run({ eachBatchAutoResolve: false, eachBatch: async () => {} }).catch(reject);
      // run() sets up the member state synchronously, so the pause and seeks apply to its first fetch.
      consumer.pause([{ topic }]);
      for (const { partition, offset } of offsets) consumer.seek({ topic, partition, offset: String(offset) });
    });
  } finally {
    await consumer.disconnect();
  }
}
