// Line-by-line validation of the interchange format, and how bad lines are named.
import { describe, expect, it } from "vitest";
import { formatIssue, parseLine } from "./ndjson.ts";

describe("parseLine", () => {
  it("keeps a valid record and ignores unknown fields", () => {
    const r = parseLine(
      "accounts",
      "accounts.ndjson",
      1,
      '{"id":"a1","name":"Acme","plan":"gold","arr":1200}',
    );
    expect(r).toEqual({ ok: true, record: { id: "a1", name: "Acme", arr: 1200 } });
  });

  it("treats null as unknown, never as an empty string", () => {
    const r = parseLine(
      "accounts",
      "accounts.ndjson",
      1,
      '{"id":"a1","name":"Acme","domain":null}',
    );
    expect(r?.ok && r.record.domain).toBeUndefined();
  });

  it("names file, line and field for a bad value", () => {
    const r = parseLine(
      "tickets",
      "tickets.ndjson",
      7,
      '{"id":"t1","accountId":"a1","createdAt":"yesterday","status":"open","tags":[]}',
    );
    expect(r?.ok).toBe(false);
    if (r && !r.ok)
      expect(r.issues.map(formatIssue)).toEqual([
        "tickets.ndjson:7: createdAt: expected an ISO-8601 time",
      ]);
  });

  it("reports every bad field of a line, with nested paths", () => {
    const r = parseLine(
      "tickets",
      "tickets.ndjson",
      3,
      '{"id":"","accountId":"a1","createdAt":"2024-01-01T00:00:00Z","status":"lost","tags":["ok",4]}',
    );
    if (!r || r.ok) throw new Error("expected issues");
    expect(r.issues.map((i) => i.field)).toEqual(["id", "status", "tags.1"]);
  });

  it("reports a line that is not JSON, or not an object", () => {
    const broken = parseLine("usage", "usage.ndjson", 2, '{"accountId":"a1",');
    const array = parseLine("usage", "usage.ndjson", 3, "[1,2]");
    expect(broken?.ok === false && formatIssue(broken.issues[0]!)).toMatch(
      /^usage.ndjson:2: \(line\): not valid JSON/,
    );
    expect(array?.ok === false && formatIssue(array.issues[0]!)).toBe(
      "usage.ndjson:3: (line): expected a JSON object",
    );
  });

  it("skips blank lines", () => {
    expect(parseLine("usage", "usage.ndjson", 9, "   ")).toBeNull();
  });
});
