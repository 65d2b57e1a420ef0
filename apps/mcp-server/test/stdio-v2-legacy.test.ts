import { V2_LEGACY } from "./harness.js"
import { stdioSuite } from "./stdio-suite.js"

stdioSuite(V2_LEGACY)
