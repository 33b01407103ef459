import { expect, test } from "bun:test";
import { renderTopicsScript, TOPICS_SCRIPT } from "./topics.ts";

test("the committed topics.sh is what the catalogue generates (run `bun redpanda/topics.ts` after changing it)", async () => {
  expect(await Bun.file(TOPICS_SCRIPT).text()).toBe(renderTopicsScript());
});
