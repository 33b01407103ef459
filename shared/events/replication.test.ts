import { expect, test } from "bun:test";
import { REPLICATION, replicationFor } from "./topics.ts";

test("topic replication follows the catalogue, capped to the brokers there are", () => {
  expect(REPLICATION).toEqual({ factor: 3, minInsync: 2 });
  expect([1, 2, 3, 5].map(replicationFor)).toEqual([
    { factor: 1, minInsync: 1 },
    { factor: 2, minInsync: 1 },
    { factor: 3, minInsync: 2 },
    { factor: 3, minInsync: 2 },
  ]);
});
