// Salesforce connection settings: which fields carry what Ebb needs beyond Salesforce's standard
// objects, which opportunities are renewals, how statuses and priorities read, and what share of
// the org's daily API allocation Ebb may spend. An org that keeps these facts under other API
// names points here; a field an org lacks is left out of the query when describe says so.
import { z } from "zod";

const name = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, "expected a field's API name");

export const SalesforceSettings = z.object({
  account: z
    .object({
      /** The day the account became a customer (a Date field). */
      customerSince: name.default("Customer_Since__c"),
      /** Annual recurring revenue (a Currency or Number field). */
      arr: name.default("ARR__c"),
    })
    .default({ customerSince: "Customer_Since__c", arr: "ARR__c" }),
  contact: z
    .object({
      /** executive, champion, influencer or end_user (a picklist); the title decides when empty. */
      persona: name.default("Persona__c"),
      /** Whether the person still works with the customer (a Checkbox; absent means yes). */
      active: name.default("Active__c"),
      /** The day the person left the customer (a Date field). */
      leftAt: name.default("Left_At__c"),
    })
    .default({ persona: "Persona__c", active: "Active__c", leftAt: "Left_At__c" }),
  case: z
    .object({
      /** Customer satisfaction: 1–5 (4 or more good, 2 or less bad) or good/bad. */
      csat: name.default("CSAT__c"),
      /** Topics of the case (a multi-select picklist: values separated by `;`). */
      tags: name.default("Tags__c"),
      /** How often the case was reopened (a Number field). */
      reopens: name.default("Reopen_Count__c"),
      /** Minutes to the first reply (a Number field, often filled by an entitlement process). */
      firstReplyMinutes: name.default("First_Response_Minutes__c"),
    })
    .default({
      csat: "CSAT__c",
      tags: "Tags__c",
      reopens: "Reopen_Count__c",
      firstReplyMinutes: "First_Response_Minutes__c",
    }),
  /** Case Status values by what they mean; any other reads as solved when closed, else open. */
  caseStatuses: z
    .record(z.string(), z.enum(["new", "open", "pending", "solved", "closed"]))
    .default({
      New: "new",
      Working: "open",
      Escalated: "open",
      "On Hold": "pending",
      Closed: "solved",
    }),
  /** Case Priority values by what they mean; any other reads as normal. */
  casePriorities: z
    .record(z.string(), z.enum(["low", "normal", "high", "urgent"]))
    .default({ Low: "low", Medium: "normal", High: "high", Critical: "urgent", Urgent: "urgent" }),
  /** The Event field that says how a meeting went: `No Show` (or `no_show`) or `Completed`. */
  eventOutcome: name.default("Outcome__c"),
  /** Opportunity Type values that are renewals: their results are outcomes, their dates renewals. */
  renewalTypes: z.array(z.string().min(1)).min(1).default(["Renewal"]),
  /** Rows per query page: 2,000 is Salesforce's most (and least calls); tests ask for fewer. */
  pageSize: z.number().int().min(200).max(2000).default(2000),
});

export type SalesforceSettings = z.infer<typeof SalesforceSettings>;
export const DEFAULT_SETTINGS: SalesforceSettings = SalesforceSettings.parse({});
