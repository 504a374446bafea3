// Day numbers and their YYYY-MM-DD names, and the names one scoring run keeps.
import { describe, expect, it } from "vitest";
import { addDays, DayNames, timeToDayNumber, toDayNumber, toDayString } from "./day.ts";

/** What a day string means, read the slow and obvious way. */
function reference(day: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return Number.NaN;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const check = new Date(ms);
  return check.getUTCMonth() === mo - 1 && check.getUTCDate() === d ? ms / 86_400_000 : Number.NaN;
}

describe("toDayNumber", () => {
  it("reads every day from 1890 to 2110 as Date does", () => {
    for (let n = reference("1890-01-01"); n <= reference("2110-12-31"); n++) {
      const day = new Date(n * 86_400_000).toISOString().slice(0, 10);
      expect(toDayNumber(day)).toBe(n);
    }
  });

  it("gives NaN for what is not a calendar day, exactly where Date does", () => {
    const odd = [
      "2023-02-29",
      "1900-02-29",
      "2100-02-29",
      "2000-02-30",
      "2025-04-31",
      "2025-13-01",
      "2025-00-10",
      "2025-01-00",
      "2025-01-32",
      "2025-1-01",
      "2025/01/01",
      "2025-01-01 ",
      "2025-0a-01",
      "20x5-01-01",
      "",
      "0004-02-29",
      "0000-02-29",
      "0099-12-31",
      "9999-12-31",
    ];
    for (const day of odd) expect(Object.is(toDayNumber(day), reference(day)), day).toBe(true);
  });

  it("takes the day of a UTC time from its date part, and any other time through Date", () => {
    expect(timeToDayNumber("2025-03-04T23:59:59Z")).toBe(reference("2025-03-04"));
    expect(timeToDayNumber("2025-03-04T23:30:00-01:00")).toBe(reference("2025-03-05"));
    // Not a calendar day in place: left to Date, which rolls it over as it always has.
    const rolled = Math.floor(Date.parse("2025-02-30T10:00:00Z") / 86_400_000);
    expect(timeToDayNumber("2025-02-30T10:00:00Z")).toBe(rolled);
    expect(timeToDayNumber("not a time")).toBeNaN();
  });
});

describe("toDayString", () => {
  it("names days from 1970 to past 2054 as Date does, and a run's kept names the same", () => {
    const names = new DayNames();
    for (const day of [
      "1970-01-01",
      "1999-12-31",
      "2000-01-01",
      "2024-02-29",
      "2054-10-04",
      "2060-07-15",
    ]) {
      const n = toDayNumber(day);
      expect(toDayString(n)).toBe(day);
      expect(names.of(n)).toBe(day);
      // Asked again: kept, still right.
      expect(names.of(n)).toBe(day);
      expect(toDayString(n + 1)).toBe(addDays(day, 1));
    }
  });

  it("rejects what is not a day", () => {
    expect(Number.isNaN(toDayNumber("2025-02-30"))).toBe(true);
    expect(() => toDayString(Number.NaN)).toThrow(RangeError);
  });
});
