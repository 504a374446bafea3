// What each HubSpot webhook event means for Ebb's store (payload fields per HubSpot's webhooks
// guide: merges carry primaryObjectId and mergedObjectIds; generic events name objectTypeId).
import { describe, expect, it } from "vitest";
import { toChangeMark } from "./webhooks.ts";

const base = { eventId: "9", portalId: "42", occurredAt: 1_700_000_000_000 };

describe("HubSpot webhook events", () => {
  it("moves a merged company's records to the surviving company", () => {
    const m = toChangeMark({
      ...base,
      subscriptionType: "company.merge",
      objectId: "100",
      primaryObjectId: "100",
      mergedObjectIds: ["200", "300"],
    });
    expect(m.objectId).toBe("100");
    expect(m.merged).toEqual([
      { from: "hs-company-200", into: "hs-company-100", intoExternalId: "100" },
      { from: "hs-company-300", into: "hs-company-100", intoExternalId: "100" },
    ]);
  });

  it("removes merged contacts (and the primary too when the merge made a new one)", () => {
    const m = toChangeMark({
      ...base,
      subscriptionType: "contact.merge",
      objectId: "5",
      primaryObjectId: "5",
      mergedObjectIds: ["6"],
      newObjectId: "7",
    });
    expect(m.objectId).toBe("7");
    expect(m.deleted).toEqual([
      { kind: "stakeholders", id: "hs-contact-6" },
      { kind: "stakeholders", id: "hs-contact-5" },
    ]);
  });

  it("removes a contact at once on a privacy deletion, and an engagement on a generic deletion", () => {
    expect(
      toChangeMark({ ...base, subscriptionType: "contact.privacyDeletion", objectId: "5" }).deleted,
    ).toEqual([{ kind: "stakeholders", id: "hs-contact-5" }]);
    expect(
      toChangeMark({
        ...base,
        subscriptionType: "object.deletion",
        objectTypeId: "0-48",
        objectId: "11",
      }).deleted,
    ).toEqual([{ kind: "engagements", id: "hs-call-11" }]);
  });

  it("leaves everything else for the next sync to read", () => {
    const m = toChangeMark({
      ...base,
      subscriptionType: "ticket.associationChange",
      objectId: "3",
    });
    expect(m).toMatchObject({ objectType: "ticket", change: "associationChange" });
    expect(m.deleted).toBeUndefined();
    expect(m.merged).toBeUndefined();
  });
});
