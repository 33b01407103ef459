import * as v from "valibot";
import { DEFAULT_LIST_PAGE, MAX_LIST_PAGE } from "../../shared/db/page-cursor.ts";
import { queryInteger } from "./read-query.ts";

/** `limit` and `cursor` of every list route; the route adds its filters. */
export const pageParams = {
  limit: v.optional(queryInteger(1, MAX_LIST_PAGE), String(DEFAULT_LIST_PAGE)),
  cursor: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(512))),
};
