// Reads an interchange folder too large to hold: one streaming pass validates every line (bad ones
// reported as issues, as readInterchangeFolder does) and spills each good record to a temporary
// file for its batch of accounts (consecutive accounts of accounts.ndjson, so output keeps their
// order); then each batch can be read back, as often as needed, as a small portfolio of its own.
// Records naming no known account go to a last batch with no accounts (reported as orphans).
import { appendFileSync, createReadStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import {
  type Account,
  emptyPortfolio,
  INTERCHANGE_FILES,
  type Portfolio,
  RECORD_KINDS,
  type RecordKind,
} from "../core/model.ts";
import { parseLine, type RecordIssue } from "../core/ndjson.ts";
import { CliError } from "./errors.ts";

/** Accounts per batch: what one batch holds in memory is about this many accounts' records. */
export const BATCH_ACCOUNTS = 1000;
const FLUSH_BYTES = 1 << 20;

export interface BatchedFolder {
  /** Every account, in file order (small: the records are what is large). */
  accounts: Account[];
  issues: RecordIssue[];
  files: { file: string; lines: number; records: number }[];
  /** Records per kind that were kept. */
  counts: Record<RecordKind, number>;
  batchCount: number;
  /** The batches, each a portfolio of its accounts and their records, read from the spill. */
  batches(): AsyncIterable<Portfolio>;
  /** Remove the spill. */
  close(): void;
}

async function* linesOf(path: string): AsyncIterable<string> {
  const raw = createReadStream(path);
  const input = path.endsWith(".gz") ? raw.pipe(createGunzip()) : raw;
  raw.on("error", (e) => input.destroy(e));
  yield* createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
}

export async function readFolderInBatches(
  dir: string,
  batchAccounts: number = BATCH_ACCOUNTS,
): Promise<BatchedFolder> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) throw new CliError(`input folder not found: ${dir}`);
  if (!info.isDirectory()) throw new CliError(`not a folder: ${dir}`);
  const present = new Set(await readdir(dir));
  const nameOf = (kind: RecordKind) => {
    const base = INTERCHANGE_FILES[kind].file;
    return present.has(base) ? base : present.has(`${base}.gz`) ? `${base}.gz` : undefined;
  };
  if (RECORD_KINDS.every((k) => !nameOf(k)))
    throw new CliError(`no interchange files in ${dir} (expected accounts.ndjson and friends)`);

  const spill = mkdtempSync(join(tmpdir(), "ebb-batches-"));
  const issues: RecordIssue[] = [];
  const files: BatchedFolder["files"] = [];
  const counts = Object.fromEntries(RECORD_KINDS.map((k) => [k, 0])) as Record<RecordKind, number>;
  const accounts: Account[] = [];
  const batchOf = new Map<string, number>();
  const pending: string[][] = [];
  const pendingBytes: number[] = [];
  const fileOf = (b: number) => join(spill, `batch-${b}.ndjson`);
  const flush = (b: number) => {
    if (!pending[b]?.length) return;
    appendFileSync(fileOf(b), pending[b]!.join(""));
    pending[b] = [];
    pendingBytes[b] = 0;
  };
  const put = (b: number, kind: number, record: unknown) => {
    const line = `${kind}\t${JSON.stringify(record)}\n`;
    const list = pending[b] ?? [];
    list.push(line);
    pending[b] = list;
    pendingBytes[b] = (pendingBytes[b] ?? 0) + line.length;
    if (pendingBytes[b]! >= FLUSH_BYTES) flush(b);
  };
  let orphanBatch = 0;
  let opened = false;
  const open = () => {
    if (opened) return;
    opened = true;
    orphanBatch = Math.ceil(accounts.length / batchAccounts);
    for (let b = 0; b <= orphanBatch; b++) writeFileSync(fileOf(b), "");
  };
  try {
    // Accounts first: they decide the batches.
    for (const kind of RECORD_KINDS) {
      const name = nameOf(kind);
      if (!name) continue;
      if (kind !== "accounts") open();
      const k = RECORD_KINDS.indexOf(kind);
      let lines = 0;
      let records = 0;
      try {
        for await (const text of linesOf(join(dir, name))) {
          lines++;
          const parsed = parseLine(kind, name, lines, text);
          if (!parsed) continue;
          if (!parsed.ok) {
            issues.push(...parsed.issues);
            continue;
          }
          records++;
          if (kind === "accounts") {
            const a = parsed.record as Account;
            batchOf.set(a.id, Math.floor(accounts.length / batchAccounts));
            accounts.push(a);
            continue;
          }
          const r = parsed.record as { accountId: string };
          put(batchOf.get(r.accountId) ?? orphanBatch, k, r);
        }
      } catch (e) {
        throw new CliError(`cannot read ${join(dir, name)}: ${(e as Error).message}`);
      }
      counts[kind] = records;
      files.push({ file: name, lines, records });
    }
    open();
    for (let b = 0; b <= orphanBatch; b++) flush(b);
  } catch (e) {
    rmSync(spill, { recursive: true, force: true });
    throw e;
  }

  return {
    accounts,
    issues,
    files,
    counts,
    batchCount: orphanBatch + 1,
    async *batches() {
      for (let b = 0; b <= orphanBatch; b++) {
        const p = emptyPortfolio();
        p.accounts = accounts.slice(b * batchAccounts, (b + 1) * batchAccounts);
        for await (const line of linesOf(fileOf(b))) {
          const tab = line.indexOf("\t");
          const kind = RECORD_KINDS[Number(line.slice(0, tab))] as RecordKind;
          (p[kind] as unknown[]).push(JSON.parse(line.slice(tab + 1)));
        }
        yield p;
      }
    },
    close: () => rmSync(spill, { recursive: true, force: true }),
  };
}
