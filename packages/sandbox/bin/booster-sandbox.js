#!/usr/bin/env node
// The `booster-sandbox` command: runs the built program (dist/bin.js). This file is in the
// repository from the first install on, so linking the command never points at a file the build
// has not made yet.
import "../dist/bin.js"
