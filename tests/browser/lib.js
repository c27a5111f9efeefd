// What the browser journeys share: the command line (base address, mail
// folder, the first admin's address and one-time password), axe-core on
// every page checked (and, with JOURNEY_SCREENSHOTS, screenshots at 1280
// and 360 px), reading mail from the mail folder, and the steps every
// journey takes (register, log in, the first admin's password).
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require("playwright-core");
const { AxeBuilder } = require("@axe-core/playwright");

const base = process.argv[2];
const mailDir = process.argv[3];
const adminEmail = process.argv[4];
const adminOtp = process.argv[5];
if (!base || !mailDir || !adminEmail || !adminOtp) {
  console.error(`usage: node ${path.relative(process.cwd(), process.argv[1])} <base url> <mail folder> <admin email> <admin one-time password>`);
  process.exit(2);
}

const started = Date.now();
const violations = [];
// Pages wider than a 360 px phone (a failure, like a violation).
const wideOnPhone = [];
let checked = 0;
// The page acted on last, for the failure message and screenshot.
let current = null;

// Makes `page` the one a failure is reported on.
function focus(page) {
  current = page;
}

async function axe(page, name) {
  current = page;
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  checked += 1;
  for (const v of result.violations) {
    violations.push(`${name} (${page.url()}): ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  }
  // With JOURNEY_SCREENSHOTS=<folder>, every checked page is kept at 1280
  // and 360 pixels wide. Every checked page is also measured at 360 px: a
  // page wider than the phone's screen fails.
  const folder = process.env.JOURNEY_SCREENSHOTS;
  const size = page.viewportSize() || { width: 1280, height: 800 };
  const file = `${String(checked).padStart(2, "0")}-${name.replace(/[^a-z0-9]+/gi, "-")}`;
  for (const width of folder ? [1280, 360] : [360]) {
    await page.setViewportSize({ width, height: 800 });
    if (folder) {
      await page.screenshot({ path: path.join(folder, `${file}-${width}.png`), fullPage: true });
    }
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width === 360 && wide > 360) {
      const culprits = await page.evaluate(() => [...document.querySelectorAll("body *")]
        .filter((e) => e.getBoundingClientRect().right > 361)
        .filter((e) => ![...e.children].some((c) => c.getBoundingClientRect().right > 361))
        .slice(0, 3)
        .map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${e.className ? "." + String(e.className).split(" ").join(".") : ""} (${Math.round(e.getBoundingClientRect().right)} px)`));
      wideOnPhone.push(`${name} (${page.url()}): ${wide} px wide at 360 px: it scrolls sideways (${culprits.join(", ")})`);
    }
  }
  await page.setViewportSize(size);
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

// Waits for the page after a click that submits a form or follows a link.
async function clickAndWait(page, locator) {
  await Promise.all([page.waitForEvent("load"), locator.click()]);
}

// A new browser (own cookies) with one page.
async function newBrowserPage(browser) {
  const context = await browser.newContext();
  const p = await context.newPage();
  current = p;
  return p;
}

// Registers and confirms an account through the forms and the mailed link.
async function registerAndConfirm(p, name, mail, pw) {
  current = p;
  await p.goto(base + "/account/register");
  await p.getByLabel("Full name").fill(name);
  await p.getByLabel("Email address").fill(mail);
  await p.getByLabel("Password", { exact: true }).fill(pw);
  await p.getByLabel("Password again").fill(pw);
  await p.getByRole("button", { name: "Create account" }).click();
  await seen(p, "with a link to activate your account", `${name} registers`);
  await p.goto(base + linkIn(await mailTo(mail, /Confirm your email/), "/account/confirm/"));
  await seen(p, "Your email address is confirmed", `${name} confirms`);
}

async function logIn(p, mail, pw) {
  current = p;
  await p.goto(base + "/account/login");
  await p.getByLabel("Email address").fill(mail);
  await p.getByLabel("Password").fill(pw);
  await clickAndWait(p, p.getByRole("button", { name: "Log in" }));
  expect(!/\/account\/login/.test(p.url()), `${mail} is logged in (still on ${p.url()})`);
}

// A date `days` from today, as a date input takes it.
function dateIn(days) {
  const d = new Date(Date.now() + days * 86400000);
  return d.toISOString().slice(0, 10);
}

// Headless Debian Chromium.
async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}

// Runs `steps(browser)`; on failure keeps a screenshot of the page acted on
// last and exits 1; then fails on any accessibility violation, or prints
// "<name> passed ... axe found no violations on N pages".
async function run(name, steps) {
  const browser = await launch();
  try {
    await steps(browser);
  } catch (e) {
    const at = current;
    if (at) {
      await at.screenshot({ path: path.join(os.tmpdir(), `${name}-failure.png`), fullPage: true }).catch(() => {});
    }
    console.error(`${name} failed at ${at ? at.url() : "the start"}: ${e.message}`);
    await browser.close();
    process.exit(1);
  }
  await browser.close();
  if (wideOnPhone.length) {
    console.error(`${wideOnPhone.length} page(s) scroll sideways on a 360 px phone:\n` + wideOnPhone.join("\n"));
    process.exit(1);
  }
  if (violations.length) {
    console.error(`${violations.length} accessibility violation(s) on ${checked} pages:\n` + violations.join("\n"));
    process.exit(1);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`${name} passed in ${seconds} s; axe found no violations on ${checked} pages`);
}

// The first admin logs in with the one-time password and chooses their own.
async function firstAdmin(browser, adminPassword) {
  const admin = await newBrowserPage(browser);
  await admin.goto(base + "/account/login");
  await admin.getByLabel("Email address").fill(adminEmail);
  await admin.getByLabel("Password").fill(adminOtp);
  await clickAndWait(admin, admin.getByRole("button", { name: "Log in" }));
  expect(new URL(admin.url()).pathname === "/account/password", "a one-time password leads to /account/password, not " + admin.url());
  await seen(admin, "Choose your own password", "the admin is asked to choose a password");
  await axe(admin, "choose a password");
  if (await admin.getByLabel("Current password").count()) {
    await admin.getByLabel("Current password").fill(adminOtp);
  }
  await admin.getByLabel("New password", { exact: true }).fill(adminPassword);
  await admin.getByLabel("New password again").fill(adminPassword);
  await clickAndWait(admin, admin.getByRole("button", { name: "Save the new password" }));
  await seen(admin, "Your password has been changed", "the admin's password is changed");
  return admin;
}

module.exports = {
  base, adminEmail, adminOtp, axe, seen, expect, mailTo, linkIn, pdfFile, saveAndContinue, clickAndWait,
  newBrowserPage, registerAndConfirm, logIn, dateIn, focus, run, firstAdmin,
};
