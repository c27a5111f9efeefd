"""Speaking to a running fellowship-portal as applicants' browsers do.

Shared by `bench/crash-drill` and `bench/submission-load`. Standard library
only, so the scripts run with nothing installed.

- `Server`: starts the release binary from the project folder (it reads
  `templates/` and `static/` from there) on a data folder, a database and a
  port; stops it, kills it, reads its memory from /proc.
- `Database`: a fresh SQLite file or a PostgreSQL database created and
  dropped for the run, and read-only queries on it (sqlite3 / psql).
- `Browser`: one cookie jar; requests without following redirects, so the
  caller sees each 303 and its Location; every answer is counted in a
  shared `Stats`, each 5xx with the text of its page.
- `Mailbox`: the `.eml` files the portal writes in `<data dir>/mail/` when
  no SMTP server is configured, parsed once each.
- `Applicant`: one person's journey (register, confirm from the mail, log
  in, start an application, answer every section from the form definition
  in `forms/<slug>.json`, upload PDFs as multipart, name referees, submit),
  each step retried as a person would when the server is gone (connection
  refused or reset), their session has ended, or a page answered 5xx.
- `check_submissions`: whether what the server acknowledged is stored whole
  (answers, referees, documents with their size and SHA-256, the files
  themselves) and mailed exactly once.
"""

