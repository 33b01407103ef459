import { expect, test } from "bun:test";
import { CONSUMER_GROUPS } from "../shared/events/consumer-groups.ts";
import { WORKERS } from "../workers/catalogue.ts";

test("the gateway's plain list of consumer groups matches the worker catalogue", () => {
  const plain = (specs: readonly { name: string; group: string; topics: readonly string[] }[]) =>
    specs.map((s) => ({ name: s.name, group: s.group, topics: [...s.topics] })).sort((a, b) => a.name.localeCompare(b.name));
  expect(plain(CONSUMER_GROUPS)).toEqual(plain(WORKERS));
});
