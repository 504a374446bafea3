// Job logs carry counts and ids, never what was written (the reasons' evidence) or vendors' messages.
import { describe, expect, it } from "vitest";
import { logged } from "./consume.ts";

describe("a job's log line", () => {
  it("keeps counts and ids and drops field values and failure messages", () => {
    const line = JSON.stringify(
      logged({
        writeCalls: 1,
        updatedRecords: 1,
        tasksCreated: 0,
        tasksCompleted: 0,
        failures: [{ externalId: "42", message: "Jane Doe's ticket about invoices failed" }],
        written: { "7": { ebb_health_reasons: "going dark: Jane Doe has not replied in 40 days" } },
      }),
    );
    expect(line).not.toContain("Jane Doe");
    expect(line).not.toContain("invoices");
    expect(JSON.parse(line)).toEqual({
      writeCalls: 1,
      updatedRecords: 1,
      tasksCreated: 0,
      tasksCompleted: 0,
      writtenRecords: 1,
      failedIds: ["42"],
    });
  });
});
