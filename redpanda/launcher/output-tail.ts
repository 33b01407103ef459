const KEEP_CHARS = 16_384;

/**
 * The last few KB a child wrote to stdout/stderr. Services run for minutes and may log
 * steadily, so only the end is kept: it is what explains a failed start.
 */
export class OutputTail {
  #text = "";

  /** Reads `stream` to its end in the background, keeping its tail; resolves at the end of the stream. */
  async follow(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of stream) this.#append(decoder.decode(chunk, { stream: true }));
  }

  text(): string {
    return this.#text;
  }

  #append(s: string): void {
    this.#text = (this.#text + s).slice(-KEEP_CHARS);
  }
}

/** The last `lines` lines of a log file, or a note when it does not exist (the service died before logging). */
export async function fileTail(path: string, lines = 40): Promise<string> {
  const file = Bun.file(path);
  if (!(await file.exists())) return `(no ${path})`;
  const text = await file.slice(-KEEP_CHARS).text();
  return text
    .split("\n")
    .slice(-lines - 1)
    .join("\n");
}
