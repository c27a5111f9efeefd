// The ranking that protects the decision: the demo manager opens the
// ranking (complete applications first), puts the incomplete ones first
// and sorts by spread, sees the "Incomplete" marking and the "reviews in"
// column, selects two applications, is told how many of them are
// incomplete and confirms; then removes a reviewer who submitted a review
// (a confirmation page first) and finds the review kept on the record,
// not counted. axe-core (and the 360 px check) on every page.
"use strict";

const { base, axe, seen, expect, clickAndWait, newBrowserPage, logIn } = require("../lib");

module.exports = async (browser, demo) => {
  const p = await newBrowserPage(browser);
  await logIn(p, demo.manager, demo.password);
  const ranking = `${base}/manage/cycles/${demo.cycle}/ranking`;

  await p.goto(ranking);
  await seen(p, "Applications in review, committee or decided", "the manager opens the ranking");
  await axe(p, "ranking");
  const firstReviewsIn = await p.locator("tbody tr").first().locator('td[data-label="Reviews in"]').innerText();
  expect(!/Incomplete/.test(firstReviewsIn), `the ranking lists complete applications first (first row: ${firstReviewsIn})`);

  // Incomplete first, sorted by spread, from the sort bar (no script needed).
  await p.getByLabel("Sort by").selectOption("spread");
  await p.getByLabel("Incomplete applications").selectOption("incomplete-first");
  await clickAndWait(p, p.getByRole("button", { name: "Show" }));
  expect(/show=incomplete-first/.test(p.url()) && /sort=spread/.test(p.url()), `the choice is in the address (${p.url()})`);
  const marked = await p.locator('tbody td[data-label="Reviews in"]').first().innerText();
  expect(/^\d+ of \d+ Incomplete$/.test(marked.trim()), `incomplete applications are marked in words (${marked})`);
  const next = p.getByRole("link", { name: "Next page" });
  if (await next.count()) {
    const href = await next.getAttribute("href");
    expect(/show=incomplete-first/.test(href) && /sort=spread/.test(href), `paging keeps the sort and grouping (${href})`);
  }
  await axe(p, "ranking, incomplete first, by spread");

  // Select two (the first is incomplete) and send them to the committee.
  const boxes = p.locator('tbody input[type="checkbox"]');
  expect((await boxes.count()) >= 2, "at least two applications can be selected");
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await p.getByLabel("With the selected applications").selectOption("send_to_committee");
  await clickAndWait(p, p.getByRole("button", { name: /Apply to the selected/ }));
  await seen(p, "you selected", "the confirmation page names the selection");
  const said = await p.locator(".ranking-confirm-count").innerText();
  expect(/of the 2 applications you selected (has|have) fewer reviews than assigned/.test(said), `the confirmation names how many are incomplete (${said})`);
  await seen(p, "Nothing has been sent or decided yet.", "nothing happens before the confirmation");
  await axe(p, "ranking confirmation");
  await clickAndWait(p, p.getByRole("button", { name: /^Confirm: Send to the committee/ }));
  expect(/\/ranking\?/.test(p.url()), `back on the ranking after confirming (${p.url()})`);

  // A reviewer who submitted: removing them asks first, and the review stays.
  await p.goto(ranking);
  await clickAndWait(p, p.locator('tbody td[data-label="Application"] a').first());
  const application = p.url();
  await clickAndWait(p, p.getByRole("button", { name: /^Remove/ }).first());
  await seen(p, "has submitted a review of this application", "removing a reviewer who submitted asks first");
  await axe(p, "remove a reviewer: confirmation");
  await clickAndWait(p, p.getByRole("button", { name: /^Confirm: remove/ }));
  expect(p.url() === application, `back on the application (${p.url()})`);
  await seen(p, "Removed from the panel, not counted", "the removed reviewer's review is kept on the record");
  await axe(p, "application after removing a reviewer");
  await p.context().close();
};
