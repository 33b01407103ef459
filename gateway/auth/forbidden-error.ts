/** An authenticated caller may not do this (403); `issues` name the field that asked for too much. */
export class ForbiddenError extends Error {
  override readonly name = "ForbiddenError";
  constructor(
    message: string,
    readonly issues: { field: string; message: string }[] = [],
  ) {
    super(message);
  }
}
