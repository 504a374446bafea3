// HubSpot connection settings: which portal properties carry what Ebb needs. Defaults match the
// properties Ebb creates at install; a portal that already keeps these facts elsewhere points here.
import { z } from "zod";

export const HubSpotSettings = z.object({
  /** Company property with the renewal date (YYYY-MM-DD). */
  renewalProperty: z.string().default("renewal_date"),
  /** Company property with annual recurring revenue. */
  arrProperty: z.string().default("ebb_arr"),
  /** Company property with the churn date, when the customer has left (gives an outcome). */
  churnProperty: z.string().default("ebb_churned_at"),
  /** Company properties whose value history is daily product usage. */
  usageProperties: z
    .object({
      activeUsers: z.string().default("ebb_active_users"),
      events: z.string().default("ebb_usage_events"),
    })
    .default({ activeUsers: "ebb_active_users", events: "ebb_usage_events" }),
  /** Contact property naming the persona; without it, the job title decides. */
  personaProperty: z.string().default("ebb_persona"),
  /** Contact property with the day a person left the customer. */
  leftAtProperty: z.string().default("ebb_left_at"),
  /** Ticket properties Ebb reads beyond HubSpot's own. */
  ticketProperties: z
    .object({
      tags: z.string().default("ebb_tags"),
      satisfaction: z.string().default("ebb_csat"),
      reopens: z.string().default("ebb_reopens"),
      escalated: z.string().default("ebb_escalated"),
    })
    .default({
      tags: "ebb_tags",
      satisfaction: "ebb_csat",
      reopens: "ebb_reopens",
      escalated: "ebb_escalated",
    }),
  /** Engagement property with an outcome HubSpot does not record itself (an email's reply). */
  outcomeProperty: z.string().default("ebb_outcome"),
  /** Tasks whose subject starts with this are onboarding milestones, not engagements. */
  milestonePrefix: z.string().default("Milestone: "),
  /** Overlap between incremental pulls, against clock skew and HubSpot's search lag. */
  overlapMs: z
    .number()
    .int()
    .nonnegative()
    .default(5 * 60_000),
});

export type HubSpotSettings = z.infer<typeof HubSpotSettings>;
export const DEFAULT_SETTINGS: HubSpotSettings = HubSpotSettings.parse({});
