// A program team sets up next year without a developer. The first admin
// names the site (a bad contact address is refused first), uploads a logo
// and sees it replace the name at the top; then creates the Social Mission Award (an award nomination; an empty form is
// refused first) and makes Rafael its manager and a manager of the Voices
// for Change Fellowship, and invites Tomás by email to review for it (a bad
// address is refused first): Tomás makes his account from the link (a
// short password is refused first) and lands on his desk. Deactivated, he
// is logged out and refused at login; reactivated, he logs in again. Rafael copies the 2027 cycle to 2028 (dates
// proposed a year on), moves its closing date (a closing before the
// opening is refused first), adds a yes/no question and an essay with a
// 300-word limit shown only to those who answered "yes" (a word limit of 0
// is refused first) and previews the form, adds a rubric criterion with a
// weight (a weight that is not a number is refused first), names the
// declined outcome "Not this year" (a blank name is refused first), adds
// "Accepted as poster" and opens the cycle now. He sets up the award's first cycle, and invites a manager to Voices for Change, sends the invitation again and revokes it; the award's starter
// form asks the nominator about the nominee. A new applicant then finds
// both calls on the home page, applies to the 2028 cycle, sees the essay
// appear only after answering "yes", is told on the review page that 301
// words pass the limit, and submits with 300.
// axe-core (WCAG 2.1 A and AA) runs on every page visited.
//
//   node tests/browser/setup.js <base url> <mail folder> <admin email> <admin one-time password>
"use strict";

const {
  base, axe, seen, expect, clickAndWait, newBrowserPage, registerAndConfirm, logIn, focus, run, firstAdmin,
  saveAndContinue, pdfFile, mailTo, linkIn,
} = require("./lib");

const password = "harbor-quince-lattice-moss";
const rafael = { name: "Rafael Mendes", email: "rafael.mendes@alliance.example.org" };

run("setup", async (browser) => {
  rafael.page = await newBrowserPage(browser);
  await registerAndConfirm(rafael.page, rafael.name, rafael.email, password);

  const admin = await firstAdmin(browser, "saffron-kestrel-ledger-dune");
  await setTheSite(admin);
  await createTheAward(admin);
  for (const program of ["Social Mission Award", "Voices for Change Fellowship"]) {
    await grantManager(admin, rafael, program);
  }
  const tomas = await newBrowserPage(browser);
  await inviteAReviewer(admin, tomas);
  await deactivateAndReactivate(admin, tomas);

  const m = rafael.page;
  await logIn(m, rafael.email, password);
  const cycleUrl = await copyToNextYear(m);
  await moveTheClosingDate(m, cycleUrl);
  await addTheConditionalEssay(m, cycleUrl);
  await addARubricCriterion(m, cycleUrl);
  await nameTheOutcomes(m, cycleUrl);
  await openNow(m, cycleUrl);
  await setUpTheAward(m);
  await sendAgainAndRevoke(m);
  await askForANewAddress(m);

  await applyToTheNewCycle(await newBrowserPage(browser));
});

// A one-pixel PNG, as a logo.
const logoPng = {
  name: "alliance-logo.png",
  mimeType: "image/png",
  buffer: Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGMAAQAABQABDQottAAAAABJRU5ErkJggg==",
    "base64"),
};

// The admin names the site and its contact address (an address that is
// not one is refused first, next to its field), then uploads a logo: the
// brand at the top becomes the logo, its text the organisation's name.
async function setTheSite(admin) {
  await admin.goto(base + "/admin/users");
  await clickAndWait(admin, admin.getByRole("link", { name: "Site settings" }));
  await axe(admin, "admin: site settings");
  await admin.getByLabel("Organisation’s name").fill("Health Equity Alliance");
  await admin.getByLabel("Contact address").fill("programs at alliance");
  await clickAndWait(admin, admin.getByRole("button", { name: "Save the site settings" }));
  await seen(admin, "Enter the contact address as an email address", "a bad contact address is refused");
  expect(await admin.getByLabel("Organisation’s name").inputValue() === "Health Equity Alliance",
    "the name typed is kept");
  await axe(admin, "admin: site settings with errors");
  await admin.getByLabel("Contact address").fill("programs@alliance.example.org");
  await admin.getByLabel(/^Logo/).setInputFiles(logoPng);
  await clickAndWait(admin, admin.getByRole("button", { name: "Save the site settings" }));
  await seen(admin, "The site settings are saved", "the site settings are saved");
  const brand = admin.locator("header .brand img");
  expect(await brand.getAttribute("alt") === "Health Equity Alliance", "the logo's text is the name");
  expect((await admin.title()).endsWith("– Health Equity Alliance"), "titles end with the name: " + await admin.title());
  await seen(admin, "programs@alliance.example.org", "the footer names the contact address");
  await axe(admin, "admin: site settings saved");
}

