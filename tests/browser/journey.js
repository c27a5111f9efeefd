// End-to-end: an applicant registers, confirms, applies to the Health
// Justice Fellowship (eligibility, every section, a CV upload, two
// referees), submits; a referee uploads a letter; the applicant sees it
// arrived. Then the review workflow: the first admin logs in with the
// one-time password, chooses a password and grants a program manager and
// two reviewers (who registered and confirmed); the manager screens the
// application as eligible, sets two reviewers per application and assigns
// them automatically (preview, confirm); each reviewer finds the mail,
// scores every criterion and submits (the first saves a draft first); the
// manager sees the ranking ("2 of 2") and the reviewer progress. Then the
// decisions: the manager records "Accepted" with a note (held: the
// applicant still sees "Under review"), previews the Accepted letter and
// has a broken template refused (nothing saved), confirms the counts and
// releases; the letter arrives by mail; the applicant accepts the offer
// (confirmation mail) and the manager sees "Offer accepted", and the
// demographics report, which shows no count for a cycle of one applicant.
// axe-core (WCAG 2.1 A and AA rules) runs on every page visited; any
// violation fails the run.
//
//   node tests/browser/journey.js <base url> <mail folder> <admin email> <admin one-time password>
"use strict";

const {
  base, axe, seen, expect, mailTo, linkIn, pdfFile, saveAndContinue, clickAndWait,
  newBrowserPage, registerAndConfirm, logIn, dateIn, focus, run, firstAdmin,
} = require("./lib");

