// The test-only vendor passes the same contract suite as every shipped connector.
import { contractSuite } from "../contract/suite.ts";
import { tally } from "./connector.ts";

contractSuite("tally", tally);
