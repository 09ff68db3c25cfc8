"""A submission week on AgenPlan, for locust: agents editing their plans with autosave,
reviewers opening their queue and review pages and saving scores, the coordinator and the
Sekda on their pages. benchmarks/bench_load.py prepares the accounts and runs it:

    python -m benchmarks.run load          # or: make loadtest

Read from the environment (the runner sets them):

- LOADTEST_CAST: the JSON file of accounts (bench_load.prepare_cast): each simulated
  person signs in as an account of their own, as people do.
- LOADTEST_THINK: "5-15" (default) seconds between two actions; "0" for none (saturation).
- LOADTEST_RESET_AFTER_SIGN_IN: "1" clears the figures once every person has signed in
  (the steady state of the work, not a crowd signing in at once); the sign-in requests'
  own figures up to then, and the errors of every request until then, are first written
  to LOADTEST_SIGN_IN_FIGURES (JSON), if named.

Each simulated person connects from an address of their own on the loopback network
(127.0.x.y), as people connect from their own machines: the sign-in rate limit and
django-axes count per address and are not weakened. The client stands for the browser
and the TLS proxy together: it sends `X-Forwarded-Proto: https` (what the documented
proxy adds, so the production settings treat the request as HTTPS), sends the session
cookie that production marks Secure over the loopback's plain HTTP, and sends the
Referer an HTTPS page would (Django's CSRF check of HTTPS requests wants it). POSTs
carry the CSRF token the way the pages' htmx does (X-CSRFToken) or the form field.

Classes: AgentUser (weight 6), ReviewerUser (3), LeaderUser (1: coordinators and Sekda
alternately) and HealthUser (/healthz only, the baseline the mix's throughput is divided
by). The runner names the classes of each phase on locust's command line.
"""

import itertools
import json
import os
import random
import re
import time
from urllib.parse import urlsplit

from locust import HttpUser, between, constant, task
from requests.adapters import HTTPAdapter

# Beside this file: locust puts the locustfile's folder on the import path.
from webforms import read_form, totp

CAST = json.loads(open(os.environ["LOADTEST_CAST"], encoding="utf-8").read())  # noqa: SIM115


def _think():
    spec = os.environ.get("LOADTEST_THINK", "5-15").strip()
    if spec in ("", "0"):
        return constant(0)
    low, _, high = spec.partition("-")
    return between(float(low), float(high or low))


THINK = _think()
_ADDRESSES = itertools.count()
_ACCOUNTS = {kind: itertools.count() for kind in ("agents", "reviewers", "leaders")}
_SIGNED_IN = itertools.count(1)
SIGN_IN_PATHS = ("/masuk/", "/akun/verifikasi/")


def _next_address() -> str:
    n = next(_ADDRESSES)
    return f"127.0.{n // 250 + 1}.{n % 250 + 2}"


def _account(kind: str) -> dict:
    accounts = CAST[kind]
    return accounts[next(_ACCOUNTS[kind]) % len(accounts)]


def signed_in(environment) -> None:
    """One more person is at work; with LOADTEST_RESET_AFTER_SIGN_IN, the figures start
    when the last one is."""
    if os.environ.get("LOADTEST_RESET_AFTER_SIGN_IN") != "1":
        return
    if next(_SIGNED_IN) == environment.parsed_options.num_users:
        path = os.environ.get("LOADTEST_SIGN_IN_FIGURES")
        if path:
            figures = {
                entry.name: {
                    "n": entry.num_requests,
                    "errors": entry.num_failures,
                    "p50": entry.get_response_time_percentile(0.5),
                    "p95": entry.get_response_time_percentile(0.95),
                }
                for entry in environment.stats.entries.values()
                if any(part in entry.name for part in SIGN_IN_PATHS)
            }
            errors = environment.stats.total.num_failures
            with open(path, "w", encoding="utf-8") as out:
                json.dump({"sign_ins": figures, "errors": errors}, out)
        environment.stats.reset_all()


class _SourceAddress(HTTPAdapter):
    """Connections from one loopback address (the person's machine)."""

    def __init__(self, address: str, **kwargs):
        self.address = address
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def _title(html: str) -> str:
    """What a failed page says it is (its <title>), else its first characters."""
    match = re.search(r"<title>\s*(.*?)\s*</title>", html, re.DOTALL)
    return " ".join(match.group(1).split()) if match else html[:200]


_HIDDEN = re.compile(r'<input type="hidden"\s+name="([^"]+)"\s+id="[^"]*"\s+value="([^"]*)"')


