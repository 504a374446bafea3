// num() prints evidence numbers; its fast path for tenths must print exactly what toFixed(1) would.
import { describe, expect, it } from "vitest";
import { anyOf, count, num, riskOnly } from "./util.ts";

const reference = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));

describe("num", () => {
  it("prints whole numbers as they are and others with one decimal, as toFixed(1) does", () => {
    const values: number[] = [
      0.05,
      0.15,
      0.25,
      -0.05,
      -0.15,
      9.95,
      99.95,
      1e16 + 2,
      -3,
      1023,
      1024,
    ];
    for (let k = -20_000; k <= 20_000; k++)
      values.push(k / 10, Math.round((k / 10) * 10) / 10, k / 100, k / 7, k * 0.1, k / 20);
    const wrong = values.filter((x) => num(x) !== reference(x));
    expect(wrong).toEqual([]);
    expect(num(2.3)).toBe("2.3");
    expect(num(-0.5)).toBe("-0.5");
    expect(num(1234.5)).toBe("1234.5");
  });

  it("counts with the singular only for one", () => {
    expect(count(1, "ticket")).toBe("1 ticket");
    expect(count(2.5, "day")).toBe("2.5 days");
    expect(count(3, "person", "people")).toBe("3 people");
  });
});

describe("anyOf", () => {
  it("combines two or three warnings as a noisy-OR, clamping each to 0..1", () => {
    expect(anyOf(0.5, 0.5)).toBeCloseTo(0.75, 12);
    expect(anyOf(0.5, 0.5, 0.5)).toBeCloseTo(0.875, 12);
    expect(anyOf(0, 0, 0)).toBe(0);
    expect(anyOf(-2, 0.3)).toBeCloseTo(0.3, 12);
    expect(anyOf(0.2, 7)).toBe(1);
  });
});

describe("riskOnly", () => {
  it("shares one result for no risk and makes a new one for any risk", () => {
    expect(riskOnly(0)).toBe(riskOnly(0));
    expect(riskOnly(0)).toEqual({ risk: 0, status: "ok", evidence: "" });
    expect(riskOnly(0.25)).toEqual({ risk: 0.25, status: "ok", evidence: "" });
    expect(riskOnly(0.25)).not.toBe(riskOnly(0.25));
  });
});
