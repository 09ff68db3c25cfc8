"""What the browser waits for on the main pages: Lighthouse's mobile performance score,
with its LCP, CLS, total blocking time and bytes, in Debian's Chromium.

    npm install --prefix benchmarks/lighthouse    # once: Lighthouse 12.8.2 from its lock file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/agenplan_bench \
        python -m benchmarks.run browser

Seeds the demo province if needed (`seed_demo` is idempotent), collects the static files
with production's storage (whitenoise's CompressedManifestStaticFilesStorage: hashed
names, .gz and .br beside each file) into a temporary folder, starts gunicorn with DEBUG
off and, in front of it, Caddy with the `encode` line of proxy/Caddyfile (the documented
proxy compresses the HTML; docs/operations.md), signs each person in and runs Lighthouse
(benchmarks/lighthouse/run.mjs: the person's cookies in the browser's jar, so that the
page's own requests are signed in too; /usr/bin/chromium; Lighthouse's default mobile
emulation and simulated throttling) BENCH_BROWSER_RUNS times per page (default 3): the
median of each figure is printed. BENCH_BROWSER_PAGES="editor,dashboard" measures only those pages.
BENCH_BROWSER_PROXY=0, or no `caddy` on PATH, measures gunicorn
straight (HTML uncompressed), and the output says so.

`--smoke`: no seed and no Lighthouse (no download in CI): the sign-in page in Chromium
through Playwright with a phone's viewport, its layout shift and largest paint read from
PerformanceObserver; it must complete and print them.
"""

import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench_editor import Client, _free_port
from benchmarks.common import database_label, setup_django, smoke_mode

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("AGENPLAN_CHROMIUM", "/usr/bin/chromium")
LIGHTHOUSE = ROOT / "benchmarks" / "lighthouse"  # package.json: the exact versions
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"

# (name, who signs in or None, path; "{plan}" is the demo agent's draft, "{review}" a plan
# assigned to the demo reviewer).
PAGES = [
    ("sign-in", None, "/masuk/"),
    ("agent home", "agen", "/rencana/"),
    ("editor", "agen", "/rencana/{plan}/ubah/"),
    ("plan page", "agen", "/rencana/{plan}/"),
    ("reviewer queue", "reviewer1", "/penilaian/"),
    ("review page", "reviewer1", "/penilaian/rencana/{review}/"),
    ("coordinator board", "koordinator", "/koordinator/"),
    ("assignments", "koordinator", "/koordinator/penugasan/"),
    ("decisions", "koordinator", "/koordinator/keputusan/"),
    ("plan list", "koordinator", "/rencana/daftar/"),
    ("dashboard", "sekda", "/pimpinan/"),
]
FIGURES = [
    ("score", None),
    ("FCP ms", "first-contentful-paint"),
    ("LCP ms", "largest-contentful-paint"),
    ("CLS", "cumulative-layout-shift"),
    ("TBT ms", "total-blocking-time"),
    ("KB", "total-byte-weight"),
]


def _wait_until_up(url: str, process: subprocess.Popen, what: str) -> None:
    client = Client(url)
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited")
        try:
            client.get("/healthz")
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not start")


