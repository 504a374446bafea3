// Day numbers and their YYYY-MM-DD names, inside the cached range and outside it.
import { describe, expect, it } from "vitest";
import { addDays, toDayNumber, toDayString } from "./day.ts";

describe("toDayString", () => {
  it("names days the same way inside and outside the cached years", () => {
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
      // Asked again: from the cache, still right.
      expect(toDayString(n)).toBe(day);
      expect(toDayString(n + 1)).toBe(addDays(day, 1));
    }
  });

  it("rejects what is not a day", () => {
    expect(Number.isNaN(toDayNumber("2025-02-30"))).toBe(true);
    expect(() => toDayString(Number.NaN)).toThrow(RangeError);
  });
});
