// The connector contract run against every connector in the registry, each through its own sandbox.
import { CONNECTORS } from "../../connectors/registry.ts";
import { contractSuite } from "./suite.ts";

for (const [id, connector] of Object.entries(CONNECTORS)) contractSuite(id, connector);
