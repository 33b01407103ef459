import { Kafka, logLevel } from "kafkajs";

/**
 * A consumer group's state and member count as the broker sees it (DescribeGroups). The
 * LogAdmin port has no such call; fault tests use it to prove a worker left its group on
 * SIGTERM instead of being dropped after its session timed out.
 */
export async function describeGroup(brokers: string, group: string): Promise<{ state: string; members: number }> {
  const admin = new Kafka({ brokers: [brokers], clientId: "faults-describe", logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([group]);
    const g = groups[0]!;
    return { state: g.state, members: g.members.length };
  } finally {
    await admin.disconnect();
  }
}