// The admin creates the award, hidden at first: an empty form is refused.
async function createTheAward(admin) {
  await admin.getByRole("link", { name: "Admin", exact: true }).click();
  await admin.waitForURL(/\/admin\/users/);
  await clickAndWait(admin, admin.getByRole("link", { name: "Set up programs" }));
  await axe(admin, "admin: programs");
  await clickAndWait(admin, admin.getByRole("link", { name: "New program" }));
  await axe(admin, "admin: new program");
  await clickAndWait(admin, admin.getByRole("button", { name: "Create the program" }));
  await seen(admin, "There is a problem", "an empty program is refused");
  await axe(admin, "admin: new program with errors");
  await admin.getByLabel("Name", { exact: true }).fill("Social Mission Award");
  await admin.getByLabel("Short name for addresses").fill("social-mission");
  await admin.getByLabel("Award nomination").check();
  await admin.getByLabel("Description").fill("Honours a graduate whose work brings care to those left without it.");
  await admin.getByLabel("Eligibility summary").fill("Anyone may nominate a graduate of an alliance program.");
  await admin.getByLabel(/Contact email/).fill("awards@alliance.example.org");
  await admin.getByLabel(/^Public/).check();
  await clickAndWait(admin, admin.getByRole("button", { name: "Create the program" }));
  await seen(admin, "The Social Mission Award is created", "the program is created");
  await axe(admin, "admin: the new program");
}

async function grantManager(admin, person, program) {
  await admin.goto(base + "/admin/users");
  await admin.getByLabel("Search by name or email").fill(person.email);
  await clickAndWait(admin, admin.getByRole("button", { name: "Search" }));
  await admin.getByLabel(`Role for ${person.name}`).selectOption({ label: "Program manager" });
  await admin.getByLabel(`Program for ${person.name}`).selectOption({ label: program });
  await clickAndWait(admin, admin.getByRole("button", { name: `Grant to ${person.name}` }));
  await seen(admin, `${person.name} (${person.email}) is now program manager of the ${program}`,
    `${person.name} manages the ${program}`);
}

// The admin invites Tomás, who has no account, to review for the award
// (an address that is not one is refused first, next to its field). From
// the mailed link Tomás chooses his name and a password (a short one is
// refused first) and lands on his reviewer's desk.
async function inviteAReviewer(admin, t) {
  await admin.goto(base + "/admin/users");
  await clickAndWait(admin, admin.getByRole("link", { name: "Invite people by email" }));
  await axe(admin, "admin: invitations");
  await admin.getByLabel("Their email address").fill("tomas at alliance");
  await admin.getByLabel("Program", { exact: true }).selectOption({ label: "Social Mission Award" });
  await admin.getByLabel("Role").selectOption({ label: "Reviewer" });
  await clickAndWait(admin, admin.getByRole("button", { name: "Send the invitation" }));
  await seen(admin, "Enter an email address in the form name@example.org.", "a bad address is refused");
  await axe(admin, "admin: invitations with errors");
  await admin.getByLabel("Their email address").fill("tomas.reyes@alliance.example.org");
  await clickAndWait(admin, admin.getByRole("button", { name: "Send the invitation" }));
  await seen(admin, "Invitation sent to tomas.reyes@alliance.example.org to be a reviewer of the Social Mission Award",
    "the invitation is sent");

  focus(t);
  const mail = await mailTo("tomas.reyes@alliance.example.org", /invites you to review for the Social Mission Award/);
  await t.goto(base + linkIn(mail, "/account/invitation/"));
  await seen(t, "Join the Social Mission Award as a reviewer", "the link opens the invitation");
  await axe(t, "invitation: new account");
  await t.getByLabel("Full name").fill("Tomás Reyes");
  await t.getByLabel("Password", { exact: true }).fill("short");
  await t.getByLabel("Password again").fill("short");
  await clickAndWait(t, t.getByRole("button", { name: "Make my account and accept" }));
  await seen(t, "Choose a password of at least 12 characters.", "a short password is refused");
  expect(await t.getByLabel("Full name").inputValue() === "Tomás Reyes", "the name typed is kept");
  await axe(t, "invitation: new account with errors");
  await t.getByLabel("Password", { exact: true }).fill(password);
  await t.getByLabel("Password again").fill(password);
  await clickAndWait(t, t.getByRole("button", { name: "Make my account and accept" }));
  await seen(t, "Welcome: you are now a reviewer of the Social Mission Award.", "Tomás is a reviewer");
  expect(/\/review\/?$/.test(t.url()), `Tomás lands on his desk (${t.url()})`);
  await axe(t, "review: a new reviewer's desk");
}

