// Building blocks for record batches and push results, shared by every connector.
import { emptyPortfolio, type Persona } from "../core/model.ts";
import type { PushResult, RecordBatch } from "./connector.ts";

export function emptyBatch(): RecordBatch {
  return { ...emptyPortfolio(), deleted: [] };
}

export function emptyPushResult(): PushResult {
  return {
    writeCalls: 0,
    updatedRecords: 0,
    tasksCreated: 0,
    tasksCompleted: 0,
    failures: [],
    written: {},
  };
}

const TITLE_PERSONAS: [RegExp, Persona][] = [
  [
    /\b(chief|ceo|cfo|coo|cto|cio|vp|vice president|president|head of|director|founder|owner)\b/i,
    "executive",
  ],
  [/\b(manager|lead|admin|administrator|owner of)\b/i, "champion"],
  [/\b(analyst|architect|consultant|specialist engineer)\b/i, "influencer"],
];

/** A CRM contact's persona from the job title, when no field names it. */
export function personaFromTitle(title: string): Persona {
  for (const [re, persona] of TITLE_PERSONAS) if (re.test(title)) return persona;
  return "end_user";
}
