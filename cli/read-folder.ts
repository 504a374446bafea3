// Reads an interchange folder (plain or gzipped NDJSON), streaming line by line: good lines kept,
// bad lines reported as issues, a missing folder or unreadable file a CliError.
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { emptyPortfolio, INTERCHANGE_FILES, type Portfolio, RECORD_KINDS } from "../core/model.ts";
import { parseLine, type RecordIssue } from "../core/ndjson.ts";
import { CliError } from "./errors.ts";

export interface FolderRead {
  portfolio: Portfolio;
  issues: RecordIssue[];
  /** Per file read: lines seen and records kept. */
  files: { file: string; lines: number; records: number }[];
}

export async function readInterchangeFolder(dir: string): Promise<FolderRead> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) throw new CliError(`input folder not found: ${dir}`);
  if (!info.isDirectory()) throw new CliError(`not a folder: ${dir}`);
  const present = new Set(await readdir(dir));
  const portfolio = emptyPortfolio();
  const issues: RecordIssue[] = [];
  const files: FolderRead["files"] = [];
  for (const kind of RECORD_KINDS) {
    const base = INTERCHANGE_FILES[kind].file;
    const name = present.has(base) ? base : present.has(`${base}.gz`) ? `${base}.gz` : undefined;
    if (!name) continue;
    const into = portfolio[kind] as unknown[];
    let lines = 0;
    let records = 0;
    try {
      const raw = createReadStream(join(dir, name));
      const input = name.endsWith(".gz") ? raw.pipe(createGunzip()) : raw;
      raw.on("error", (e) => input.destroy(e));
      for await (const text of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
        lines++;
        const parsed = parseLine(kind, name, lines, text);
        if (!parsed) continue;
        if (parsed.ok) {
          into.push(parsed.record);
          records++;
        } else issues.push(...parsed.issues);
      }
    } catch (e) {
      throw new CliError(`cannot read ${join(dir, name)}: ${(e as Error).message}`);
    }
    files.push({ file: name, lines, records });
  }
  if (files.length === 0) {
    throw new CliError(`no interchange files in ${dir} (expected accounts.ndjson and friends)`);
  }
  return { portfolio, issues, files };
}