// The admin deactivates Tomás: his open page sends him to log in, and his
// password is refused with the reason; reactivated, he logs in again.
async function deactivateAndReactivate(admin, t) {
  await admin.goto(base + "/admin/users");
  await admin.getByLabel("Search by name or email").fill("tomas.reyes");
  await clickAndWait(admin, admin.getByRole("button", { name: "Search" }));
  await clickAndWait(admin, admin.getByRole("button", { name: "Deactivate Tomás Reyes" }));
  await seen(admin, "Tomás Reyes (tomas.reyes@alliance.example.org) is deactivated and logged out everywhere.",
    "Tomás is deactivated");
  await axe(admin, "admin: users, one deactivated");
  focus(t);
  await t.goto(base + "/review");
  expect(/\/account\/login/.test(t.url()), `a deactivated account is logged out (${t.url()})`);
  await t.getByLabel("Email address").fill("tomas.reyes@alliance.example.org");
  await t.getByLabel("Password").fill(password);
  await clickAndWait(t, t.getByRole("button", { name: "Log in" }));
  await seen(t, "This account has been deactivated.", "a deactivated account cannot log in");
  await clickAndWait(admin, admin.getByRole("button", { name: "Reactivate Tomás Reyes" }));
  await seen(admin, "Tomás Reyes (tomas.reyes@alliance.example.org) is active again and can log in.",
    "Tomás is active again");
  await logIn(t, "tomas.reyes@alliance.example.org", password);

  // His page: his role, his sign-ins; a new email address, a bad one
  // first, goes to the new address to be confirmed there.
  await clickAndWait(admin, admin.getByRole("link", { name: "Tomás Reyes" }));
  await seen(admin, "Latest sign-ins", "the account's page lists its sign-ins");
  expect((await admin.getByRole("region", { name: "Latest sign-ins" }).getByRole("listitem").count()) >= 2,
    "Tomás's two sign-ins are listed");
  await axe(admin, "admin: one account");
  await admin.getByLabel("New email address").fill("tomas.reyes at alliance");
  await clickAndWait(admin, admin.getByRole("button", { name: "Send the link" }));
  await seen(admin, "Enter an email address in the form name@example.org.", "a bad new address is told");
  await axe(admin, "admin: one account, a bad new address");
  await admin.getByLabel("New email address").fill("t.reyes@alliance.example.org");
  await clickAndWait(admin, admin.getByRole("button", { name: "Send the link" }));
  await seen(admin, "We sent a link to t.reyes@alliance.example.org.", "the link goes to the new address");
  const confirmLink = linkIn(await mailTo("t.reyes@alliance.example.org", /Confirm your new email address/), "/account/email/");
  await t.goto(base + confirmLink);
  await axe(t, "account: confirm a new email address");
  await clickAndWait(t, t.getByRole("button", { name: "Make t.reyes@alliance.example.org my address" }));
  await seen(t, "Your email address is now t.reyes@alliance.example.org.", "the new address is the account's");
}