def _collect_static(static_root: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.browser_settings",
        "AGENPLAN_BENCH_STATIC_ROOT": str(static_root),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return env


def _start_gunicorn(env: dict[str, str], port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "agenplan.wsgi:application"],
        cwd=ROOT,
        env={**env, "DJANGO_DEBUG": "False", "BIND": "127.0.0.1", "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_until_up(f"http://127.0.0.1:{port}", server, "gunicorn")
    return server


def _start_caddy(folder: Path, port: int, upstream: int) -> subprocess.Popen:
    """Caddy on loopback HTTP with proxy/Caddyfile's compression, forwarding to gunicorn."""
    documented = (ROOT / "proxy" / "Caddyfile").read_text(encoding="utf-8")
    encode = re.findall(r"^\s*((?:@compressed|encode) [^\n]+)$", documented, re.MULTILINE)
    if not any(line.startswith("encode") for line in encode):
        raise RuntimeError("proxy/Caddyfile has no encode line")
    config = folder / "Caddyfile"
    config.write_text(
        "{\n\tadmin off\n\tauto_https off\n}\n"
        f"http://127.0.0.1:{port} {{\n\t" + "\n\t".join(encode) + "\n"
        f"\treverse_proxy 127.0.0.1:{upstream}\n}}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "XDG_DATA_HOME": str(folder), "XDG_CONFIG_HOME": str(folder)}
    caddy = subprocess.Popen(
        ["caddy", "run", "--config", str(config), "--adapter", "caddyfile"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_until_up(f"http://127.0.0.1:{port}", caddy, "caddy")
    return caddy


def _cookies(base: str, username: str) -> str:
    """The person's session and CSRF cookies, as JSON for benchmarks/lighthouse/run.mjs."""
    from demo.seeding.people import DEMO_PASSWORD  # noqa: PLC0415

    client = Client(base)
    client.get("/masuk/")
    client.post("/masuk/", {"username": username, "password": DEMO_PASSWORD})
    if not any(cookie.name == "sessionid" for cookie in client.jar):
        raise RuntimeError(f"{username} could not sign in")
    return json.dumps([{"name": cookie.name, "value": cookie.value} for cookie in client.jar])


def _lighthouse(url: str, cookies: str | None, folder: Path) -> dict[str, float]:
    report = folder / "report.json"
    env = {
        **os.environ,
        "CHROME_PATH": CHROMIUM,
        "LIGHTHOUSE_CHROME_FLAGS": CHROME_FLAGS,
        "LIGHTHOUSE_COOKIES": cookies or "[]",
    }
    command = ["node", str(LIGHTHOUSE / "run.mjs"), url, str(report)]
    # Now and then Chromium loses the trace (NO_NAVSTART, NO_FCP): Lighthouse then exits
    # with an error, or writes a report without a score and says why; tried again.
    failures = []
    for _attempt in range(3):
        done = subprocess.run(command, env=env, check=False, timeout=300)
        data = json.loads(report.read_text(encoding="utf-8")) if done.returncode == 0 else {}
        score = data.get("categories", {}).get("performance", {}).get("score")
        if score is not None:
            break
        error = data.get("runtimeError", {}).get("code") or f"exit status {done.returncode}"
        failures.append(error)
        print(f"  Lighthouse gave no score for {url} ({error}); trying again", flush=True)
    else:
        raise RuntimeError(f"Lighthouse gave no score three times on {url}: {failures}")
    figures = {"score": score * 100}
    for label, audit in FIGURES[1:]:
        value = data["audits"][audit]["numericValue"]
        figures[label] = value / 1024 if label == "KB" else value
    return figures


def _smoke(base: str) -> int:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    observer = """() => new Promise(resolve => {
        let cls = 0, lcp = 0;
        new PerformanceObserver(list => { for (const e of list.getEntries())
            if (!e.hadRecentInput) cls += e.value; })
            .observe({type: 'layout-shift', buffered: true});
        new PerformanceObserver(list => { for (const e of list.getEntries())
            lcp = e.startTime; })
            .observe({type: 'largest-contentful-paint', buffered: true});
        document.fonts.ready.then(() => setTimeout(() => resolve({cls, lcp}), 500));
    })"""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(
            viewport={"width": 412, "height": 823}, is_mobile=True, device_scale_factor=2
        )
        page = context.new_page()
        page.goto(base + "/masuk/")
        result = page.evaluate(observer)
        browser.close()
    print(
        "sign-in page, Chromium, phone viewport: "
        f"CLS {result['cls']:.3f}, LCP {result['lcp']:.0f} ms"
    )
    return 0


def main(argv: list[str]) -> int:
    setup_django()
    from django.core.management import call_command  # noqa: PLC0415

    smoke = smoke_mode(argv)
    if not smoke and not (LIGHTHOUSE / "node_modules" / "lighthouse").is_dir():
        print(f"Lighthouse is not installed: npm install --prefix {LIGHTHOUSE.relative_to(ROOT)}")
        return 1
    call_command("migrate", verbosity=0)
    plan = review = None
    if not smoke:
        from assessment.models import ReviewAssignment  # noqa: PLC0415
        from plans.enums import PlanState  # noqa: PLC0415
        from plans.models import ActionPlan  # noqa: PLC0415

        call_command("seed_demo", verbosity=0, stdout=io.StringIO())
        plan = (
            ActionPlan.objects.filter(state__in=PlanState.EDITABLE, owner__user__username="agen")
            .order_by("-cycle__drafting_opens")
            .values_list("pk", flat=True)
            .first()
        )
        if plan is None:
            print("The demo agent `agen` has no draft to edit; run seed_demo on a fresh database.")
            return 1
        review = (
            ReviewAssignment.objects.filter(reviewer__username="reviewer1", is_active=True)
            .order_by("-plan__cycle__drafting_opens", "plan_id")
            .values_list("plan_id", flat=True)
            .first()
        )
        if review is None:
            print("The demo reviewer `reviewer1` has no plan assigned; run seed_demo again.")
            return 1
    use_proxy = os.environ.get("BENCH_BROWSER_PROXY", "1") != "0" and shutil.which("caddy")
    runs = int(os.environ.get("BENCH_BROWSER_RUNS", "3"))
    processes = []
    with tempfile.TemporaryDirectory(prefix="agenplan-browser-") as folder:
        try:
            env = _collect_static(Path(folder) / "static")
            upstream = _free_port()
            processes.append(_start_gunicorn(env, upstream))
            port = upstream
            if use_proxy:
                port = _free_port()
                processes.append(_start_caddy(Path(folder), port, upstream))
            base = f"http://127.0.0.1:{port}"
            print(f"database: {database_label()}; cores: {os.cpu_count()}")
            served = "Caddy (proxy/Caddyfile's encode) + gunicorn" if use_proxy else None
            print(f"served by {served or 'gunicorn alone, HTML uncompressed'}")
            if smoke:
                return _smoke(base)
            cookies = {who: _cookies(base, who) for _n, who, _p in PAGES if who}
            print(f"Lighthouse 12.8.2 (benchmarks/lighthouse), mobile, median of {runs} runs")
            print("| page | " + " | ".join(label for label, _a in FIGURES) + " |")
            print("| --- " * (len(FIGURES) + 1) + "|")
            only = os.environ.get("BENCH_BROWSER_PAGES")
            for name, who, path in PAGES:
                if only and name not in only.split(","):
                    continue
                samples = [
                    _lighthouse(
                        base + path.format(plan=plan, review=review), cookies.get(who), Path(folder)
                    )
                    for _ in range(runs)
                ]
                medians = {
                    label: statistics.median(s[label] for s in samples) for label, _a in FIGURES
                }
                cells = [
                    f"{medians[label]:.3f}" if label == "CLS" else f"{medians[label]:.0f}"
                    for label, _a in FIGURES
                ]
                print(f"| {name} | " + " | ".join(cells) + " |", flush=True)
        finally:
            for process in reversed(processes):
                process.terminate()
                process.wait(timeout=30)
    return 0
