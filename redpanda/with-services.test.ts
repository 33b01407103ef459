import { expect, test } from "bun:test";
import { parseArgs } from "./with-services.ts";

test("options before the command: --brokers N and --redis-cluster; the command after an optional --", () => {
  expect(parseArgs(["--", "bun", "test"])).toEqual({ opts: { brokers: 1, redisCluster: false }, cmd: ["bun", "test"] });
  expect(parseArgs(["--brokers", "3", "--redis-cluster", "--", "bun", "test", "--timeout", "5"])).toEqual({
    opts: { brokers: 3, redisCluster: true },
    cmd: ["bun", "test", "--timeout", "5"],
  });
  expect(parseArgs(["--brokers", "3"])).toEqual({ opts: { brokers: 3, redisCluster: false }, cmd: [] });
  expect(parseArgs(["bun", "--brokers"])).toEqual({ opts: { brokers: 1, redisCluster: false }, cmd: ["bun", "--brokers"] });
});

test("a bad option is refused naming it", () => {
  expect(() => parseArgs(["--brokers", "three"])).toThrow("--brokers takes a whole number");
  expect(() => parseArgs(["--broker", "3"])).toThrow("unknown option --broker");
});