// Rafael asks for a new email address from the password page, mistyping
// his password first; the account keeps its address until the link is
// opened.
async function askForANewAddress(m) {
  await m.goto(base + "/account/password");
  await clickAndWait(m, m.getByRole("link", { name: "Change your email address" }));
  await m.getByLabel("New email address").fill("r.mendes@alliance.example.org");
  await m.getByLabel("Current password").fill("not-my-password-at-all");
  await clickAndWait(m, m.getByRole("button", { name: "Send the link" }));
  await seen(m, "Your current password is not right.", "a wrong password is told");
  await axe(m, "account: change the email address, wrong password");
  await m.getByLabel("Current password").fill(password);
  await clickAndWait(m, m.getByRole("button", { name: "Send the link" }));
  await seen(m, "We sent a link to r.mendes@alliance.example.org.", "the link goes to the new address");
  await mailTo("r.mendes@alliance.example.org", /Confirm your new email address/);
}

// Rafael invites a manager to the Voices for Change Fellowship from the
// program's page, sends the invitation again and revokes it.
async function sendAgainAndRevoke(m) {
  await m.getByRole("link", { name: "Manage", exact: true }).click();
  await m.waitForURL(/\/manage\/?$/);
  await clickAndWait(m, m.getByRole("listitem").filter({ hasText: "Voices for Change Fellowship" })
    .getByRole("link", { name: "details and cycles" }));
  await clickAndWait(m, m.getByRole("link", { name: "Invite reviewers and managers" }));
  await m.getByLabel("Their email address").fill("");
  await m.getByLabel("Role").selectOption({ label: "Program manager" });
  await clickAndWait(m, m.getByRole("button", { name: "Send the invitation" }));
  await seen(m, "Enter the email address of the person to invite.", "an empty address is refused");
  await m.getByLabel("Their email address").fill("june.park@alliance.example.org");
  await clickAndWait(m, m.getByRole("button", { name: "Send the invitation" }));
  await seen(m, "Invitation sent to june.park@alliance.example.org to be a program manager of the Voices for Change Fellowship",
    "Rafael's invitation is sent");
  await axe(m, "manage: a program's invitations");
  await clickAndWait(m, m.getByRole("button", { name: "Send again to june.park@alliance.example.org" }));
  await seen(m, "Invitation sent again to june.park@alliance.example.org", "the invitation is sent again");
  await clickAndWait(m, m.getByRole("button", { name: "Revoke the invitation to june.park@alliance.example.org" }));
  await seen(m, "The invitation to june.park@alliance.example.org is revoked", "the invitation is revoked");
  await seen(m, "No invitation is waiting.", "the list is empty");
}

// From the manage home to the 2027 cycle, then its copy: returns the copy's
// address.
async function copyToNextYear(m) {
  await m.getByRole("link", { name: "Manage", exact: true }).click();
  await m.waitForURL(/\/manage\/?$/);
  await axe(m, "manage: programs");
  await clickAndWait(m, m.getByRole("link", { name: /^Voices for Change Fellowship: 2027 cohort/ }));
  await axe(m, "manage: the 2027 cycle");
  await clickAndWait(m, m.getByRole("link", { name: "Copy this cycle" }));
  await axe(m, "manage: copy a cycle");
  expect((await m.getByLabel("Name", { exact: true }).inputValue()) === "2028 cohort", "the copy is named 2028 cohort");
  const closes = await m.locator("#closes_date").inputValue();
  expect(/^2028-/.test(closes), "the closing date is proposed a year on: " + closes);
  await clickAndWait(m, m.getByRole("button", { name: "Create the copy" }));
  expect(/\/manage\/cycles\/\d+$/.test(m.url()), "the copy's page opens: " + m.url());
  await seen(m, "This cycle is not published", "the copy starts unpublished");
  await axe(m, "manage: the copy");
  return m.url();
}

