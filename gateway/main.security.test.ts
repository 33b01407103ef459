import { expect, test } from "bun:test";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

test("the production gateway refuses to start without a key to verify tokens", async () => {
  // Unreachable services: the key check comes before anything is dialled, so they are never used.
  const env = { PATH: process.env.PATH, KAFKA_BROKERS: "127.0.0.1:1", REDIS_URL: "redis://127.0.0.1:1" };
  const proc = Bun.spawn([process.execPath, MAIN], { env, stdout: "pipe", stderr: "pipe" });
  expect(await proc.exited).toBe(2);
  expect(await new Response(proc.stderr).text()).toContain("JWT_SECRET");
});

test("…and with a secret too short to be one", async () => {
  const env = { PATH: process.env.PATH, KAFKA_BROKERS: "127.0.0.1:1", REDIS_URL: "redis://127.0.0.1:1", JWT_SECRET: "short" };
  const proc = Bun.spawn([process.execPath, MAIN], { env, stdout: "pipe", stderr: "pipe" });
  expect(await proc.exited).toBe(2);
  expect(await new Response(proc.stderr).text()).toContain("JWT_SECRET");
});
