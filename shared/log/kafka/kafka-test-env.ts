/** Test helpers for suites that need the broker `bun run test` starts. Not a test file itself. */

export function brokersFromEnv(): string[] {
  const raw = process.env.KAFKA_BROKERS;
  if (!raw) throw new Error("KAFKA_BROKERS is not set: run the suite with 'bun run test', which starts a broker");
  return raw
    .split(",")
    .map((b) => b.trim())
    .filter(Boolean);
}

/** Others share the broker, so every topic and group name in a test is unique. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
}