// Closing before opening is refused; a week later is kept and on record.
async function moveTheClosingDate(m, cycleUrl) {
  await clickAndWait(m, m.getByRole("link", { name: "Change the name and dates" }));
  await axe(m, "manage: cycle dates");
  const opens = await m.locator("#opens_date").inputValue();
  const closes = await m.locator("#closes_date").inputValue();
  await m.locator("#closes_date").fill(opens.replace(/^(\d+)/, (y) => String(Number(y) - 1)));
  await clickAndWait(m, m.getByRole("button", { name: /^Save/ }));
  await seen(m, "There is a problem", "a closing before the opening is refused");
  await axe(m, "manage: cycle dates with an error");
  const later = new Date(`${closes}T12:00:00Z`);
  later.setUTCDate(later.getUTCDate() + 7);
  await m.locator("#closes_date").fill(later.toISOString().slice(0, 10));
  await clickAndWait(m, m.getByRole("button", { name: /^Save/ }));
  await seen(m, /Closing date moved from/, "the move is on record");
  await axe(m, "manage: cycle dates after a change");
  await m.goto(cycleUrl);
}

const campaign = "Have you led an advocacy campaign?";
const essay = "Tell us about the campaign you led";

// In "Your voice": a yes/no question, then an essay shown only to those who
// answered "yes", with a 300-word limit (0 is refused first); then the
// preview of that section.
async function addTheConditionalEssay(m, cycleUrl) {
  await m.goto(cycleUrl);
  await clickAndWait(m, m.getByRole("link", { name: "Application form" }));
  await axe(m, "manage: form builder");
  await m.locator("#kind-your_voice").selectOption({ label: "Yes or no" });
  await clickAndWait(m, m.getByRole("button", { name: "Add a question to “Your voice”" }));
  await axe(m, "manage: new yes/no question");
  await m.getByLabel("Question", { exact: true }).fill(campaign);
  await m.getByLabel(/^Required/).check();
  await m.getByLabel("Reviewers see the answer").check();
  await clickAndWait(m, m.getByRole("button", { name: "Save the question" }));
  await seen(m, campaign, "the yes/no question is added");
  expect(/\/form$/.test(m.url()), "back on the builder: " + m.url());

  await m.locator("#kind-your_voice").selectOption({ label: "Long text (paragraphs)" });
  await clickAndWait(m, m.getByRole("button", { name: "Add a question to “Your voice”" }));
  await m.getByLabel("Question", { exact: true }).fill(essay);
  await m.getByLabel(/^Required/).check();
  await m.getByLabel("Reviewers see the answer").check();
  await m.getByLabel("Word limit (optional)").fill("0");
  const showIf = m.getByLabel(/Show this question only when an earlier question/);
  const option = (await showIf.locator("option").allTextContents()).find((t) => t.includes(campaign));
  expect(option, "the yes/no question is offered as a condition");
  await showIf.selectOption({ label: option });
  await m.getByLabel(/has one of these answers/).fill("Yes");
  await clickAndWait(m, m.getByRole("button", { name: "Save the question" }));
  await seen(m, "There is a problem", "a word limit of 0 is refused");
  await axe(m, "manage: new question with an error");
  expect((await m.getByLabel("Question", { exact: true }).inputValue()) === essay, "the typed question is kept");
  await m.getByLabel("Word limit (optional)").fill("300");
  await clickAndWait(m, m.getByRole("button", { name: "Save the question" }));
  await seen(m, essay, "the essay is added");
  await axe(m, "manage: form builder after adding");

  await clickAndWait(m, m.getByRole("link", { name: "Preview the form as an applicant sees it" }));
  await axe(m, "manage: form preview");
  await m.goto(m.url().replace(/\/preview.*$/, "/preview/your_voice"));
  await seen(m, "nothing you type is saved", "the preview says so");
  await seen(m, campaign, "the preview shows the new question");
  await axe(m, "manage: form preview of a section");
}

