import { expect, test } from "bun:test";
import { generateSchemaTypes, SCHEMA_FILE } from "./generate.ts";

test("the committed client types are what the routes' document generates (else: bun run client:generate)", async () => {
  expect(await Bun.file(SCHEMA_FILE).text()).toBe(await generateSchemaTypes());
});
