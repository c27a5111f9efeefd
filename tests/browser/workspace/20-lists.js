// The dense lists: the demo manager filters the cycle's applications in
// the one filter bar, sorts by a column (the links keep the filters),
// searches by part of a surname, selects all on the page (the script ticks
// every row) and all N matching (a confirmation naming N, cancelled so
// that later parts see the seeded cycle unchanged); then the reviewer
// progress page, the decisions and offers page, the demographics; the
// admin's users list and mail outbox. axe-core (and the 360 px check) on
// each.
"use strict";

const { base, adminEmail, adminOtp, axe, seen, expect, logIn, clickAndWait, newBrowserPage } = require("../lib");

// The first admin's own password, if no earlier part chose one.
const ADMIN_PASSWORD = "workspace-admin-lantern-42";

module.exports = async (browser, demo) => {
  const p = await newBrowserPage(browser);
  await logIn(p, demo.manager, demo.password);
  const list = `${base}/manage/cycles/${demo.cycle}/applications`;
  await p.goto(list);
  await seen(p, "Matching applications:", "the manager sees the applications list");
  await seen(p, "Times in ", "the list names the cycle's time zone once");
  expect(await p.locator("th", { hasText: "Score" }).count() === 1, "the list has a score column");
  expect(await p.locator("th", { hasText: "Reviews in" }).count() === 1, "the list has a reviews-in column");
  await axe(p, "applications list");
  // On a laptop (1280 × 800) the filters stand in one row and the first
  // application shows on the first screen.
  const top = async (selector) => (await p.locator(selector).first().boundingBox()).y;
  expect(Math.abs((await top("#q")) - (await top("#flag"))) < 8, "on a laptop the search and the filters stand in one row");
  expect((await top("tbody tr")) < 800, "on a laptop the first application shows on the first screen");

  // Filter: one bar, one Apply button.
  await p.locator("#stage").selectOption("review");
  await clickAndWait(p, p.getByRole("button", { name: "Apply", exact: true }));
  expect(/stage=review/.test(p.url()), `the filter is in the address (${p.url()})`);
  const inReview = await p.locator("tbody td[data-label='Stage']").allTextContents();
  expect(inReview.length > 0 && inReview.every((s) => s.trim() === "In review"), "every row shown is in review");

  // Sort by applicant: the sorted header says so, the filter stays.
  await clickAndWait(p, p.locator("thead th a", { hasText: "Applicant" }));
  expect(/stage=review/.test(p.url()) && /sort=name/.test(p.url()), `sorting keeps the filter (${p.url()})`);
  expect(await p.locator('th[aria-sort="ascending"]', { hasText: "Applicant" }).count() === 1, "the sorted header has aria-sort");
  const names = await p.locator("tbody td[data-label='Applicant'] a").allTextContents();
  const sorted = [...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
  expect(names.join("|").toLowerCase() === sorted.join("|").toLowerCase(), "rows are in name order");
  await axe(p, "applications, in review, by name");

  // Search by part of a surname, any stage.
  await p.locator("#stage").selectOption("");
  await p.getByLabel("Search name, email or institution").fill("Oka");
  await clickAndWait(p, p.getByRole("button", { name: "Apply", exact: true }));
  expect(/sort=name/.test(p.url()) && /q=Oka/.test(p.url()), `the search keeps the order (${p.url()})`);
  const found = await p.locator("tbody td[data-label='Applicant'] a").allTextContents();
  expect(found.length > 0 && found.every((n) => /Okafor/.test(n)), `"Oka" finds the Okafors (${found.join(", ")})`);
  await axe(p, "applications, searched");

  // Select all on this page: every row's box is ticked.
  await p.goto(list);
  await p.getByLabel(/^Select all \d+ on this page$/).check();
  const boxes = p.locator('tbody input[name="ids"]');
  const ticked = await boxes.evaluateAll((all) => all.filter((b) => b.checked).length);
  expect(ticked === (await boxes.count()) && ticked > 0, `select all ticks every row (${ticked})`);

  // All N matching: the confirmation names N; cancelled.
  const total = Number((await p.getByText(/^Matching applications: \d+\./).first().textContent()).match(/\d+/)[0]);
  await p.locator("#action").selectOption("start_screening");
  await clickAndWait(p, p.getByRole("button", { name: `Apply to all ${total} matching…` }));
  await seen(p, `Apply to all ${total} matching applications?`, "the confirmation names how many");
  await axe(p, "apply to all matching: confirmation");
  await clickAndWait(p, p.getByRole("link", { name: "Cancel, back to the list" }));
  await seen(p, `Matching applications: ${total}.`, "cancelling changes nothing");

  // The other staff lists of the cycle.
  await p.goto(`${base}/manage/cycles/${demo.cycle}/reviewers`);
  await seen(p, "Reviewer progress", "the reviewer progress page opens");
  await axe(p, "reviewer progress");
  await p.goto(`${base}/manage/cycles/${demo.cycle}/decisions`);
  await seen(p, "All decisions", "the decisions and offers page opens");
  await axe(p, "decisions and offers");
  await p.goto(`${base}/manage/cycles/${demo.cycle}/demographics`);
  await seen(p, "Demographics", "the demographics page opens");
  await axe(p, "demographics");

  // The admin's lists.
  const admin = await newBrowserPage(browser);
  await admin.goto(base + "/account/login");
  await admin.getByLabel("Email address").fill(adminEmail);
  await admin.getByLabel("Password").fill(adminOtp);
  await clickAndWait(admin, admin.getByRole("button", { name: "Log in" }));
  if (new URL(admin.url()).pathname === "/account/password") {
    if (await admin.getByLabel("Current password").count()) {
      await admin.getByLabel("Current password").fill(adminOtp);
    }
    await admin.getByLabel("New password", { exact: true }).fill(ADMIN_PASSWORD);
    await admin.getByLabel("New password again").fill(ADMIN_PASSWORD);
    await clickAndWait(admin, admin.getByRole("button", { name: "Save the new password" }));
  } else if (/\/account\/login/.test(admin.url())) {
    // An earlier part chose the password already.
    await logIn(admin, adminEmail, process.env.WORKSPACE_ADMIN_PASSWORD || ADMIN_PASSWORD);
  }
  await admin.goto(base + "/admin/users");
  await seen(admin, "Users and roles", "the admin opens the users list");
  await axe(admin, "users and roles");
  await admin.goto(base + "/admin/outbox");
  await seen(admin, "Mail outbox", "the admin opens the outbox");
  await axe(admin, "mail outbox");
};
