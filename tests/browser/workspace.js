// The staff workspace on a cycle of real size: `seed-demo` filled the
// Health Justice Fellowship's cycle with applications, reviewers, reviews
// and a program manager before the portal started. Each file of
// tests/browser/workspace/ is one part of the workspace (the cycle's
// dashboard, the lists, the ranking, the reviewer's desk...), run in the
// order of its name: it exports `async (browser, demo)`, where `demo`
// holds the demo accounts' shared password, the manager's address and the
// seeded cycle's id. axe-core (WCAG 2.1 A and AA) runs on every page.
//
//   DEMO_PASSWORD=... DEMO_CYCLE=... node tests/browser/workspace.js <base url> <mail folder> <admin email> <admin one-time password>
"use strict";

const fs = require("fs");
const path = require("path");
const { run } = require("./lib");

const demo = {
  password: process.env.DEMO_PASSWORD,
  cycle: process.env.DEMO_CYCLE,
  manager: "manager@demo.example",
  reviewer: (n) => `reviewer${n}@demo.example`,
  applicant: (n) => `applicant${n}@demo.example`,
};
if (!demo.password || !demo.cycle) {
  console.error("DEMO_PASSWORD and DEMO_CYCLE name the seeded demo data");
  process.exit(2);
}

const folder = path.join(__dirname, "workspace");
const parts = fs.readdirSync(folder).filter((f) => f.endsWith(".js")).sort();
if (!parts.length) {
  console.error(`no part of the workspace in ${folder}`);
  process.exit(1);
}

run("workspace", async (browser) => {
  for (const part of parts) {
    await require(path.join(folder, part))(browser, demo);
  }
});