run("journey", async (browser) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  focus(page);
  const email = `maya.${Date.now()}@example.edu`;
  const password = "plum-kettle-orbit-sage";
  await page.goto(base + "/");
  await axe(page, "home");

  await page.getByRole("link", { name: "Create an account" }).first().click();
  await axe(page, "register");
  await page.getByRole("button", { name: "Create account" }).click();
  await seen(page, "There is a problem", "empty registration shows the error summary");
  await axe(page, "register with errors");
  await page.getByLabel("Full name").fill("Maya Chen");
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByLabel("Password again").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await seen(page, "with a link to activate your account", "registration sends a link");
  await axe(page, "login after registration");

  await page.goto(base + linkIn(await mailTo(email, /Confirm your email/), "/account/confirm/"));
  await seen(page, "Your email address is confirmed", "confirmation works");
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();

  await page.goto(base + "/apply");
  await axe(page, "applications");
  await page.getByRole("link", { name: /Apply to the Health Justice Fellowship/ }).click();
  await axe(page, "eligibility");
  await page.getByRole("button", { name: "Continue" }).click();
  await seen(page, "There is a problem", "unanswered eligibility is explained");
  await axe(page, "eligibility with errors");
  for (const group of await page.locator("fieldset").all()) {
    await group.getByLabel("Yes", { exact: true }).check();
  }
  await page.getByRole("button", { name: "Continue" }).click();

  // Contact
  await axe(page, "section: contact");
  await seen(page, "Section 1 of 6", "the section says where it is");
  expect((await page.locator("progress#form-progress").count()) === 1, "a progress bar");
  expect((await page.locator('.section-nav [aria-current="page"]').textContent()).trim() === "Contact details", "the section list marks the current section");
  expect((await page.getByLabel(/legal name/i).getAttribute("autocomplete")) === "name", "the name carries autocomplete");
  expect((await page.getByLabel(/legal name/i).inputValue()) === "Maya Chen", "the name is pre-filled");
  await page.getByLabel(/city/i).fill("Baltimore");
  await page.getByLabel(/state/i).fill("MD");
  await saveAndContinue(page);
  // Education, saved after the session ended elsewhere (logging out ends
  // every session of the account): the answers wait for the login.
  await axe(page, "section: education");
  await seen(page, "Section 2 of 6", "the second section says so");
  await page.getByLabel(/School|institution/i).first().fill("Johns Hopkins School of Nursing");
  await page.getByLabel("Nursing", { exact: true }).check();
  await page.getByLabel(/Degree/).first().fill("BSN");
  await page.getByLabel(/graduat/i).first().fill("2027-05-31");
  const elsewhere = await browser.newContext();
  const other = await elsewhere.newPage();
  await logIn(other, email, password);
  await clickAndWait(other, other.getByRole("button", { name: /Log out/ }));
  await elsewhere.close();
  focus(page);
  await saveAndContinue(page);
  await seen(page, "Your session ended. Log in again and your answers will be saved.", "an ended session keeps the answers");
  await axe(page, "login after the session ended");
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(password);
  await clickAndWait(page, page.getByRole("button", { name: "Log in" }));
  await seen(page, "Your answers were saved.", "the kept answers are saved after login");
  expect(/\/sections\/education$/.test(page.url()), "back on the section: " + page.url());
  expect((await page.getByLabel(/School|institution/i).first().inputValue()) === "Johns Hopkins School of Nursing", "the typed answer is saved");
  // Where JavaScript runs, a warning before the idle limit offers to stay
  // logged in (shown at once here rather than after 110 minutes).
  expect((await page.locator("body").getAttribute("data-session-idle-minutes")) === "120", "the idle limit reaches the page");
  await page.evaluate(() => window.portalSessionWarning.warnNow());
  await seen(page, "You will be logged out in 10 minutes", "the warning before the session ends");
  await axe(page, "section: education with the session warning");
  await page.getByRole("button", { name: "Stay logged in" }).click();
  await seen(page, "You are still logged in.", "staying logged in refreshes the session");
  await saveAndContinue(page);
  // Essays
  await axe(page, "section: essays");
  const essays = page.locator("textarea");
  await essays.nth(0).fill("Working nights in a community clinic taught me how housing shapes health. ".repeat(5));
  await essays.nth(1).fill("A bilingual blood-pressure program with the barbershops on our block. ".repeat(5));
  expect(/words/.test(await page.locator(".word-count").first().textContent()), "word counts are shown");
  await saveAndContinue(page);
  // Documents
  await axe(page, "section: documents");
  await page.locator('input[type="file"]').first().setInputFiles(pdfFile("Maya Chen CV.pdf", "curriculum vitae"));
  await saveAndContinue(page);
  // References: a link to the referees page
  await axe(page, "section: references");
  await page.getByRole("link", { name: /Name or change your referees/ }).click();
  await axe(page, "referees");
  const referees = [
    ["Dr. Rosa Parks-Lee", "rosa.referee@example.org", "Clinical supervisor"],
    ["Prof. Sam Okafor", "sam.referee@example.org", "Professor"],
  ];
  for (const [i, [name, mail, relation]] of referees.entries()) {
    const form = page.locator("form.referee-form:visible").first();
    await form.getByLabel("Full name").fill(name);
    await form.getByLabel("Email address").fill(mail);
    await form.getByLabel("How do you know them?").fill(relation);
    await form.getByLabel(/Yes, I waive/).check();
    await form.getByRole("button", { name: "Send the request" }).click();
    await seen(page, `We sent ${name} a request`, `referee ${i + 1} is asked`);
  }
  await axe(page, "referees named");
  await page.goto(page.url().replace(/\/referees$/, "/sections/commitment"));
  await axe(page, "section: commitment");
  await page.locator("fieldset").first().getByLabel("Yes", { exact: true }).check();
  await page.locator('input[type="checkbox"]').first().check();
  await saveAndContinue(page);

  // Review and submit
  await axe(page, "review");
  const changes = page.getByRole("link", { name: /^Change / });
  expect((await changes.count()) >= 10, "a Change link beside each answer");
  await seen(page, "31 May 2027", "dates in words");
  await clickAndWait(page, page.getByRole("link", { name: "Change School, college or university" }));
  expect(/\/sections\/education#q-institution$/.test(page.url()), "Change leads to the question: " + page.url());
  await page.goto(page.url().replace(/\/sections\/education#q-institution$/, "/review"));
  const remaining = await page.locator(".problems li").allTextContents();
  expect(remaining.length === 0, "nothing left to do, but: " + remaining.join(" | "));
  await page.getByRole("button", { name: "Submit my application" }).click();
  await seen(page, "Your application is submitted", "submission confirmed");
  await axe(page, "application after submission");
  await mailTo(email, /was submitted/);
  const applicationUrl = page.url();
  await page.getByRole("link", { name: "Read or print your answers" }).click();
  await axe(page, "summary");

  // The referee answers through the emailed link, in a browser of their own.
  const refereeContext = await browser.newContext();
  const referee = await refereeContext.newPage();
  await referee.goto(base + linkIn(await mailTo("rosa.referee@example.org", /letter of recommendation/), "/referee/"));
  await axe(referee, "referee page");
  await seen(referee, "Maya Chen", "the referee sees the applicant's name");
  await referee.getByRole("button", { name: "Upload the letter" }).click();
  await axe(referee, "referee page with error");
  await referee.getByLabel("Your letter").setInputFiles(pdfFile("letter.pdf", "a strong recommendation"));
  await referee.getByRole("button", { name: "Upload the letter" }).click();
  await seen(referee, "Your letter for Maya Chen has arrived", "the letter arrives");
  await axe(referee, "referee thanks");

  await page.goto(applicationUrl);
  await seen(page, "Letter received", "the applicant sees the letter arrived");
  await page.goto(base + "/apply/profile");
  await axe(page, "profile");
  await page.goto(base + "/apply/demographics");
  await axe(page, "demographics");
  await page.goto(applicationUrl + "/withdraw");
  await axe(page, "withdraw");

  // Nobody can make the portal send unlimited mail: the sixth reset link
  // for one address within the hour is refused, next to the field.
  const asker = await newBrowserPage(browser);
  focus(asker);
  for (let i = 0; i < 6; i += 1) {
    await asker.goto(base + "/account/forgot");
    await asker.getByLabel("Email address").fill("someone.else@example.org");
    await clickAndWait(asker, asker.getByRole("button", { name: "Send the link" }));
  }
  await seen(asker, "We have already sent several emails to this address in the last hour", "the mail limit is explained");
  await axe(asker, "forgot password with the mail limit reached");

  // A reminder's stop link: no login, one button, and back again.
  if (process.env.JOURNEY_REMINDERS_PATH) {
    await asker.goto(base + process.env.JOURNEY_REMINDERS_PATH);
    await axe(asker, "stop reminders");
    await clickAndWait(asker, asker.getByRole("button", { name: "Stop these reminders" }));
    await seen(asker, "Turn reminders back on", "reminders can be turned back on");
    await axe(asker, "reminders stopped");
  }
  focus(page);

  const staff = await reviewWorkflow(browser, "Maya Chen");
  await decisions(staff, { page, applicationUrl, email, name: "Maya Chen" });
});

// The review workflow on the application `applicant` submitted.
async function reviewWorkflow(browser, applicant) {
  const password = "quill-harbor-lantern-mist";
  const manager = { name: "Lena Brooks", email: "lena.brooks@alliance.example.org" };
  const reviewers = [
    { name: "Ines Ortiz", email: "ines.ortiz@uwhealth.example.net" },
    { name: "Tom Baker", email: "tom.baker@ucsf.example.com" },
  ];

  // The three staff register and confirm, each in a browser of their own.
  for (const person of [manager, ...reviewers]) {
    person.page = await newBrowserPage(browser);
    await registerAndConfirm(person.page, person.name, person.email, password);
  }

  // The first admin logs in with the one-time password and must choose one.
  const admin = await firstAdmin(browser, "copper-meadow-violin-tide");

  await admin.getByRole("link", { name: "Admin", exact: true }).click();
  await admin.waitForURL(/\/admin\/users/);
  await axe(admin, "admin: users");
  const grants = [
    [manager, "Program manager"],
    [reviewers[0], "Reviewer"],
    [reviewers[1], "Reviewer"],
  ];
  for (const [person, role] of grants) {
    await admin.getByLabel("Search by name or email").fill(person.email);
    await clickAndWait(admin, admin.getByRole("button", { name: "Search" }));
    await admin.getByLabel(`Role for ${person.name}`).selectOption({ label: role });
    await admin.getByLabel(`Program for ${person.name}`).selectOption({ label: "Health Justice Fellowship" });
    await clickAndWait(admin, admin.getByRole("button", { name: `Grant to ${person.name}` }));
    await seen(admin, `${person.name} (${person.email}) is now ${role.toLowerCase()} of the Health Justice Fellowship`,
      `${person.name} is granted ${role}`);
  }
  await axe(admin, "admin: users after a grant");

  // The manager screens the application and assigns two reviewers.
  const m = manager.page;
  await logIn(m, manager.email, password);
  await m.getByRole("link", { name: "Manage", exact: true }).click();
  await m.waitForURL(/\/manage\/?$/);
  await axe(m, "manage: programs");
  await clickAndWait(m, m.getByRole("link", { name: /^Health Justice Fellowship: / }));
  const cycleUrl = m.url();
  expect(/\/manage\/cycles\/\d+$/.test(new URL(cycleUrl).pathname), "the cycle page opens: " + cycleUrl);
  await axe(m, "manage: cycle");
  const submittedRow = m.getByRole("row").filter({ has: m.getByRole("rowheader", { name: "Submitted", exact: true }) });
  expect((await submittedRow.getByRole("cell").textContent()).trim() === "1", "the pipeline counts one submitted application");

  // The cycle's own navigation (the main one has an "Applications" link too).
  const cycleNav = m.getByRole("navigation", { name: "This cycle" });
  await clickAndWait(m, cycleNav.getByRole("link", { name: "Applications", exact: true }));
  await axe(m, "manage: applications");
  await clickAndWait(m, m.getByRole("link", { name: applicant }));
  expect(/\/manage\/applications\/\d+$/.test(m.url()), "the application opens: " + m.url());
  await axe(m, "manage: application");
  await m.getByLabel("Eligible: move it to review").check();
  await clickAndWait(m, m.getByRole("button", { name: "Record screening" }));
  await seen(m, "Marked eligible: the application is now in review", "screening is recorded");
  await axe(m, "manage: application in review");

  await m.goto(cycleUrl);
  await clickAndWait(m, cycleNav.getByRole("link", { name: "Review settings and rubric" }));
  await axe(m, "manage: review settings");
  await m.getByLabel("Reviewers per application", { exact: true }).fill("0");
  await clickAndWait(m, m.getByRole("button", { name: "Save settings" }));
  await seen(m, "There is a problem", "0 reviewers per application is refused");
  await axe(m, "manage: review settings with an error");
  await m.getByLabel("Reviewers per application", { exact: true }).fill("2");
  await clickAndWait(m, m.getByRole("button", { name: "Save settings" }));
  await seen(m, "Review settings saved", "the settings are saved");
  expect((await m.getByLabel("Reviewers per application", { exact: true }).inputValue()) === "2", "2 reviewers per application is kept");

  await m.goto(cycleUrl);
  await clickAndWait(m, cycleNav.getByRole("link", { name: "Assign reviewers" }));
  await axe(m, "manage: assign reviewers");
  await m.getByLabel("Reviews due by").fill(dateIn(-3));
  await clickAndWait(m, m.getByRole("button", { name: "Preview" }));
  await seen(m, "The due date must be in the future", "a past due date is refused");
  await axe(m, "manage: assign reviewers with an error");
  await m.getByLabel("Reviews due by").fill(dateIn(21));
  await clickAndWait(m, m.getByRole("button", { name: "Preview" }));
  await seen(m, "New assignments: 2.", "the preview proposes two assignments");
  await axe(m, "manage: assignment preview");
  for (const r of reviewers) {
    const row = m.getByRole("row").filter({ has: m.getByRole("rowheader", { name: r.name }) });
    expect((await row.getByRole("cell").allTextContents()).join(" ") === "0 1 1", `${r.name} gets one new application`);
  }
  await clickAndWait(m, m.getByRole("button", { name: "Confirm and assign" }));
  await seen(m, "2 assignments made", "the assignments are made");
  await axe(m, "manage: applications in review");

  // Each reviewer finds the mail and reviews the application.
  for (const [i, r] of reviewers.entries()) {
    const p = r.page;
    await logIn(p, r.email, password);
    const mail = await mailTo(r.email, /applications? to review/);
    await p.goto(base + linkIn(mail, "/review"));
    await axe(p, `review: list (${r.name})`);
    await clickAndWait(p, p.getByRole("link", { name: /Application #\d+/ }));
    expect(/\/review\/applications\/\d+$/.test(p.url()), "the application opens for review: " + p.url());
    await axe(p, `review: form (${r.name})`);
    if (i === 0) {
      await clickAndWait(p, p.getByRole("button", { name: "Submit review" }));
      await seen(p, "There is a problem", "an empty review cannot be submitted");
      await axe(p, "review: form with errors");
    }
    const criteria = p.locator("#review-form fieldset").filter({ has: p.locator('input[type="radio"][name^="score["]') });
    const count = await criteria.count();
    expect(count > 0, "the rubric has criteria");
    for (let k = 0; k < count; k += 1) {
      // Levels are named by their score ("5: ..."); "Not applicable" is left alone.
      const levels = criteria.nth(k).getByRole("radio", { name: /^\d/ });
      const n = await levels.count();
      // The first reviewer gives the highest level, the second one below it.
      await levels.nth(i === 0 ? n - 1 : Math.max(0, n - 2)).check();
    }
    await p.getByLabel("Overall comment").fill(`${r.name}: a grounded, community-led project plan.`);
    await p.getByRole("group", { name: "Your recommendation" }).getByLabel(i === 0 ? "Strongly support" : "Support", { exact: true }).check();
    await p.getByRole("group", { name: /How confident/ }).getByLabel(i === 0 ? "High" : "Medium", { exact: true }).check();
    if (i === 0) {
      await clickAndWait(p, p.getByRole("button", { name: "Save as draft" }));
      await seen(p, "Draft saved", "the draft is saved");
      await axe(p, "review: draft saved");
      expect((await p.getByLabel("Overall comment").inputValue()).startsWith(r.name), "the draft keeps the comment");
      expect(await p.getByRole("group", { name: "Your recommendation" }).getByLabel("Strongly support", { exact: true }).isChecked(),
        "the draft keeps the recommendation");
    }
    await clickAndWait(p, p.getByRole("button", { name: "Submit review" }));
    await seen(p, /Your review of application #\d+ is submitted/, `${r.name}'s review is submitted`);
    await axe(p, `review: submitted (${r.name})`);
  }

  // The manager sees the ranking and the reviewers' progress.
  await m.goto(cycleUrl);
  await clickAndWait(m, cycleNav.getByRole("link", { name: "Ranking" }));
  await axe(m, "manage: ranking");
  const ranked = m.getByRole("row").filter({ hasText: applicant });
  expect((await ranked.count()) === 1, "the application is ranked");
  expect(/\b2 of 2\b/.test(await ranked.textContent()), "the ranking counts 2 of 2 reviews: " + (await ranked.textContent()));
  await clickAndWait(m, ranked.getByRole("link", { name: applicant }));
  const managedUrl = m.url();
  await axe(m, "manage: application with reviews");
  await seen(m, "Tom Baker: Submitted", "the manager reads the submitted reviews");
  await m.goto(cycleUrl);
  await clickAndWait(m, cycleNav.getByRole("link", { name: "Reviewer progress" }));
  await axe(m, "manage: reviewer progress");
  for (const r of reviewers) {
    const row = m.getByRole("row").filter({ hasText: r.email });
    expect((await row.getByRole("cell").allTextContents()).map((t) => t.trim()).join(" ") === "1 1 0 0",
      `${r.name} has 1 assigned, 1 submitted, none outstanding or overdue`);
  }
  return { m, cycleUrl, cycleNav, managedUrl, reviewers };
}

// The decisions story on the application `applicant.name` submitted: the
// manager decides, checks the letter, releases; the applicant answers.
async function decisions({ m, cycleUrl, cycleNav, managedUrl, reviewers }, applicant) {
  const a = applicant.page;
  const id = new URL(applicant.applicationUrl).pathname.match(/\/apply\/applications\/(\d+)$/)[1];
  expect(new URL(managedUrl).pathname === `/manage/applications/${id}`,
    `the manager's application page (${managedUrl}) is application ${id}`);

  // 1. The manager records "Accepted" with a note: held, not yet released.
  await m.goto(managedUrl);
  focus(m);
  const decision = m.getByRole("region", { name: "Decision", exact: true });
  await decision.getByRole("radio", { name: "Accepted", exact: true }).check();
  const note = "The committee loved the barbershop blood-pressure project.";
  await decision.getByLabel(/^Note/).fill(note);
  await clickAndWait(m, decision.getByRole("button", { name: "Save the decision" }));
  await seen(m, "Decision recorded: Accepted. Held until you release decisions.", "the decision is recorded and held");
  await seen(m, "(held: not yet released)", "the decision shows as held");
  await axe(m, "manage: application with a held decision");

  // 2. The applicant sees nothing of it yet.
  await a.goto(applicant.applicationUrl);
  focus(a);
  await axe(a, "application with a held decision");
  const held = await a.locator("main").innerText();
  expect((await a.locator(".status").first().innerText()).trim() === "Under review",
    "a held decision leaves the applicant's status at Under review, not " + (await a.locator(".status").first().innerText()));
  expect(!/Accepted/.test(held) && !/\boffer/i.test(held) && !/Decision:/.test(held),
    "a held decision is not shown to the applicant:\n" + held);
  expect((await a.getByRole("radio", { name: "I accept my place" }).count()) === 0, "no offer form before the release");

  // 3. The Accepted letter: a preview with the sample applicant, and a
  // broken template refused next to its field; nothing is saved.
  await m.goto(cycleUrl);
  focus(m);
  await clickAndWait(m, cycleNav.getByRole("link", { name: "Decision letters" }));
  expect(new URL(m.url()).pathname === new URL(cycleUrl).pathname + "/letters", "the letters open: " + m.url());
  await axe(m, "manage: decision letters");
  const acceptedRow = () => m.getByRole("row").filter({ has: m.getByRole("rowheader", { name: "Accepted", exact: true }) });
  expect(/The default/.test(await acceptedRow().textContent()), "the Accepted letter starts as the default");
  await clickAndWait(m, m.getByRole("link", { name: "Accepted", exact: true }));
  await seen(m, "Accepted: the letter", "the Accepted letter opens");
  await axe(m, "manage: letter editor");
  const body = m.getByLabel("Letter", { exact: true });
  const original = await body.inputValue();
  expect(original.includes("{{applicant_name}}"), "the default letter names the applicant");
  await body.fill(original + "\nP.S. Orientation week starts in September.\n");
  await clickAndWait(m, m.getByRole("button", { name: "Preview" }));
  const preview = m.getByRole("region", { name: "Preview for a sample applicant" });
  await seen(m, "Preview for a sample applicant", "the preview is shown");
  const previewText = await preview.innerText();
  expect(/Dear Jordan Rivera/.test(previewText), "the preview is written to the sample applicant:\n" + previewText);
  expect(/Orientation week starts in September/.test(previewText), "the preview shows the edited text");
  expect((await body.inputValue()).includes("Orientation week"), "the preview keeps the edited template");
  await axe(m, "manage: letter preview");
  await clickAndWait(m, m.getByRole("link", { name: /^Decision letters in / }));
  expect(/The default/.test(await acceptedRow().textContent()), "a preview saves nothing");

  await clickAndWait(m, m.getByRole("link", { name: "Accepted", exact: true }));
  await m.getByLabel("Letter", { exact: true }).fill("Dear {{first_name}}");
  const [refused] = await Promise.all([
    m.waitForResponse((r) => r.request().method() === "POST" && /\/letters\/accepted$/.test(r.url())),
    clickAndWait(m, m.getByRole("button", { name: "Save", exact: true })),
  ]);
  expect(refused.status() === 422, "a broken template answers 422, not " + refused.status());
  await seen(m, "There is a problem", "the broken template is refused with the error summary");
  const fieldError = m.locator("#body-error");
  expect((await fieldError.count()) === 1 && /first_name/.test(await fieldError.innerText()),
    "the error is next to the letter field and names the unknown field");
  expect((await m.getByLabel("Letter", { exact: true }).getAttribute("aria-invalid")) === "true", "the letter field is marked invalid");
  expect((await m.getByLabel("Letter", { exact: true }).getAttribute("aria-describedby") || "").split(" ").includes("body-error"),
    "the letter field is described by its error");
  expect((await m.getByLabel("Letter", { exact: true }).inputValue()) === "Dear {{first_name}}", "the typed template is kept");
  await axe(m, "manage: letter with an error");
  await clickAndWait(m, m.getByRole("link", { name: /^Decision letters in / }));
  expect(/The default/.test(await acceptedRow().textContent()), "a refused template saves nothing");

  // 4. Release: the counts, the confirmation, the letters.
  await m.goto(cycleUrl);
  await clickAndWait(m, cycleNav.getByRole("link", { name: "Release decisions" }));
  expect(new URL(m.url()).pathname === new URL(cycleUrl).pathname + "/release", "the release page opens: " + m.url());
  await axe(m, "manage: release decisions");
  const acceptedCount = m.getByRole("checkbox", { name: "Accepted: 1", exact: true });
  expect((await acceptedCount.count()) === 1, "the release page counts one accepted decision");
  expect(await acceptedCount.isChecked(), "the accepted decisions are chosen for release");
  expect(!(await m.getByRole("checkbox", { name: "Waitlisted: 0", exact: true }).isChecked()), "no waitlisted decision is chosen");
  await clickAndWait(m, m.getByRole("button", { name: "Release decisions" }));
  await seen(m, "Tick the box to confirm the counts before releasing.", "a release needs the confirmation");
  await axe(m, "manage: release decisions with an error");
  await m.getByLabel("I have checked these counts: send the letters").check();
  await clickAndWait(m, m.getByRole("button", { name: "Release decisions" }));
  expect(new URL(m.url()).pathname === new URL(cycleUrl).pathname + "/decisions", "the release leads to the decisions: " + m.url());
  await seen(m, "1 decision released; each applicant is sent one letter.", "the decisions are released");
  await axe(m, "manage: decisions after the release");
  const decidedRow = () => m.getByRole("row").filter({ hasText: applicant.name });
  const released = await decidedRow().innerText();
  expect(/Accepted/.test(released) && /Yes/.test(released) && /Waiting for the applicant/.test(released),
    "the decision is released and the offer waits for an answer: " + released);

  // 5. The letter arrives.
  const letterMail = await mailTo(applicant.email, /offer you a place/);
  expect(letterMail.includes(applicant.name), "the decision letter names the applicant");
  expect(letterMail.includes(note), "the decision letter carries the manager's note");

  // 6. The applicant answers the offer.
  await a.goto(applicant.applicationUrl);
  focus(a);
  await seen(a, "Decision: Accepted", "the applicant sees the decision");
  expect((await a.locator(".status").first().innerText()).trim() === "Decision available", "the status is Decision available");
  const offerText = await a.getByRole("region", { name: "Decision: Accepted" }).innerText();
  expect(/Please answer by \d{1,2} \w+ \d{4}/.test(offerText), "the offer gives its answer-by date: " + offerText);
  await axe(a, "application with an offer");
  await a.getByRole("radio", { name: "I accept my place" }).check();
  await clickAndWait(a, a.getByRole("button", { name: "Send my answer" }));
  await seen(a, "Tick the box to confirm your answer", "an answer needs the confirmation");
  await axe(a, "application with an offer and an error");
  await a.getByRole("radio", { name: "I accept my place" }).check();
  await a.getByLabel("I understand my answer cannot be changed afterwards").check();
  await clickAndWait(a, a.getByRole("button", { name: "Send my answer" }));
  await seen(a, "Thank you: you have accepted your place.", "the answer is recorded");
  await seen(a, "Offer accepted", "the page shows the offer accepted");
  expect((await a.getByRole("button", { name: "Send my answer" }).count()) === 0, "the offer cannot be answered twice");
  await axe(a, "application after accepting");
  await mailTo(applicant.email, /You accepted\s+your\s+place/);

  // 7. The manager sees the accepted offer.
  await m.goto(cycleUrl);
  focus(m);
  await clickAndWait(m, cycleNav.getByRole("link", { name: "Decisions and offers" }));
  await axe(m, "manage: decisions with the offer accepted");
  const accepted = await decidedRow().innerText();
  expect(/Offer accepted/.test(accepted), "the decisions list shows the offer accepted: " + accepted);
  const acceptedFact = m.locator(".facts div").filter({ has: m.getByText("Accepted", { exact: true }) }).locator("dd");
  expect((await acceptedFact.innerText()).trim() === "1", "one offer is counted as accepted");

  // 8. The demographics in aggregate: one applicant offered a place, so
  // that group shows no count.
  await m.goto(cycleUrl);
  await clickAndWait(m, cycleNav.getByRole("link", { name: "Demographics (in aggregate)" }));
  await axe(m, "manage: demographics");
  const offered = await m.getByRole("row").filter({ has: m.getByRole("rowheader", { name: "Offered a place", exact: true }) }).first().innerText();
  expect(/fewer than 5/.test(offered), "a group of one shows no count: " + offered);

  // 8b. The reports: the reviews, blind with the reviewers numbered, come
  // as a CSV without the applicant's name or the reviewers'.
  await m.goto(cycleUrl);
  await clickAndWait(m, cycleNav.getByRole("link", { name: /^Reports \(CSV\)/ }));
  await axe(m, "manage: reports");
  const reviewsForm = m.locator("form").filter({ has: m.getByRole("button", { name: "Download the reviews (CSV)" }) });
  await reviewsForm.getByLabel(/^Blind/).check();
  await reviewsForm.getByLabel(/^Number the reviewers/).check();
  const [download] = await Promise.all([
    m.waitForEvent("download"),
    reviewsForm.getByRole("button", { name: "Download the reviews (CSV)" }).click(),
  ]);
  expect(/\(blind\)\.csv$/.test(download.suggestedFilename()), "the blind report's file says so: " + download.suggestedFilename());
  const blindCsv = require("fs").readFileSync(await download.path(), "utf8");
  expect(/^\ufeffApplication,Reviewer,/.test(blindCsv), "the blind reviews report starts with the application and a reviewer: " + blindCsv.slice(0, 80));
  expect(/Reviewer 1,/.test(blindCsv), "reviewers are numbered: " + blindCsv.slice(0, 300));
  expect(!blindCsv.includes(applicant.name), "the blind report does not name the applicant");
  for (const r of reviewers) {
    expect(!blindCsv.includes(r.name), "the blind report does not name " + r.name);
  }

  // 8c. The audit log: the manager's programs' entries in words, filtered
  // by kind; a wrong application number is told next to its field.
  await m.goto(base + "/manage");
  await clickAndWait(m, m.getByRole("link", { name: "Audit log" }));
  await axe(m, "manage: audit log");
  await m.getByLabel("Kind of action").selectOption({ label: "Decisions and their release" });
  await clickAndWait(m, m.getByRole("button", { name: "Show" }));
  await seen(m, /released decisions for/, "the release is in the log, in words");
  const logged = await m.getByRole("row").filter({ hasText: "recorded a decision on application #" + id }).first().innerText();
  expect(logged.includes("Lena Brooks"), "the log names who recorded the decision: " + logged);
  await m.getByLabel("Application number").fill("twelve");
  await clickAndWait(m, m.getByRole("button", { name: "Show" }));
  await seen(m, /Enter an application’s number, such as 12/, "a wrong application number is told");
  await axe(m, "manage: audit log with a wrong filter");
  // The application's own record, on its page.
  await m.goto(managedUrl);
  await seen(m, "On the record", "the application page shows its record");
  // A staff note: an empty one is told; one for the reviewers reaches them.
  await clickAndWait(m, m.getByRole("button", { name: "Add the note" }));
  await seen(m, "Write the note before adding it.", "an empty note is told next to the field");
  await axe(m, "manage: application with a refused note");
  await m.getByLabel("Add a note").fill("The referee confirmed the project's community partner.");
  await m.getByLabel(/Show it to the application’s reviewers too/).check();
  await clickAndWait(m, m.getByRole("button", { name: "Add the note" }));
  await seen(m, "The note is added; the application's reviewers see it too.", "the note is added");
  // A label: made on the cycle's labels page (an empty name first), put
  // on the application, and the list filtered by it.
  await m.goto(cycleUrl);
  await clickAndWait(m, cycleNav.getByRole("link", { name: "Labels", exact: true }));
  await clickAndWait(m, m.getByRole("button", { name: "Make the label" }));
  await seen(m, "Name the label.", "an empty label name is told");
  await axe(m, "manage: labels with a refused name");
  await m.getByLabel("Name").fill("Community partner");
  await clickAndWait(m, m.getByRole("button", { name: "Make the label" }));
  await seen(m, "The label “Community partner” is made.", "the label is made");
  await m.goto(managedUrl);
  await m.getByRole("checkbox", { name: "Community partner" }).check();
  await clickAndWait(m, m.getByRole("button", { name: "Save the labels" }));
  await seen(m, "Labels saved: Community partner.", "the label is on the application");
  await m.goto(cycleUrl);
  await clickAndWait(m, cycleNav.getByRole("link", { name: "Applications", exact: true }));
  await m.getByLabel("Label", { exact: true }).selectOption({ label: "Community partner" });
  await clickAndWait(m, m.getByRole("button", { name: "Apply", exact: true }));
  await seen(m, "Matching applications: 1.", "the list filtered by the label");
  await axe(m, "manage: applications filtered by a label");
  // 8d. A message to the applicants told "Accepted": an unknown field is
  // told next to the message; the preview gives the count and the
  // applicant's own message; sent, it reaches their mailbox. Then the
  // automatic reminders, a wrong number of days told first.
  await m.goto(cycleUrl);
  await clickAndWait(m, cycleNav.getByRole("link", { name: "Messages and reminders to applicants" }));
  await axe(m, "manage: messages to applicants");
  await m.getByLabel("Send it to").selectOption({ value: "decision:accepted" });
  await m.getByLabel("Subject").fill("Orientation for the {{program}}");
  await m.getByLabel("Message", { exact: true }).fill("Dear {{first_name}},\n\nOrientation is on 3 June.");
  await clickAndWait(m, m.getByRole("button", { name: "Preview and count" }));
  await seen(m, "There is no field called {{first_name}}", "an unknown field is told next to the message");
  await axe(m, "manage: message with an unknown field");
  await m.getByLabel("Message", { exact: true }).fill("Dear {{applicant_name}},\n\nOrientation is on 3 June.");
  await clickAndWait(m, m.getByRole("button", { name: "Preview and count" }));
  await seen(m, "1 applicant will get this message", "the preview counts the recipients");
  await seen(m, "As " + applicant.name + " will read it", "the preview is the first recipient's message");
  await axe(m, "manage: message preview");
  await clickAndWait(m, m.getByRole("button", { name: "Send to 1 applicant" }));
  await seen(m, "The message is on its way to 1 applicant", "the message is sent");
  await axe(m, "manage: a sent message and its recipients");
  const orientation = await mailTo(applicant.email, /Orientation for the Health Justice Fellowship/);
  expect(orientation.includes("Dear " + applicant.name), "the message is addressed to the applicant");
  await m.goto(cycleUrl);
  await clickAndWait(m, cycleNav.getByRole("link", { name: "Messages and reminders to applicants" }));
  await m.getByLabel(/^Days before the deadline/).fill("0");
  await clickAndWait(m, m.getByRole("button", { name: "Save the reminders" }));
  await seen(m, "The number of days must be between 1 and 90", "a wrong number of days is told");
  await axe(m, "manage: reminders with a wrong number of days");
  await m.getByLabel(/^Days before the deadline/).fill("7");
  await clickAndWait(m, m.getByRole("button", { name: "Save the reminders" }));
  await seen(m, "Automatic reminders are saved.", "the reminders are saved");
  await m.goto(managedUrl);
  const ines = reviewers[0].page;
  await ines.goto(base + new URL(managedUrl).pathname.replace("/manage/", "/review/"));
  await seen(ines, "The referee confirmed the project's community partner.", "the reviewer reads the note");
  await axe(ines, "review: application with a note from the team");

  // 9. A reviewer finds out they know the applicant, after reviewing: the
  // review is set aside, on the record, out of the scores.
  const tom = reviewers[1].page;
  focus(tom);
  // What a reviewer has submitted is on their desk's Submitted list.
  await tom.goto(base + "/review/done");
  await axe(tom, "review: submitted list");
  await clickAndWait(tom, tom.getByRole("link", { name: /Application #\d+/ }));
  await tom.getByLabel("What the conflict is").fill("I realised I taught her at nursing school.");
  await clickAndWait(tom, tom.getByRole("button", { name: /Declare a conflict/ }));
  await seen(tom, /You have been taken off application #\d+/, "the conflict is declared");
  await m.goto(managedUrl);
  focus(m);
  await seen(m, "Reviews set aside", "the manager sees the review set aside");
  const setAside = await m.getByRole("row").filter({ hasText: reviewers[1].name }).last().innerText();
  expect(/Submitted/.test(setAside), "the set-aside review keeps its state: " + setAside);
  await axe(m, "manage: application with a review set aside");
}
