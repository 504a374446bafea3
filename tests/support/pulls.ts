// What every connector's pull tests do the same way: pull to the end (or a number of pages) into a
// record store from a cursor, and translate a snapshot's interchange ids into a pull's.
import type { ConnectorContext, PullPage } from "../../connectors/connector.ts";
import type { HealthSnapshot, Portfolio } from "../../core/model.ts";
import { applyPages, toPortfolio } from "./hubspot.ts";

/** Pull to the end (or `stopAfter` pages) from `from`, applying pages to `store`. */
export async function pullPages<Cursor, Settings>(
  pull: (
    ctx: ConnectorContext,
    s: Settings,
    from: Cursor | undefined,
  ) => AsyncIterable<PullPage<Cursor>>,
  ctx: ConnectorContext,
  settings: Settings,
  from: Cursor | undefined,
  store = new Map<string, Map<string, unknown>>(),
  stopAfter = Number.POSITIVE_INFINITY,
) {
  let cursor = from;
  let pages = 0;
  let done = false;
  for await (const page of pull(ctx, settings, from)) {
    applyPages(store, page);
    cursor = page.cursor;
    pages++;
    done = page.done;
    if (pages >= stopAfter) break;
  }
  return { store, cursor, pages, done, portfolio: (): Portfolio => toPortfolio(store) };
}

/** A snapshot with its account and evidence ids looked up in `lookup` (interchange id → pulled). */
export function idTranslator(lookup: Map<string, string>) {
  return (s: HealthSnapshot): HealthSnapshot => ({
    ...s,
    accountId: lookup.get(s.accountId) ?? s.accountId,
    signals: s.signals.map((g) => ({
      ...g,
      ...(g.evidenceIds ? { evidenceIds: g.evidenceIds.map((id) => lookup.get(id) ?? id) } : {}),
    })),
  });
}