// A weight that is not a number is refused; a weight of 2 is added.
async function addARubricCriterion(m, cycleUrl) {
  await m.goto(cycleUrl);
  await clickAndWait(m, m.getByRole("link", { name: "Rubric builder" }));
  await axe(m, "manage: rubric builder");
  const add = m.locator('form[action$="/rubric/criteria"]');
  await add.getByLabel("Name", { exact: true }).fill("Community partnership");
  await add.getByLabel("Guidance for reviewers").fill("Work done with communities, not for them.");
  await add.getByLabel("Lowest score", { exact: true }).fill("1");
  await add.getByLabel("Highest score", { exact: true }).fill("5");
  await add.getByLabel("Weight", { exact: true }).fill("heavy");
  await clickAndWait(m, add.getByRole("button", { name: "Add the criterion" }));
  await seen(m, "There is a problem", "a weight that is not a number is refused");
  await axe(m, "manage: rubric builder with an error");
  const again = m.locator('form[action$="/rubric/criteria"]');
  expect((await again.getByLabel("Name", { exact: true }).inputValue()) === "Community partnership", "the typed name is kept");
  await again.getByLabel("Weight", { exact: true }).fill("2");
  await clickAndWait(m, again.getByRole("button", { name: "Add the criterion" }));
  await seen(m, "Community partnership", "the criterion is added");
  expect((await m.getByRole("heading", { name: "Community partnership" }).count()) === 1, "the criterion is listed");
  await axe(m, "manage: rubric builder after adding");
}

// A blank name is refused; "Not selected" becomes "Not this year".
async function nameTheOutcomes(m, cycleUrl) {
  await m.goto(cycleUrl);
  await clickAndWait(m, m.getByRole("link", { name: "Outcomes and their names" }));
  await axe(m, "manage: outcomes");
  const declined = () => m.getByLabel(/Name of the declined outcome/);
  await declined().fill("");
  await clickAndWait(m, m.getByRole("button", { name: "Save outcome names" }));
  await seen(m, "There is a problem", "a blank outcome name is refused");
  await axe(m, "manage: outcomes with an error");
  await declined().fill("Not this year");
  await clickAndWait(m, m.getByRole("button", { name: "Save outcome names" }));
  await seen(m, "Outcome names saved.", "the outcome is renamed");
  expect((await declined().inputValue()) === "Not this year", "the new name is kept");
  await m.getByLabel("Name of the new outcome").fill("Accepted as poster");
  await m.getByLabel(/^Acts as “Accepted”/).check();
  await clickAndWait(m, m.getByRole("button", { name: "Add the outcome" }));
  expect((await m.getByRole("button", { name: "Remove “Accepted as poster”" }).count()) === 1, "the poster outcome is added");
  await axe(m, "manage: outcomes with an added one");
}

async function openNow(m, cycleUrl) {
  await m.goto(cycleUrl);
  await m.getByLabel(/Open it now instead/).check();
  await clickAndWait(m, m.getByRole("button", { name: "Open this cycle" }));
  await seen(m, /applicants can apply until/, "the cycle is open");
  await axe(m, "manage: the cycle opened");
}

// The award's first cycle: a new cycle with the nomination starter form,
// opened now.
async function setUpTheAward(m) {
  await m.goto(base + "/manage");
  await clickAndWait(m, m.getByRole("link", { name: "New cycle of Social Mission Award" }));
  await axe(m, "manage: new cycle");
  const year = new Date().getUTCFullYear() + 1;
  await m.getByLabel("Name", { exact: true }).fill(`${year} award`);
  await m.getByLabel("Time zone").fill("America/Chicago");
  const dates = { opens: `${year}-01-04`, closes: `${year}-03-01`, letters_due: `${year}-03-15`, decisions: `${year}-05-01` };
  for (const [key, date] of Object.entries(dates)) {
    await m.locator(`#${key}_date`).fill(date);
    await m.locator(`#${key}_time`).fill("17:00");
  }
  await m.getByLabel(/grace period/).fill("48");
  await clickAndWait(m, m.getByRole("button", { name: /^Create/ }));
  expect(/\/manage\/cycles\/\d+$/.test(m.url()), "the award's cycle is created: " + m.url());
  await axe(m, "manage: the award's cycle");
  await m.getByLabel(/Open it now instead/).check();
  await clickAndWait(m, m.getByRole("button", { name: "Open this cycle" }));
  await seen(m, /applicants can apply until/, "the award's cycle is open");
}

