import * as v from "valibot";

/**
 * Text a person typed that other people's screens, logs and webhooks show later (an
 * address, a cancel reason): 1 to `max` characters, no control characters. A NUL, an
 * escape sequence or a DEL is never part of an address; it breaks C-string consumers,
 * terminals reading logs and CSV exports, so it is refused (422) where it enters.
 */
export const FreeTextSchema = (max: number) =>
  v.pipe(v.string(), v.minLength(1), v.maxLength(max), v.regex(/^\P{Cc}*$/u, "must not contain control characters (NUL, escape, DEL…)"));
