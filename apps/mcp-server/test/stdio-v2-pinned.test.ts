import { V2_PINNED } from "./harness.js"
import { stdioSuite } from "./stdio-suite.js"

stdioSuite(V2_PINNED)