class Person(HttpUser):
    """A signed-in person on their own address, with the browser's CSRF handling."""

    abstract = True
    wait_time = THINK

    kind = ""  # which accounts of the cast: "agents", "reviewers" or "leaders"

    def on_start(self):
        self.client.mount("http://", _SourceAddress(_next_address()))
        self.client.headers["X-Forwarded-Proto"] = "https"
        self.origin = "https://" + urlsplit(self.host).netloc
        account = _account(self.kind)
        self.sign_in(account["username"], account.get("totp_key"))
        self.begin(account)
        signed_in(self.environment)

    def begin(self, account: dict) -> None:
        """The first page after signing in."""

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def behind_proxy(self) -> None:
        """Secure cookies go back over the loopback (the TLS part of the way is the
        proxy's): requests would keep them for https:// addresses."""
        for cookie in self.client.cookies:
            cookie.secure = False

    def get(self, path: str, name: str | None = None) -> str:
        """GET; a failure unless it answers 200 without sending the person to sign in."""
        self.behind_proxy()
        with self.client.get(path, name=name, catch_response=True) as response:
            sent_away = "/masuk/" in response.url and "/masuk/" not in path
            if response.status_code != 200 or sent_away:
                response.failure(f"status {response.status_code} at {response.url}")
                return ""
        return response.text

    def page(self, path: str, name: str | None = None, *, badge: bool = True) -> str:
        """GET a page as a browser does, with the notification badge it then asks for."""
        html = self.get(path, name)
        if html and badge:
            self.get("/notifikasi/lencana/", "GET /notifikasi/lencana/ (badge)")
        return html

    def post(self, path: str, data, name: str, *, expect=(302,), htmx=False):
        self.behind_proxy()
        headers = {"Referer": self.origin + path, "X-CSRFToken": self.csrf()}
        if htmx:
            headers |= {"HX-Request": "true", "HX-Current-URL": self.origin + path}
        with self.client.post(
            path, data=data, headers=headers, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code not in expect:
                response.failure(f"status {response.status_code}: {_title(response.text)}")
                return None
            return response

    def follow(self, response, name: str) -> str:
        location = urlsplit(response.headers.get("Location", "/"))
        target = location.path + (f"?{location.query}" if location.query else "")
        return self.page(target, name)

    def sign_in(self, username: str, totp_key: str | None = None) -> None:
        self.page("/masuk/", "GET /masuk/", badge=False)
        response = self.post(
            "/masuk/",
            {"username": username, "password": CAST["password"]},
            "POST /masuk/ (sign-in)",
        )
        if response is None:
            raise RuntimeError(f"{username} could not sign in")
        if totp_key is None:
            return
        for attempt in range(2):
            self.page("/akun/verifikasi/", "GET /akun/verifikasi/ (2FA)", badge=False)
            answer = self.post(
                "/akun/verifikasi/",
                {"code": totp(totp_key), "next": ""},
                "POST /akun/verifikasi/ (2FA)",
                expect=(302, 200),
            )
            if answer is not None and answer.status_code == 302:
                return
            # The same 30-second code was used by an earlier run: the next one.
            time.sleep(31 - time.time() % 30 if attempt == 0 else 0)
        raise RuntimeError(f"{username}: two-factor code refused")


class AgentUser(Person):
    """An agent drafting: the editor open, autosaving the problem section as they type."""

    weight = 6
    kind = "agents"

    def begin(self, account: dict) -> None:
        self.plan = account["plan"]
        self.typed = 0
        self.open_editor()

    def open_editor(self):
        html = self.page(f"/rencana/{self.plan}/ubah/", "GET /rencana/[id]/ubah/ (editor)")
        self.form = read_form(html, "plan-form").fields if html else []

    @task(10)
    def autosave(self):
        if not self.form:
            return self.open_editor()
        self.typed += 1
        data = [list(pair) for pair in self.form]
        for pair in data:
            if pair[0] == "root_cause":
                pair[1] = re.sub(r" \(catatan \d+\)$", "", pair[1]) + f" (catatan {self.typed})"
        path = f"/rencana/{self.plan}/simpan/?bagian=problem"
        response = self.post(
            path, data, "POST /rencana/[id]/simpan/ (autosave)", expect=(200,), htmx=True
        )
        if response is None:
            return None
        if "HX-Retarget" in response.headers or "text-danger" in response.text:
            response.failure("autosave refused: " + " ".join(response.text.split())[:300])
            return self.open_editor()
        self.form = data
        updates = dict(_HIDDEN.findall(response.text))
        for pair in self.form:
            if pair[0] in updates:
                pair[1] = updates[pair[0]]
        return None

    @task(2)
    def reopen_editor(self):
        self.open_editor()

    @task(1)
    def my_plans(self):
        self.page("/rencana/", "GET /rencana/ (my plans)")


class ReviewerUser(Person):
    """A reviewer working through the queue: review pages, scores saved as a draft."""

    weight = 3
    kind = "reviewers"

    def begin(self, account: dict) -> None:
        self.plans = account["plans"]
        self.queue()

    @task(1)
    def queue(self):
        self.page("/penilaian/", "GET /penilaian/ (queue)")

    def open_review(self, plan: int):
        return self.page(f"/penilaian/rencana/{plan}/", "GET /penilaian/rencana/[id]/ (review)")

    @task(3)
    def read(self):
        self.open_review(random.choice(self.plans))  # noqa: S311

    @task(3)
    def score(self):
        plan = random.choice(self.plans)  # noqa: S311
        html = self.open_review(plan)
        if not html:
            return
        form = read_form(html, "review-form")
        data = [pair for pair in form.fields if not pair[0].startswith("level_")]
        for name, levels in form.radios.items():
            data.append([name, random.choice(levels)])  # noqa: S311
        data = [
            [n, f"Catatan uji beban {random.randint(1, 999)}." if n == "overall_feedback" else v]  # noqa: S311
            for n, v in data
        ]
        data.append(["action", "save"])
        path = f"/penilaian/rencana/{plan}/"
        response = self.post(path, data, "POST /penilaian/rencana/[id]/ (save scores)")
        if response is not None:
            self.follow(response, "GET /penilaian/rencana/[id]/ (review)")


class LeaderUser(Person):
    """The coordinator (two-factor sign-in) or the Sekda, alternately."""

    weight = 1
    kind = "leaders"

    def begin(self, account: dict) -> None:
        self.pages = CAST["pages"][account["role"]]
        self.browse()

    @task
    def browse(self):
        name, path = random.choice(self.pages)  # noqa: S311
        self.page(path, name)


class HealthUser(HttpUser):
    """The cheapest request the server answers (it asks the database and the broker)."""

    wait_time = THINK

    @task
    def healthz(self):
        self.client.get("/healthz", name="GET /healthz")
