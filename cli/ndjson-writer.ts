// Buffered, synchronous NDJSON output: scoring streams results through callbacks, so writes must not
// need awaiting; a buffer of ~1 MB keeps system calls few.
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";

const FLUSH_AT = 1 << 20;

export class NdjsonWriter {
  private readonly fd: number;
  private buffer: string[] = [];
  private size = 0;
  count = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, "w");
  }

  write(value: unknown): void {
    const line = `${JSON.stringify(value)}\n`;
    this.buffer.push(line);
    this.size += line.length;
    this.count++;
    if (this.size >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    writeSync(this.fd, this.buffer.join(""));
    this.buffer = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Write every item of `items` to `path`, one JSON object per line. */
export function writeNdjson(path: string, items: Iterable<unknown>): number {
  const w = new NdjsonWriter(path);
  for (const item of items) w.write(item);
  w.close();
  return w.count;
}
