// The reviewer's desk and the manager's application page: reviewer1 sees
// what is to review and what is submitted, opens an application (the
// application beside the rubric), saves a draft with a score off the
// scale (told next to the field, what was typed kept), fixes it and
// submits; then the manager opens that application's page, answers
// first, and the assignment page. axe-core and the 360 px check on each.
"use strict";

const { base, axe, seen, expect, logIn, clickAndWait, newBrowserPage } = require("../lib");

module.exports = async (browser, demo) => {
  const r = await newBrowserPage(browser);
  await logIn(r, demo.reviewer(1), demo.password);
  await r.goto(base + "/review");
  await seen(r, /\d+ of \d+ reviewed/, "the desk shows the reviewer's progress");
  const tabs = r.getByRole("navigation", { name: "Your lists" });
  expect(await tabs.getByRole("link", { name: /^To review \(\d+\)$/ }).count() === 1, "the to-do list is a tab");
  await axe(r, "desk: to review");

  await clickAndWait(r, tabs.getByRole("link", { name: /^Submitted \(\d+\)$/ }));
  expect(new URL(r.url()).pathname === "/review/done", "the submitted list has its own address: " + r.url());
  await seen(r, "Submitted", "the submitted list is shown");
  await axe(r, "desk: submitted");

  await clickAndWait(r, r.getByRole("navigation", { name: "Your lists" }).getByRole("link", { name: /^To review/ }));
  const first = r.locator("table tbody a[href^='/review/applications/']").first();
  expect(await first.count() === 1, "reviewer1 has an application to review");
  const href = await first.getAttribute("href");
  const id = href.split("/").pop();
  await clickAndWait(r, first);
  expect(await r.locator("#review-form").count() === 1, "the rubric form is on the page");
  expect(await r.locator(".desk-read .answers").count() > 0, "the answers are beside it");
  expect(await r.locator('a[href="#scoring"]').count() === 1, "a link leads to the scoring on a phone");
  await axe(r, "review: side by side");

  // A score off the scale (as an altered page would send it) in a draft.
  const criteria = r.locator("#review-form fieldset").filter({ has: r.locator('input[type="radio"][name^="score["]') });
  const count = await criteria.count();
  expect(count > 0, "the rubric has criteria");
  const firstRadio = criteria.nth(0).locator('input[type="radio"]').first();
  await firstRadio.evaluate((e) => { e.value = "99"; e.checked = true; });
  const typed = "Desk check: a grounded plan, typed before a bad score.";
  await r.getByLabel("Overall comment").fill(typed);
  await clickAndWait(r, r.getByRole("button", { name: "Save as draft" }));
  await seen(r, "There is a problem", "a score off the scale is refused");
  const message = criteria.nth(0).locator(".error-message");
  expect(await message.count() === 1, "the message is next to the criterion");
  expect(/Choose a score from/.test(await message.innerText()), "the message says what to do: " + (await message.innerText()));
  expect((await r.getByLabel("Overall comment").inputValue()) === typed, "what was typed is kept");
  await axe(r, "review: a bad score in a draft");

  for (let k = 0; k < count; k += 1) {
    const levels = criteria.nth(k).getByRole("radio", { name: /^\d/ });
    await levels.nth((await levels.count()) - 1).check();
  }
  await r.getByRole("group", { name: "Your recommendation" }).getByLabel("Support", { exact: true }).check();
  await r.getByRole("group", { name: /How confident/ }).getByLabel("Medium", { exact: true }).check();
  await clickAndWait(r, r.getByRole("button", { name: "Submit review" }));
  await seen(r, /Your review of application #\d+ is submitted/, "the fixed review is submitted");
  await axe(r, "desk: after submitting");

  const m = await newBrowserPage(browser);
  await logIn(m, demo.manager, demo.password);
  await m.goto(`${base}/manage/applications/${id}`);
  await seen(m, "Reviewers", "the manager's application page lists the reviewers");
  const order = await m.evaluate(() => {
    const answers = document.querySelector(".answers");
    const actions = document.querySelector(".case-actions");
    return Boolean(answers && actions && (answers.compareDocumentPosition(actions) & Node.DOCUMENT_POSITION_FOLLOWING));
  });
  expect(order, "the answers come before the actions");
  await axe(m, "manager: one application");
  await m.goto(`${base}/manage/cycles/${demo.cycle}/assign`);
  await axe(m, "manager: assign reviewers");
};
