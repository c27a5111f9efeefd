// End-to-end: an applicant registers, confirms, applies to the Health
// Justice Fellowship (eligibility, every section, a CV upload, two
// referees), submits; a referee uploads a letter; the applicant sees it
// arrived. axe-core (WCAG 2.1 A and AA rules) runs on every page visited;
// any violation fails the run.
//
//   node tests/browser/journey.js <base url> <mail folder>
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require("playwright-core");
const { AxeBuilder } = require("@axe-core/playwright");

const base = process.argv[2];
const mailDir = process.argv[3];
if (!base || !mailDir) {
  console.error("usage: node tests/browser/journey.js <base url> <mail folder>");
  process.exit(2);
}

const violations = [];
let checked = 0;

async function axe(page, name) {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  checked += 1;
  for (const v of result.violations) {
    violations.push(`${name} (${page.url()}): ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  }
}

// Waits (up to 10 s) for `text` to be visible; fails with `message`.
async function seen(page, text, message) {
  try {
    await page.getByText(text).first().waitFor({ state: "visible", timeout: 10000 });
  } catch (e) {
    throw new Error(message + " (did not see: " + text + ")");
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

// The newest .eml file to `to` whose text matches `pattern`; returns the
// decoded body.
async function mailTo(to, pattern) {
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    const files = fs.existsSync(mailDir) ? fs.readdirSync(mailDir).filter((f) => f.endsWith(".eml")) : [];
    const bodies = files
      .map((f) => ({ f, t: fs.statSync(path.join(mailDir, f)).mtimeMs }))
      .sort((a, b) => b.t - a.t)
      .map(({ f }) => decode(fs.readFileSync(path.join(mailDir, f), "utf8")));
    const hit = bodies.find((b) => b.includes(to) && pattern.test(b));
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no mail to ${to} matching ${pattern}`);
}

function decode(raw) {
  // Quoted-printable soft breaks and escapes, enough to read links back.
  return raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

function linkIn(text, pathPart) {
  const m = text.match(new RegExp("https?://[^\\s\"<>]*" + pathPart.replace(/\//g, "\\/") + "[^\\s\"<>]*"));
  expect(m, `no link to ${pathPart} in mail`);
  return new URL(m[0]).pathname;
}

function pdfFile(name, words) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "journey-")), name);
  const body = `%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${words}\ntrailer << /Root 1 0 R >>\n%%EOF\n`;
  fs.writeFileSync(file, body);
  return file;
}

// Saves a section and waits for the next page (uploads go through a script
// that navigates when the upload finishes).
async function saveAndContinue(page) {
  const before = page.url();
  await page.getByRole("button", { name: /^Save and (continue|review)$/ }).click();
  await page.waitForURL((url) => url.toString() !== before);
  await page.waitForLoadState("load");
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  const context = await browser.newContext();
  const page = await context.newPage();
  const email = `maya.${Date.now()}@example.edu`;
  const password = "plum-kettle-orbit-sage";
  try {
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
    await seen(page, "We sent a confirmation link", "registration sends a link");
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
    expect((await page.getByLabel(/legal name/i).inputValue()) === "Maya Chen", "the name is pre-filled");
    await page.getByLabel(/city/i).fill("Baltimore");
    await page.getByLabel(/state/i).fill("MD");
    await saveAndContinue(page);
    // Education
    await axe(page, "section: education");
    await page.getByLabel(/School|institution/i).first().fill("Johns Hopkins School of Nursing");
    await page.getByLabel("Nursing", { exact: true }).check();
    await page.getByLabel(/Degree/).first().fill("BSN");
    await page.getByLabel(/graduat/i).first().fill("2027-05-31");
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
  } catch (e) {
    await page.screenshot({ path: path.join(os.tmpdir(), "journey-failure.png"), fullPage: true }).catch(() => {});
    console.error(`journey failed at ${page.url()}: ${e.message}`);
    await browser.close();
    process.exit(1);
  }
  await browser.close();
  if (violations.length) {
    console.error(`${violations.length} accessibility violation(s) on ${checked} pages:\n` + violations.join("\n"));
    process.exit(1);
  }
  console.log(`journey passed; axe found no violations on ${checked} pages`);
})();
