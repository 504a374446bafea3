// The trend state machine's hysteresis: no flapping on noise, clear turns on real change.
import { describe, expect, it } from "vitest";
import type { Trend } from "./model.ts";
import { startTrend, stepTrend } from "./trend.ts";

function run(scores: number[]): Trend[] {
  let s = startTrend(scores[0] ?? 0);
  const out: Trend[] = [];
  for (const x of scores) {
    s = stepTrend(s, x);
    out.push(s.trend);
  }
  return out;
}

describe("trend state machine", () => {
  it("does not flap on day-to-day noise around a steady level", () => {
    const noisy = Array.from({ length: 200 }, (_, i) => 80 + ((i * 37) % 9) - 4);
    expect(run(noisy)).not.toContain("decaying");
  });

  it("enters decay on a sustained slide and stays there while it lasts", () => {
    const slide = [...Array(60).fill(90), ...Array.from({ length: 60 }, (_, i) => 90 - i)];
    const trends = run(slide);
    const entered = trends.indexOf("decaying");
    expect(entered).toBeGreaterThan(60);
    expect(entered).toBeLessThan(80);
    expect(trends.slice(entered)).toEqual(Array(trends.length - entered).fill("decaying"));
  });

  it("goes decaying → recovering → plateau when the score comes back and settles", () => {
    const path = [
      ...Array(40).fill(90),
      ...Array.from({ length: 40 }, (_, i) => 90 - i),
      ...Array.from({ length: 40 }, (_, i) => 50 + i),
      ...Array(80).fill(90),
    ];
    const trends = run(path);
    const firstOf = (t: Trend) => trends.indexOf(t);
    expect(firstOf("decaying")).toBeGreaterThan(0);
    expect(firstOf("recovering")).toBeGreaterThan(firstOf("decaying"));
    expect(trends.at(-1)).toBe("plateau");
  });

  it("calls a steady climb growing", () => {
    const climb = [...Array(30).fill(50), ...Array.from({ length: 60 }, (_, i) => 50 + i * 0.8)];
    expect(run(climb)).toContain("growing");
  });
});