// A new applicant finds the calls and applies to the 2028 cycle.
async function applyToTheNewCycle(a) {
  await a.goto(base + "/");
  await axe(a, "home with the new calls");
  const award = a.getByRole("listitem").filter({ has: a.getByRole("heading", { name: "Social Mission Award" }) });
  expect(/open until/.test(await award.innerText()), "the award's call is open on the home page");
  expect((await award.getByRole("link", { name: /^Nominate/ }).count()) === 1, "the award says Nominate");
  await clickAndWait(a, a.getByRole("link", { name: /Dates, eligibility and contact for the Social Mission Award/ }));
  await seen(a, "Anyone may nominate a graduate of an alliance program.", "the program page shows the eligibility");
  await axe(a, "program page");

  const email = `noor.${Date.now()}@example.edu`;
  await registerAndConfirm(a, "Noor Haddad", email, password);
  await logIn(a, email, password);
  expect(new URL(a.url()).pathname === "/apply", "an applicant lands on their applications: " + a.url());
  await axe(a, "applications with two cycles open");
  await clickAndWait(a, a.getByRole("link", { name: /Apply to the Voices for Change Fellowship, 2028 cohort/ }));
  await axe(a, "eligibility of the 2028 cycle");
  await a.getByLabel(/currently enrolled/).check();
  await clickAndWait(a, a.getByRole("button", { name: "Continue" }));
  await axe(a, "section: contact (2028)");
  await saveAndContinue(a);
  await a.getByLabel(/School, college or university/).fill("University of New Mexico");
  await a.getByLabel("Nursing", { exact: true }).check();
  await saveAndContinue(a);

  // The essay appears only once "Yes" is chosen.
  await a.getByLabel("Immigrant health", { exact: true }).check();
  await a.getByLabel(/A story that moved you to act/).fill("My grandmother's clinic visits taught me to listen. ".repeat(6));
  const essayBox = a.getByLabel(new RegExp(essay));
  expect(!(await essayBox.isVisible()), "the essay is hidden before the answer");
  await axe(a, "section: your voice (2028)");
  const asked = a.locator("fieldset").filter({ hasText: campaign });
  await asked.getByLabel("Yes", { exact: true }).check();
  await essayBox.waitFor({ state: "visible" });
  await essayBox.fill(Array.from({ length: 301 }, (_, i) => `word${i}`).join(" "));
  await saveAndContinue(a);
  // Saving keeps every answer; the review page says what must change.
  await clickAndWait(a, a.getByRole("link", { name: "Review and submit" }));
  const problems = (await a.locator(".problems li").allTextContents()).join(" | ");
  expect(problems.includes(essay) && /has 301 words; the limit is 300/.test(problems), "the review names the essay's limit: " + problems);
  await axe(a, "review with too many words");
  await a.goto(a.url().replace(/\/review$/, "/sections/your_voice"));
  const box = a.getByLabel(new RegExp(essay));
  expect(await box.isVisible(), "the essay is shown again, with its answer");
  await box.fill(Array.from({ length: 300 }, (_, i) => `word${i}`).join(" "));
  await saveAndContinue(a);

  await a.locator('input[type="file"]').first().setInputFiles(pdfFile("Noor Haddad writing sample.pdf", "an op-ed"));
  await saveAndContinue(a);
  await clickAndWait(a, a.getByRole("link", { name: /Name or change your referees/ }));
  const form = a.locator("form.referee-form:visible").first();
  await form.getByLabel("Full name").fill("Dr. Lucia Ramos");
  await form.getByLabel("Email address").fill("lucia.referee@example.org");
  await form.getByLabel("How do you know them?").fill("Organizer I worked with");
  await form.getByLabel(/Yes, I waive/).check();
  await form.getByRole("button", { name: "Send the request" }).click();
  await seen(a, "We sent Dr. Lucia Ramos a request", "the referee is asked");
  await a.goto(a.url().replace(/\/referees$/, "/review"));
  const left = await a.locator(".problems li").allTextContents();
  expect(left.length === 0, "nothing left to do, but: " + left.join(" | "));
  await a.getByRole("button", { name: "Submit my application" }).click();
  await seen(a, "Your application is submitted", "the application to the 2028 cycle is submitted");
  await axe(a, "application to the 2028 cycle submitted");
  focus(a);
}
