// The card's lint: HubSpot's UI-extension rules (what `hs project lint` runs), catching browser APIs,
// HTML elements and imports that do not work in the card's sandboxed worker.
import { config } from "@hubspot/eslint-config-ui-extensions";

export default [...config];
