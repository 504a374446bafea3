// Line-by-line validation of the NDJSON interchange format: good lines become records, every bad
// line becomes an issue naming file, line and field. Pure: the caller reads the files.
import { INTERCHANGE_FILES, type RecordKind } from "./model.ts";

/** One problem with one line, as data (formatting is `formatIssue`'s business). */
export interface RecordIssue {
  file: string;
  line: number;
  /** Dotted path of the offending field, or "" when the line as a whole is bad. */
  field: string;
  message: string;
}

export type ParsedLine<K extends RecordKind> =
  | { ok: true; record: (typeof INTERCHANGE_FILES)[K]["schema"]["_zod"]["output"] }
  | { ok: false; issues: RecordIssue[] };

/** `file:line: field: problem`, the one way issues are printed. */
export function formatIssue(i: RecordIssue): string {
  return `${i.file}:${i.line}: ${i.field || "(line)"}: ${i.message}`;
}

/** Parse and validate one line of an interchange file (1-based `line`). Blank lines are not records. */
export function parseLine<K extends RecordKind>(
  kind: K,
  file: string,
  line: number,
  text: string,
): ParsedLine<K> | null {
  if (text.trim() === "") return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return {
      ok: false,
      issues: [{ file, line, field: "", message: `not valid JSON (${(e as Error).message})` }],
    };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, issues: [{ file, line, field: "", message: "expected a JSON object" }] };
  }
  const result = INTERCHANGE_FILES[kind].schema.safeParse(value);
  if (result.success) return { ok: true, record: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => ({
      file,
      line,
      field: issue.path.map(String).join("."),
      message: issue.message,
    })),
  };
}
