// The cycle dashboard: the demo manager opens /manage and the seeded
// cycle's dashboard, reads what needs attention, follows the "waiting for
// screening" link to the filtered applications list and comes back, opens
// "Show the figures" under a chart, and finds the cycle's other pages in
// its menu. axe-core (and the 360 px check) on every page.
"use strict";

const { base, axe, seen, expect, logIn, clickAndWait, newBrowserPage } = require("../lib");

module.exports = async (browser, demo) => {
  const m = await newBrowserPage(browser);
  await logIn(m, demo.manager, demo.password);
  await m.goto(base + "/manage");
  await axe(m, "dashboard: your programs");
  await clickAndWait(m, m.getByRole("link", { name: /^Health Justice Fellowship: / }));
  expect(new URL(m.url()).pathname === `/manage/cycles/${demo.cycle}`, "the cycle's dashboard opens: " + m.url());
  await seen(m, "Needs your attention", "the dashboard opens with what needs attention");
  await axe(m, "dashboard: the cycle");

  // What needs attention comes before the charts, each a link to its list.
  const attention = m.getByRole("region", { name: "Needs your attention" });
  const waiting = attention.getByRole("link", { name: /waiting for screening/ });
  expect(await waiting.count() === 1, "the seeded cycle has applications waiting for screening");
  const count = Number((await waiting.locator(".attention__count").textContent()).trim());
  expect(count > 0, "the count is a number above zero: " + count);
  await clickAndWait(m, waiting);
  const list = new URL(m.url());
  expect(list.pathname === `/manage/cycles/${demo.cycle}/applications` && list.searchParams.get("waiting") === "screening",
    "the link opens the list waiting for screening: " + m.url());
  await axe(m, "dashboard: applications waiting for screening");
  await Promise.all([m.waitForEvent("load"), m.goBack()]);
  expect(new URL(m.url()).pathname === `/manage/cycles/${demo.cycle}`, "back on the dashboard");

  // Each chart is an image with its title, a summary in words, and its figures.
  for (const title of ["Applications by stage", "Review progress", "Distribution of application scores", "Reviewers’ leniency"]) {
    expect(await m.getByRole("img", { name: title }).count() === 1, `the chart "${title}" is an image named by its title`);
  }
  const progress = m.getByRole("region", { name: "Review progress" });
  const figures = progress.getByText("Show the figures");
  await figures.click();
  const table = progress.getByRole("table", { name: /Assigned reviews by where they stand/ });
  await table.waitFor({ state: "visible" });
  expect(await table.getByRole("rowheader", { name: "Reviews submitted" }).count() === 1, "the figures show the reviews submitted");
  const leniency = m.getByRole("region", { name: "Reviewers’ leniency" });
  await leniency.getByText("Show the figures").click();
  await leniency.getByRole("table").waitFor({ state: "visible" });
  await axe(m, "dashboard: the figures shown");

  // The cycle's other pages stay one link away, grouped.
  const nav = m.getByRole("navigation", { name: "This cycle" });
  for (const name of ["Applications", "Reviewer progress", "Ranking", "Decisions and offers", "Application form", "Copy this cycle"]) {
    expect(await nav.getByRole("link", { name, exact: true }).count() === 1, `the menu links to ${name}`);
  }
  await m.getByText("Give one applicant more time").click();
  await m.getByLabel("Applicant’s email address").waitFor({ state: "visible" });
  await axe(m, "dashboard: more time for one applicant");
  await m.context().close();
};
