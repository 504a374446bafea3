// Types for the HubSpot card's JavaScript module, as the tests use it (the card itself is plain JSX
// built by HubSpot's project tooling, not by this repository's TypeScript).
declare module "*/EbbHealthCard.jsx" {
  import type { ReactElement } from "react";
  import type { HubSpotCardResponse } from "../../connectors/hubspot/card.ts";
  export function HealthView(props: { data: HubSpotCardResponse }): ReactElement;
  export function sparkline(series: { score: number }[]): string;
  export const EBB_URL: string;
}
