import { SDK1 } from "./harness.js"
import { stdioSuite } from "./stdio-suite.js"

stdioSuite(SDK1, { withoutCounts: true })