import email
import email.policy
import hashlib
import itertools
import http.client
import http.cookiejar
import json
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "plum-kettle-orbit-sage"
SUBMITTED_SUBJECT = "Your application to the {program} was submitted"
CONFIRM_SUBJECT = "Confirm your email address for the application portal"
PROGRAM_NAMES = {
    "health-justice": "Health Justice Fellowship",
    "voices-for-change": "Voices for Change Fellowship",
    "summer-internship": "Summer Internship Program",
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mib(kb):
    return kb / 1024.0


# ---------------------------------------------------------------- server


class Server:
    """The portal binary, started from the project folder."""

    def __init__(self, binary, data_dir, database_url, port, log_path, env=None):
        self.binary = binary
        self.data_dir = data_dir
        self.database_url = database_url
        self.port = port
        self.log_path = log_path
        self.extra_env = dict(env or {})
        self.proc = None
        self.base = f"http://127.0.0.1:{port}"

    def env(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ROCKET_", "PORTAL_"))}
        env.pop("DATABASE_URL", None)
        env.update(
            PORTAL_DATA_DIR=self.data_dir,
            DATABASE_URL=self.database_url,
            ROCKET_ADDRESS="127.0.0.1",
            ROCKET_PORT=str(self.port),
            PORTAL_SECURE_COOKIES="false",
            PORTAL_BASE_URL=self.base,
            # As behind a reverse proxy: each browser below names its own
            # address, as people on the internet come from theirs. From
            # one address, the limit on mail asked for per client address
            # (20 an hour) would stop every run after a few accounts.
            ROCKET_IP_HEADER="X-Real-IP",
        )
        env.update(self.extra_env)
        return env

    def run(self, *args, check=True):
        """Runs a command of the binary (e.g. seed-demo) to its end; returns its output."""
        out = subprocess.run(
            [self.binary, *args], cwd=ROOT, env=self.env(), capture_output=True, text=True
        )
        if check and out.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({out.returncode}): {out.stderr or out.stdout}")
        return out.stdout + out.stderr

    def start(self, timeout=120):
        """Starts `serve` and waits until /healthz answers 200."""
        log = open(self.log_path, "ab")
        log.write(f"--- start at {time.strftime('%H:%M:%S')}\n".encode())
        log.flush()
        self.proc = subprocess.Popen(
            [self.binary], cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"the server did not answer /healthz within {timeout} s")

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        """SIGKILL: nothing is flushed, nothing is finished."""
        if self.alive():
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self):
        """SIGTERM, then SIGKILL if it has not ended in 20 s."""
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def status_kb(self, key):
        """`VmRSS`, `VmHWM`... of the running server, in kB (or the number,
        for `Threads`; None if gone)."""
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith(key + ":"):
                        return int(line.split()[1])
        except (OSError, AttributeError):
            return None
        return None

    def log_lines(self, start=0):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(start)
                return f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return []


class MemorySampler(threading.Thread):
    """Samples the server's VmRSS every `every` seconds."""

    def __init__(self, server, every=0.25):
        super().__init__(daemon=True)
        self.server, self.every = server, every
        self.samples = []  # (seconds since start, kB)
        self.threads = 0  # the most threads seen at once
        self.stopped = threading.Event()
        self.t0 = time.monotonic()

    def run(self):
        while not self.stopped.is_set():
            kb = self.server.status_kb("VmRSS")
            if kb is not None:
                self.samples.append((time.monotonic() - self.t0, kb))
                self.threads = max(self.threads, self.server.status_kb("Threads") or 0)
            self.stopped.wait(self.every)

    def stop(self):
        self.stopped.set()
        self.join()

    def peak_kb(self):
        return max((kb for _, kb in self.samples), default=0)

    def timeline(self, points=8):
        """A few (second, MiB) points spread over the run, for the report."""
        if not self.samples:
            return []
        step = max(1, len(self.samples) // points)
        chosen = self.samples[::step]
        if chosen[-1] is not self.samples[-1]:
            chosen.append(self.samples[-1])
        return [(round(t), round(mib(kb))) for t, kb in chosen]


# -------------------------------------------------------------- database


class Database:
    """The run's database: a SQLite file in the data folder, or a fresh
    PostgreSQL database on the server of `admin_url`, dropped by `drop()`."""

    def __init__(self, kind, data_dir, admin_url="postgres://postgres@127.0.0.1:5432/postgres", name=None):
        self.kind = kind
        self.admin_url = admin_url
        if kind == "sqlite":
            self.path = os.path.join(data_dir, "portal.sqlite")
            self.url = f"sqlite://{self.path}"
        elif kind == "postgres":
            self.name = name or f"portal_bench_{os.getpid()}_{random.randrange(1 << 30)}"
            base = admin_url.split("?")[0].rsplit("/", 1)[0]
            self.url = f"{base}/{self.name}"
        else:
            raise ValueError(f"--db takes sqlite or postgres, not {kind!r}")

    def create(self):
        if self.kind == "postgres":
            self._psql(self.admin_url, f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
            self._psql(self.admin_url, f"CREATE DATABASE {self.name}")

    def drop(self):
        if self.kind == "postgres":
            self._psql(self.admin_url, f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")

    @staticmethod
    def _psql(url, sql):
        out = subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-F", "\x1f", "-R", "\x1e", url, "-c", sql],
            capture_output=True, text=True,
        )
        if out.returncode != 0:
            raise RuntimeError(f"psql: {out.stderr.strip()}")
        return out.stdout

    def query(self, sql):
        """Rows of `sql` as tuples of strings (None for NULL on SQLite, '' on
        PostgreSQL: compare accordingly). Read-only on SQLite."""
        if self.kind == "sqlite":
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
            try:
                return [tuple(None if v is None else str(v) for v in row) for row in con.execute(sql)]
            finally:
                con.close()
        text = self._psql(self.url, sql)
        rows = [r for r in text.split("\x1e") if r != ""]
        return [tuple(r.rstrip("\n").split("\x1f")) for r in rows]

    def scalar(self, sql):
        rows = self.query(sql)
        return rows[0][0] if rows else None


# ------------------------------------------------------------------- http


class Down(Exception):
    """The server could not be reached, or dropped the connection."""


class ServerError(Exception):
    """A 5xx answer."""

    def __init__(self, page):
        super().__init__(f"{page.method} {page.path} answered {page.status}: {page.text()[:200]}")
        self.page = page


class LoggedOut(Exception):
    """A page sent the browser to the login form: the session is gone."""


class Unexpected(Exception):
    """The portal answered something a working journey never sees."""


@dataclass
class Page:
    method: str
    path: str
    status: int
    location: str
    body: str
    seconds: float

    def text(self):
        """The page's words: headings and paragraphs of the main content."""
        main = self.body.split("<main", 1)[-1]
        main = main.split(">", 1)[-1] if "<main" in self.body else main
        main = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", main, flags=re.S)
        words = re.sub(r"<[^>]+>", " ", main)
        words = re.sub(r"&#x27;|&#39;", "'", words).replace("&quot;", '"').replace("&amp;", "&")
        return re.sub(r"\s+", " ", words).strip()

    def token(self):
        m = re.search(r'name="csrf_token" value="([^"]+)"', self.body)
        if not m:
            raise Unexpected(f"no CSRF token on {self.path} ({self.status})")
        return m.group(1)

    def location_path(self):
        return urllib.parse.urlsplit(self.location).path if self.location else ""


def scrub(line):
    """A server log line with the secrets of mailed links (confirmation and
    reset tokens) and the ids in paths replaced, to group and to print."""
    line = re.sub(r"/(confirm|reset)/[A-Za-z0-9_-]+", r"/\1/<token>", line)
    return re.sub(r"/\d+(?=[/:\s?]|$)", "/<id>", line)


def route_of(path):
    """A path with its ids and tokens replaced, to group requests."""
    path = path.split("?")[0]
    path = re.sub(r"/confirm/[^/]+$", "/confirm/<token>", path)
    return re.sub(r"/\d+(?=/|$)", "/<id>", path)


class Stats:
    """Every answer of every browser of a run (thread-safe)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.by_status = {}
        self.down = 0
        self.errors = []  # (time, method, route, status, text)
        self.latency = {}  # route -> [seconds]

    def record(self, page):
        with self.lock:
            self.requests += 1
            self.by_status[page.status] = self.by_status.get(page.status, 0) + 1
            self.latency.setdefault(f"{page.method} {route_of(page.path)}", []).append(page.seconds)
            if page.status >= 500:
                self.errors.append((time.time(), page.method, route_of(page.path), page.status, page.text()[:300]))

    def record_down(self):
        with self.lock:
            self.down += 1

    def count_5xx(self):
        return sum(n for s, n in self.by_status.items() if s >= 500)

    def errors_by_route(self):
        """{(method route, status): (count, texts seen)}"""
        out = {}
        for _, method, route, status, text in self.errors:
            n, texts = out.get((f"{method} {route}", status), (0, set()))
            texts.add(text)
            out[(f"{method} {route}", status)] = (n + 1, texts)
        return out


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_addresses = itertools.count(1)
_addresses_lock = threading.Lock()


def next_address():
    """An address of the documentation range 198.18.0.0/15 (benchmarks), one per browser."""
    with _addresses_lock:
        n = next(_addresses)
    return f"198.{18 + (n >> 16) % 2}.{(n >> 8) & 255}.{n & 255}"


class Browser:
    """One person's browser: a cookie jar, an address of its own, and pages
    fetched one at a time."""

    def __init__(self, base, stats, timeout=60):
        self.base = base
        self.stats = stats
        self.timeout = timeout
        self.address = next_address()
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(self, method, path, body=None, content_type=None):
        headers = {"User-Agent": "portal-bench", "Accept": "text/html", "X-Real-IP": self.address}
        if content_type:
            headers["Content-Type"] = content_type
        req = urllib.request.Request(self.base + path, data=body, headers=headers, method=method)
        t0 = time.monotonic()
        try:
            try:
                r = self.opener.open(req, timeout=self.timeout)
            except urllib.error.HTTPError as e:
                r = e
            with r:
                raw = r.read()
                status = r.status if hasattr(r, "status") else r.code
                location = r.headers.get("Location", "")
        except (urllib.error.URLError, OSError, http.client.HTTPException) as e:
            self.stats.record_down()
            raise Down(f"{method} {path}: {e}") from None
        page = Page(method, path, status, location, raw.decode("utf-8", "replace"), time.monotonic() - t0)
        self.stats.record(page)
        return page

    def get(self, path):
        page = self.request("GET", path)
        if page.status == 303 and page.location_path() == "/account/login":
            raise LoggedOut(path)
        if page.status >= 500:
            raise ServerError(page)
        return page

    def post_form(self, path, token, fields):
        body = urllib.parse.urlencode([("csrf_token", token), *fields]).encode()
        return self._checked(self.request("POST", path, body, "application/x-www-form-urlencoded"))

    def post_multipart(self, path, token, fields, files):
        boundary = "----portal-bench-" + "".join(random.choices("0123456789abcdef", k=24))
        out = bytearray()
        for name, value in [("csrf_token", token), *fields]:
            out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            out += value.encode() + b"\r\n"
        for name, file_name, data in files:
            out += (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{file_name}"\r\n'
                "Content-Type: application/pdf\r\n\r\n"
            ).encode()
            out += data + b"\r\n"
        out += f"--{boundary}--\r\n".encode()
        return self._checked(self.request("POST", path, bytes(out), f"multipart/form-data; boundary={boundary}"))

    @staticmethod
    def _checked(page):
        if page.status >= 500:
            raise ServerError(page)
        if page.status == 303 and page.location_path() == "/account/login" and not page.path.startswith("/account/"):
            raise LoggedOut(page.path)
        return page


# ------------------------------------------------------------------- mail


@dataclass
class Mail:
    file: str
    to: str
    subject: str
    message_id: str
    text: str


class Mailbox:
    """The `.eml` files of a data folder, each parsed once (again if it grows)."""

    def __init__(self, mail_dir):
        self.dir = mail_dir
        self.lock = threading.Lock()
        self.seen = {}  # file -> (size, Mail)

    def scan(self):
        with self.lock:
            try:
                names = [n for n in os.listdir(self.dir) if n.endswith(".eml")]
            except FileNotFoundError:
                return []
            for name in names:
                path = os.path.join(self.dir, name)
                try:
                    size = os.path.getsize(path)
                except OSError:
                    continue
                if name in self.seen and self.seen[name][0] == size:
                    continue
                with open(path, "rb") as f:
                    raw = f.read()
                self.seen[name] = (size, parse_mail(name, raw))
            return [m for _, m in self.seen.values()]

    def to(self, address, subject):
        return [m for m in self.scan() if m.to == address.lower() and m.subject == subject]


def parse_mail(name, raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    text = ""
    try:
        part = msg.get_body(preferencelist=("plain",))
        if part is not None:
            text = part.get_content()
    except (KeyError, LookupError, ValueError):
        text = ""
    to = str(msg.get("To", "")).strip()
    m = re.search(r"<([^>]+)>", to)
    return Mail(name, (m.group(1) if m else to).lower(), str(msg.get("Subject", "")), str(msg.get("Message-ID", "")), text)


def link_path(text, part):
    m = re.search(r"https?://\S*" + re.escape(part) + r"[^\s\"<>]*", text)
    return urllib.parse.urlsplit(m.group(0)).path if m else None


# ------------------------------------------------------------ what to send


def load_form(slug):
    with open(os.path.join(ROOT, "forms", f"{slug}.json")) as f:
        return json.load(f)


WORDS = (
    "clinic housing health community care equity neighbourhood barbershop blood pressure nurse "
    "policy advocacy research mentor student family rural access language trust café école"
).split()


def pdf_bytes(rng, label):
    """A small PDF (2 to 60 KiB) whose bytes are this applicant's own."""
    lines = [f"% {label}"]
    target = rng.randrange(2 * 1024, 60 * 1024)
    size = 0
    while size < target:
        line = "% " + " ".join(rng.choice(WORDS) for _ in range(12))
        lines.append(line)
        size += len(line.encode()) + 1
    body = "\n".join(lines)
    return (
        f"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        f"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n{body}\n"
        f"trailer << /Root 1 0 R >>\n%%EOF\n"
    ).encode()


@dataclass
class Plan:
    """Everything one applicant sends for one application, and what the
    database must hold afterwards."""

    slug: str
    eligibility: list  # (field, value)
    sections: list  # (section key, fields [(name, value)], files [(name, file name, bytes)])
    referees: list  # (question, position, name, email)
    answers: dict  # question key -> stored answer (str or list)
    documents: dict  # question key -> (file name, bytes)


def plan_application(slug, name, address, rng):
    form = load_form(slug)
    eligibility = [(f"e[{q['key']}]", q["eligible"][0]) for q in form.get("eligibility", [])]
    sections, referees, answers, documents = [], [], {}, {}
    n = rng.randrange(10**6)
    for s in form["sections"]:
        fields, files = [], []
        for q in s["questions"]:
            key, kind = q["key"], q["type"]
            if q.get("show_if"):
                continue  # the choices made below never show it
            value = None
            if kind == "short_text":
                limit = q.get("max_chars", 100)
                value = {"name": name, "preferred_name": name.split()[0], "pronouns": "they/them",
                         "phone": "+1 410 555 0100"}.get(q.get("profile") or "", f"{key.replace('_', ' ')} {n} Zoë")[:limit]
                if key == "legal_name":
                    value = name
            elif kind == "email":
                value = address
            elif kind == "long_text":
                words = min(q.get("max_words", 200), rng.randrange(30, 90))
                value = " ".join(rng.choice(WORDS) for _ in range(words)) + f" ({n})"
            elif kind == "url":
                value = f"https://example.org/portfolio/{n}"
            elif kind == "date":
                value = {"available_until": "2027-08-31", "available_from": "2027-06-01"}.get(key, "2027-05-31")
            elif kind == "number":
                lo = q.get("min", 1)
                value = str(int(lo) if q.get("integer") else lo)
            elif kind == "yes_no":
                value = "yes"
            elif kind == "single_choice":
                options = [o["value"] for o in q["options"] if o["value"] != "other"]
                value = options[n % len(options)]
            elif kind == "multiple_choice":
                options = [o["value"] for o in q["options"]]
                k = max(1, q.get("min", 1))
                k = min(k + 1, q.get("max", k + 1), len(options))
                chosen = rng.sample(options, k)
                fields.append((f"a[{key}]", ""))  # the form's hidden empty value
                fields.extend((f"a[{key}]", v) for v in chosen)
                answers[key] = [v for v in options if v in chosen]
            elif kind == "document":
                data = pdf_bytes(rng, f"{slug} {key} {address}")
                file_name = f"{name} {key}.pdf"
                files.append((f"f[{key}]", file_name, data))
                documents[key] = (file_name, data)
            elif kind == "referees":
                for position in range(1, q.get("min", 1) + 1):
                    referees.append((key, position, f"Dr. Referee {position} of {n}",
                                     f"referee{position}.{n}.{rng.randrange(10**6)}@example.org"))
            else:
                raise Unexpected(f"{slug}: question type {kind} is not known to the benchmark")
            if value is not None:
                fields.append((f"a[{key}]", value))
                answers[key] = value.strip()
        if fields or files:
            sections.append((s["key"], fields, files))
    return Plan(slug, eligibility, sections, referees, answers, documents)


# -------------------------------------------------------------- a person


@dataclass
class Outcome:
    """What one applicant's browser saw."""

    address: str
    slug: str
    application_id: int = None
    acknowledged: bool = False  # the submit answered its success redirect
    found_submitted: bool = False  # a retried submit found it already submitted
    failed: str = ""  # why the journey stopped, if it did
    plan: Plan = None
    steps: dict = field(default_factory=dict)  # step -> attempts


class Applicant:
    """One person applying, as a patient user would: every step re-opens its
    page and tries again when the server is gone, the session has ended or
    the page answered 5xx, until `deadline` (monotonic seconds)."""

    def __init__(self, base, stats, mailbox, address, name, slug, rng, deadline, mail_wait=20.0, timeout=60):
        self.b = Browser(base, stats, timeout=timeout)
        self.mailbox = mailbox
        self.address, self.name, self.slug = address, name, slug
        self.rng = rng
        self.deadline = deadline
        self.mail_wait = mail_wait
        self.out = Outcome(address, slug)
        self.cycles = {}

    # Each step is a function of no arguments that raises Down, LoggedOut or
    # ServerError to be tried again.
    def step(self, name, fn):
        attempt = 0
        while True:
            attempt += 1
            self.out.steps[name] = attempt
            if time.monotonic() > self.deadline:
                raise TimeoutError(f"out of time at {name} (attempt {attempt})")
            try:
                return fn()
            except Down:
                time.sleep(self.rng.uniform(0.2, 0.8))
            except ServerError:
                time.sleep(self.rng.uniform(0.3, 1.0))
            except LoggedOut:
                if name == "log in":
                    raise Unexpected("the login form sent us to the login form")
                self.step("log in", self._login)

    def run(self, until_submitted=True):
        try:
            self.step("register", self._register)
            self.step("confirm", self._confirm)
            self.step("log in", self._login)
            plan = plan_application(self.slug, self.name, self.address, self.rng)
            self.out.plan = plan
            app = self.step("start", lambda: self._start(plan))
            self.out.application_id = app
            for key, fields, files in plan.sections:
                self.step(f"section {key}", lambda k=key, f=fields, fs=files: self._section(app, k, f, fs))
            for question, position, name, address in plan.referees:
                self.step(f"referee {position}", lambda q=question, p=position, n=name, a=address:
                          self._referee(app, q, p, n, a))
            if until_submitted:
                self.step("submit", lambda: self._submit(app))
        except (Unexpected, TimeoutError) as e:
            self.out.failed = str(e)
        return self.out

    def _register(self):
        page = self.b.get("/account/register")
        answer = self.b.post_form("/account/register", page.token(), [
            ("name", self.name), ("email", self.address), ("password", PASSWORD), ("password_confirm", PASSWORD)])
        if answer.status == 303 and answer.location_path() == "/account/login":
            return
        if answer.status == 422 and "already exists" in answer.body:
            return  # an earlier try was stored, its answer lost
        if answer.status == 403:
            raise Down("CSRF token refused; open the page again")
        raise Unexpected(f"register answered {answer.status}: {answer.text()[:200]}")

    def _confirm(self):
        # The link from the newest mail; if none arrives in time, ask again
        # (the worker may have been killed holding the message).
        waited = time.monotonic()
        while True:
            mails = self.mailbox.to(self.address, CONFIRM_SUBJECT)
            if mails:
                break
            if time.monotonic() - waited > self.mail_wait:
                page = self.b.get("/account/login")
                self.b.post_form("/account/confirm/resend", page.token(), [("email", self.address)])
                waited = time.monotonic()
            if time.monotonic() > self.deadline:
                raise TimeoutError("no confirmation mail")
            time.sleep(0.25)
        for mail in sorted(mails, key=lambda m: -os.path.getmtime(os.path.join(self.mailbox.dir, m.file))):
            path = link_path(mail.text, "/account/confirm/")
            if not path:
                continue
            page = self.b.request("GET", path)
            if page.status >= 500:
                raise ServerError(page)
            if page.status == 303:
                return
            if page.status == 410 and "already been used" in page.body:
                return  # an earlier try confirmed it
        raise Unexpected("no confirmation link worked")

    def _login(self):
        page = self.b.get("/account/login")
        answer = self.b.post_form("/account/login", page.token(), [
            ("email", self.address), ("password", PASSWORD), ("next", "/apply")])
        if answer.status == 303 and answer.location_path() != "/account/login":
            return
        if answer.status == 403 and "Confirm your email address first" in answer.body:
            self.step("confirm", self._confirm)
            raise Down("confirmed again; log in again")
        if answer.status == 403:
            raise Down("CSRF token refused; open the page again")
        raise Unexpected(f"login answered {answer.status}: {answer.text()[:200]}")

    def _cycle_of(self, slug):
        home = self.b.get("/apply")
        form = load_form(slug)
        wanted = {q["key"] for q in form.get("eligibility", [])}
        for m in re.finditer(r'href="/apply/(cycles|applications)/(\d+)"[^>]*>[^<]*<span class="visually-hidden">to the ([^<]+)</span>', home.body):
            if m.group(3).strip() == PROGRAM_NAMES[slug]:
                return m.group(1), int(m.group(2))
        # Programs renamed: tell the cycle by its eligibility questions.
        for m in re.finditer(r'href="/apply/cycles/(\d+)"', home.body):
            page = self.b.get(f"/apply/cycles/{m.group(1)}")
            if set(re.findall(r'name="e\[([^\]]+)\]"', page.body)) == wanted:
                return "cycles", int(m.group(1))
        raise Unexpected(f"no open cycle of {slug} on /apply")

    def _start(self, plan):
        kind, id_ = self._cycle_of(plan.slug)
        if kind == "applications":
            return id_  # an earlier try started it
        page = self.b.get(f"/apply/cycles/{id_}")
        if page.status == 303:
            m = re.match(r"/apply/applications/(\d+)", page.location_path())
            if m:
                return int(m.group(1))
        answer = self.b.post_form(f"/apply/cycles/{id_}/start", page.token(), plan.eligibility)
        m = re.match(r"/apply/applications/(\d+)", answer.location_path())
        if answer.status == 303 and m:
            return int(m.group(1))
        if answer.status == 403:
            raise Down("CSRF token refused")
        raise Unexpected(f"start answered {answer.status}: {answer.text()[:200]}")

    def _section(self, app, key, fields, files):
        path = f"/apply/applications/{app}/sections/{key}"
        page = self.b.get(path)
        if page.status != 200:
            raise Unexpected(f"{path} answered {page.status} to {page.location}")
        answer = self.b.post_multipart(path, page.token(), [*fields, ("next", "continue")], files)
        if answer.status == 303 and answer.location_path().startswith(f"/apply/applications/{app}/"):
            return
        if answer.status == 403:
            raise Down("CSRF token refused")
        raise Unexpected(f"saving {key} answered {answer.status}: {answer.text()[:300]}")

    def _referee(self, app, question, position, name, address):
        path = f"/apply/applications/{app}/referees"
        page = self.b.get(path)
        # A request already stored by an earlier try is not sent again.
        if address in page.body:
            return
        answer = self.b.post_form(path, page.token(), [
            ("question", question), ("position", str(position)), ("name", name), ("email", address),
            ("relationship", "Professor"), ("waiver", "yes")])
        if answer.status == 303 and answer.location_path() == path:
            return
        if answer.status == 403:
            raise Down("CSRF token refused")
        raise Unexpected(f"naming referee {position} answered {answer.status}: {answer.text()[:300]}")

    def _submit(self, app):
        review = self.b.get(f"/apply/applications/{app}/review")
        if review.status == 303:
            # Not a draft any more: an earlier try was stored, its answer lost.
            status = self.b.get(f"/apply/applications/{app}")
            if 'class="status">Submitted<' in status.body:
                self.out.found_submitted = True
                return
            raise Unexpected(f"application {app} left the draft stage: {status.text()[:200]}")
        if "Submit my application" not in review.body:
            problems = re.findall(r'<li><a href="[^"]*">([^<]+)</a>', review.body)
            raise Unexpected(f"application {app} is not complete: {problems[:5]}")
        answer = self.b.post_form(f"/apply/applications/{app}/submit", review.token(), [])
        if answer.status == 303 and answer.location_path() == f"/apply/applications/{app}":
            self.out.acknowledged = True
            try:
                self.b.get(f"/apply/applications/{app}")  # the page the redirect leads to
            except (Down, ServerError, LoggedOut):
                pass
            return
        if answer.status == 422 and "it is submitted" in answer.body:
            self.out.found_submitted = True
            return
        if answer.status == 403:
            raise Down("CSRF token refused")
        raise Unexpected(f"submit answered {answer.status}: {answer.text()[:300]}")


# --------------------------------------------------------------- checking


def sha256_file(path):
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
            size += len(chunk)
    return size, h.hexdigest()


def local_path(data_dir, key):
    return os.path.join(data_dir, "documents", key[:2], key)


def check_submissions(db, data_dir, outcomes, mailbox):
    """Checks every submission a browser saw succeed against the database,
    the stored files and the mail folder. Returns a dict of figures and the
    list of problems found (each a sentence)."""
    problems = []
    whole = 0
    checked = [o for o in outcomes if o.acknowledged or o.found_submitted]
    mails = mailbox.scan()
    by_message_id = {}
    for m in mails:
        by_message_id.setdefault(m.message_id, []).append(m)
    duplicates = {mid: ms for mid, ms in by_message_id.items() if len(ms) > 1}
    submitted_mails = {}
    for m in mails:
        submitted_mails[(m.to, m.subject)] = submitted_mails.get((m.to, m.subject), 0) + 1
    # Three queries for the lot (one psql each on PostgreSQL), in batches.
    apps, docs, refs = {}, {}, {}
    ids = [int(o.application_id) for o in checked]
    for i in range(0, len(ids), 500):
        chunk = ",".join(str(x) for x in ids[i:i + 500])
        for id_, stage, submitted_at, answers_json in db.query(
                f"SELECT id, stage, submitted_at, answers_json FROM applications WHERE id IN ({chunk})"):
            apps[int(id_)] = (stage, submitted_at, answers_json)
        for id_, key, storage_key, size, sha in db.query(
                "SELECT ad.application_id, ad.question_key, d.storage_key, d.size_bytes, d.sha256 "
                "FROM application_documents ad JOIN documents d ON d.id = ad.document_id "
                f"WHERE ad.application_id IN ({chunk})"):
            docs[(int(id_), key)] = (storage_key, int(size), sha)
        for id_, key, position, address in db.query(
                "SELECT application_id, question_key, position, email FROM referee_requests "
                f"WHERE application_id IN ({chunk})"):
            refs[(int(id_), key, int(position))] = address
    for o in checked:
        id_ = int(o.application_id)
        label = f"application {id_} of {o.address}"
        before = len(problems)
        if id_ not in apps:
            problems.append(f"{label}: missing from the database")
            continue
        stage, submitted_at, answers_json = apps[id_]
        if stage != "submitted" or not submitted_at:
            problems.append(f"{label}: stage {stage!r}, submitted_at {submitted_at!r}")
        stored = json.loads(answers_json)
        for key, want in o.plan.answers.items():
            if stored.get(key) != want:
                problems.append(f"{label}: answer {key} is {stored.get(key)!r}, sent {want!r}")
        for key, (file_name, data) in o.plan.documents.items():
            want_size, want_sha = len(data), hashlib.sha256(data).hexdigest()
            if (id_, key) not in docs:
                problems.append(f"{label}: document {key} missing")
                continue
            storage_key, size, sha = docs[(id_, key)]
            if size != want_size or sha != want_sha:
                problems.append(f"{label}: document {key} recorded as {size} bytes {sha[:12]}, "
                                f"sent {want_size} bytes {want_sha[:12]}")
            path = local_path(data_dir, storage_key)
            if not os.path.exists(path):
                problems.append(f"{label}: document {key} has no file ({storage_key})")
                continue
            got_size, got_sha = sha256_file(path)
            if got_size != want_size or got_sha != want_sha:
                problems.append(f"{label}: document {key} file is {got_size} bytes {got_sha[:12]}, "
                                f"sent {want_size} bytes {want_sha[:12]}")
        for question, position, name, address in o.plan.referees:
            got = refs.get((id_, question, position))
            if got != address:
                problems.append(f"{label}: referee {position} is {got}, named {address}")
        subject = SUBMITTED_SUBJECT.format(program=PROGRAM_NAMES[o.slug])
        n = submitted_mails.get((o.address.lower(), subject), 0)
        if n != 1:
            problems.append(f"{label}: {n} submission mails")
        if len(problems) == before:
            whole += 1
    return {"checked": len(checked), "whole": whole, "duplicates": duplicates, "mails": len(mails)}, problems
