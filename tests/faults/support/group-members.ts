import { AssignerProtocol, Kafka, logLevel } from "kafkajs";

/** Each member of a consumer group and the partitions of `topic` it holds right now (DescribeGroups). */
export async function assignments(brokers: string, group: string, topic: string): Promise<Map<string, number[]>> {
  const admin = new Kafka({ brokers: brokers.split(","), clientId: "faults-members", logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([group]);
    const members = new Map<string, number[]>();
    for (const m of groups[0]?.members ?? []) {
      const decoded = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
      members.set(m.memberId, decoded?.assignment[topic] ?? []);
    }
    return members;
  } finally {
    await admin.disconnect();
  }
}
