// zod schemas of the raw HubSpot payloads Ebb reads, checked at the edge so a malformed page is an
// `invalid_response`, not a crash three layers down.
import { z } from "zod";

const Props = z.record(z.string(), z.string().nullable().optional());

export const HubSpotObject = z.object({
  id: z.string(),
  properties: Props,
  propertiesWithHistory: z
    .record(
      z.string(),
      z.array(
        z.object({
          value: z.string().nullable().optional(),
          timestamp: z.union([z.string(), z.date()]),
        }),
      ),
    )
    .optional(),
  archived: z.boolean().optional(),
});
export type HubSpotObject = z.infer<typeof HubSpotObject>;

/** https://developers.hubspot.com/docs/api-reference/crm-search-v3 */
export const HubSpotSearchPage = z.object({
  total: z.number(),
  results: z.array(HubSpotObject),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});

/** Per-input errors of a batch call that did not stop the rest (HTTP 207), with the ids they name. */
const BatchErrors = z
  .array(
    z.object({
      message: z.string(),
      category: z.string().optional(),
      context: z.record(z.string(), z.array(z.string())).optional(),
    }),
  )
  .optional();

export const HubSpotBatchRead = z.object({ results: z.array(HubSpotObject), errors: BatchErrors });

export const HubSpotListPage = z.object({
  results: z.array(HubSpotObject),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});

/** https://developers.hubspot.com/docs/api-reference/crm-associations-v4 (batch read) */
export const HubSpotAssociations = z.object({
  results: z.array(
    z.object({
      _from: z.object({ id: z.string() }),
      to: z.array(
        z.object({
          toObjectId: z.union([z.string(), z.number()]),
          associationTypes: z
            .array(z.object({ typeId: z.number(), label: z.string().nullable().optional() }))
            .optional(),
        }),
      ),
      /** More associations of this record: ask again with this `after` beside its id. */
      paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
    }),
  ),
});

export const HubSpotOwners = z.object({
  results: z.array(z.object({ id: z.string(), email: z.string().nullable().optional() })),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});

/** Batch create/update: results, and per-input errors that did not stop the rest (HTTP 207). */
export const HubSpotBatchWrite = z.object({ results: z.array(HubSpotObject), errors: BatchErrors });
