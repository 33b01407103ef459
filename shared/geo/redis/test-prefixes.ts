import { afterAll } from "bun:test";
import { deletePrefixes, uniquePrefix } from "./redis-test-env.ts";

/** For one test file: a unique key prefix per call (uniquePrefix), every key under them deleted after all its tests. */
export function prefixesDeletedAfterAll(url: string): (name: string) => string {
  const prefixes: string[] = [];
  afterAll(() => deletePrefixes(url, prefixes));
  return (name) => {
    const prefix = uniquePrefix(name);
    prefixes.push(prefix);
    return prefix;
  };
}
