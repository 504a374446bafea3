// Reading confusion and irritation in ticket text.
import { describe, expect, it } from "vitest";
import { isNegativeTicket, negativity } from "./sentiment.ts";

describe("ticket sentiment", () => {
  it.each([
    [
      "Still can't get exports working",
      "This is frustrating. Exports are still broken and the team is stuck.",
    ],
    ["Confused by SSO setup", "The setup is confusing and the docs are unclear."],
    ["Sync failed again", "This is unacceptable, we lost a day of work."],
  ])("reads irritation or confusion in %j", (subject, text) => {
    expect(isNegativeTicket(subject, text)).toBe(true);
  });

  it.each([
    ["How do I add a user?", "Could you point me to the docs? Thanks!"],
    ["Export shows an error on save", "When saving we get an error message. Steps attached."],
    ["Not bad at all", "Works fine, thank you."],
  ])("does not read a neutral how-to or bug report as upset: %j", (subject, text) => {
    expect(isNegativeTicket(subject, text)).toBe(false);
  });

  it("does not let politeness cancel frustration", () => {
    expect(negativity("Thanks for the great help, but this is frustrating and we are stuck")).toBe(
      4,
    );
  });

  it("turns negated praise into criticism", () => {
    expect(negativity("not helpful")).toBeGreaterThan(0);
  });

  it("reads subject and comment as one text, the same on every reading", () => {
    // A negation at the end of the subject reaches into the comment; a word in both counts once.
    const cases: [string, string, boolean][] = [
      ["Support was not", "helpful, great docs though, really appreciated", true],
      ["Support was", "helpful, great docs though, really appreciated", false],
      ["Frustrating", "frustrating", false],
      ["Frustrating and broken", "", true],
      ["", "Frustrating and broken", true],
    ];
    for (let reading = 0; reading < 2; reading++)
      for (const [subject, text, upset] of cases)
        expect(isNegativeTicket(subject, text), `${subject} / ${text}`).toBe(upset);
    expect(isNegativeTicket(undefined, undefined)).toBe(false);
  });
});
