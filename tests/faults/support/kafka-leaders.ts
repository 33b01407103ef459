import { ConfigResourceTypes, Kafka, logLevel } from "kafkajs";
import { TOPIC_CATALOGUE } from "../../../shared/events/topics.ts";

/** The catalogue's topics and the group offsets topic: what a broker failover must keep available. */
const TOPICS = [...TOPIC_CATALOGUE.map((t) => t.name), "__consumer_offsets"];

async function metadata(brokers: string) {
  const admin = new Kafka({ brokers: brokers.split(","), clientId: "faults-leaders", logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicMetadata({ topics: TOPICS })).topics.flatMap((t) => t.partitions);
  } finally {
    await admin.disconnect();
  }
}

/** Partitions led by each broker id right now, most first. */
export async function leaderCounts(brokers: string): Promise<[nodeId: number, partitions: number][]> {
  const counts = new Map<number, number>();
  for (const p of await metadata(brokers)) counts.set(p.leader, (counts.get(p.leader) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]);
}

/** Partitions whose in-sync replicas are fewer than their replicas (0 once a restarted broker has caught up). */
export async function underReplicated(brokers: string): Promise<number> {
  return (await metadata(brokers)).filter((p) => p.isr.length < p.replicas.length).length;
}

/** Replicas of each of a topic's partitions (distinct counts) and its min.insync.replicas, as the brokers report them. */
export async function topicReplication(brokers: string, topic: string): Promise<{ replicas: number[]; minInsync: number }> {
  const admin = new Kafka({ brokers: brokers.split(","), clientId: "faults-leaders", logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    const configs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] });
    const minIsr = configs.resources[0]?.configEntries.find((e) => e.configName === "min.insync.replicas")?.configValue;
    return { replicas: [...new Set(meta!.partitions.map((p) => p.replicas.length))], minInsync: Number(minIsr) };
  } finally {
    await admin.disconnect();
  }
}
