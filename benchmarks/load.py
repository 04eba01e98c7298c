"""Load test: many respondents answer a survey at once through gunicorn, while executives read;
on one web server, then on two behind a round-robin of our own, in the same invocation.

    .venv/bin/python benchmarks/load.py [--respondents 200] [--executives 5] [--workers 4]
                                        [--threads 1] [--port 0] [--seed 1]

What it does, twice: first against one gunicorn, then against two (`--workers` each, on free
ports, as two hosts would run them) with the client as the balancer: every request of every
simulated person goes to the next server in turn, without sticky sessions, so one person's
pages, answers and submit land on both and a double-clicked submit may reach both at once. Each
run, on the same seed and scenario (several minutes in all for 200 respondents on two cores):

1. Recreates its own PostgreSQL database (LOAD_DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/maturity_load), migrates it, collects static files into a
   temporary folder and seeds, through the project's services (invitations pasted in batches
   of ROUND_INVITES_PER_REQUEST, as an admin would): the demo organization (eight teams
   with six closed quarterly rounds each, for the dashboard), a "Load Test" team with an open
   LLMOps round and N invited participants (each with their own derived link), and executives.
   Invitation e-mails are queued to Redis (LOAD_REDIS_URL, default redis://127.0.0.1:6379/13,
   emptied before and after the run); no Celery worker consumes them.
2. Starts gunicorn (`config.wsgi -c python:config.gunicorn`, like the Dockerfile: sync workers,
   its worker hooks, access log) with production settings: DJANGO_DEBUG=false, static files
   from the manifest (ManifestStaticFilesStorage; whitenoise's default also compresses every
   file, which takes over a minute and changes nothing for pages), rate limits on.
3. Measures the trivial view (/healthz) at the same concurrency, then drives every respondent
   at once through the real HTTP flow: the link's introduction, each page, an htmx autosave POST
   per answer (random answers, sometimes changed), the page's "Next" POST, review, submit
   (sometimes double-clicked: two POSTs at once) and the thank-you page, with CSRF cookies and
   tokens as a browser sends them (htmx headers included); answers include N/A and "I don't
   know" where the bank offers them. Meanwhile the executives log in through the login form
   and read the dashboard and team histories.
4. Stops gunicorn (also on Ctrl-C or failure) and checks in the database that every submitted
   answer is stored exactly once per response and question, as the respondent last chose it,
   with its score snapshot (scoring's recompute agrees).
   The database is recreated for the second run; gunicorn's logs are kept on FAIL.

It prints the configuration; per kind of request (open, page, answer, save-page, review,
submit, done, login, dashboard, history, healthz) the count, errors, median and p95 latency;
the total requests, throughput and errors; the respondent flow's throughput and the submit
latency as ratios to /healthz measured in the same run; then each database check and PASS or
FAIL; for each of the two runs. Then both side by side with the two-server figure as a ratio
to the one-server one: throughput (all requests, the respondent flow, surveys submitted,
/healthz), p50 and p95 of the respondent's requests, p95 of submit, errors. Both runs share
this machine's CPUs with PostgreSQL and the client, so the ratio says what a second server
process adds here, not on a second host. It exits non-zero on FAIL or on any error (a
non-2xx/3xx reply, an exception, a flow step that did not get the reply it needed).
"""

import argparse
import asyncio
import contextlib
import itertools
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import load_seed  # noqa: E402
from benchmarks.load_http import (  # noqa: E402
    Browser,
    FlowError,
    Recorder,
    Reply,
    Sample,
    form_action,
    form_csrf,
    htmx_csrf,
    parse_reply,
    radio_questions,
)
from benchmarks.load_seed import Outcome, Seeded  # noqa: E402

HOST = "127.0.0.1"
CHANGE_MIND = 0.15  # how often a respondent picks another answer to a question they answered
DOUBLE_CLICK = 0.1  # how often a respondent's submit goes out twice at once
RESPONDENT_KINDS = ["open", "page", "answer", "save-page", "review", "submit", "done"]
KINDS = [*RESPONDENT_KINDS, "login", "dashboard", "history"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=200)
    parser.add_argument("--executives", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (more than 1: gthread)"
    )
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the answers")
    parser.add_argument(
        "--healthz-requests", type=int, default=5, help="/healthz requests per simulated client"
    )
    parser.add_argument(
        "--think", type=float, default=0.5, help="seconds an executive pauses between pages"
    )
    return parser.parse_args()


# --- Environment and server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_environment(port: int, workdir: Path) -> dict[str, str]:
    """Production-like settings, shared by this process (seed, checks) and gunicorn."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": os.environ.get(
            "LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/maturity_load"
        ),
        "REDIS_URL": os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/13"),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "load-test-only-" + "x" * 40,  # the survey links derive from it
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://{HOST}:{port}",
        "STATIC_ROOT": str(workdir / "staticfiles"),
        # Hashed names from the manifest, like production, without whitenoise's compression
        # (gzip and brotli of every file: over a minute here, and static files are not fetched).
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
        "MEDIA_ROOT": str(workdir / "media"),
        "EMAIL_URL": "consolemail://",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "LOG_LEVEL": "WARNING",
    }


def gunicorn_command(args, port: int) -> list[str]:
    command = [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi:application"]
    command += ["-c", "python:config.gunicorn"]  # the worker hooks, as the Dockerfile starts it
    command += ["--bind", f"{HOST}:{port}", "--workers", str(args.workers)]
    if args.threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(args.threads)]
    command += ["--timeout", "30", "--backlog", "2048", "--access-logfile", "-"]
    command += ["--logger-class", "config.gunicorn_logger.RedactingLogger"]
    # No control socket: gunicorn 27 otherwise shares ~/.gunicorn/gunicorn.ctl between servers.
    return [*command, "--no-control-socket"]


def start_gunicorn(command: list[str], env: dict, log_path: Path) -> subprocess.Popen:
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: Ctrl-C reaches us, we stop it
        )


def wait_until_up(server: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + 120  # two servers booting at once on a shared machine
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited ({server.returncode}):\n{tail(log_path)}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer /healthz within 120 s:\n{tail(log_path)}")


def stop_gunicorn(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGINT)  # quick shutdown of the master and its workers
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)  # the group gunicorn leads (start_new_session)
        server.wait()


def tail(path: Path, lines: int = 20) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def print_configuration(args, ports: list[int], env: dict, command: list[str], workdir) -> None:
    print("== configuration")
    print(f"gunicorn:     {' '.join(command[1:])}")
    print(
        f"workers:      {args.workers} x {args.threads} thread(s) per server; first one server "
        f"(port {ports[0]}), then two (ports {ports[0]} and {ports[1]}); {os.cpu_count()} CPUs"
    )
    print(f"database:     {env['DATABASE_URL']} (recreated and seeded before each run)")
    print(f"redis:        {env['REDIS_URL']} (cache, rate limits, queued e-mails; flushed)")
    print("settings:     DJANGO_DEBUG=false, ManifestStaticFilesStorage (collectstatic, served by")
    print("              whitenoise), rate limits on, no Celery worker; HTTP/1.0, one request per")
    print("              connection; the client runs on the same machine as the servers")
    print(f"load:         {args.respondents} respondents + {args.executives} executives at once")
    print(f"logs:         {workdir}/gunicorn-<port>.log (removed on PASS)")


# --- The balancer


class Servers:
    """The web servers behind a round-robin of our own, without sticky sessions: every request
    of every simulated person goes to the next server in turn, so one person's pages, answers
    and submit land on all of them, and a double-clicked submit may reach two at once."""

    def __init__(self, ports: list[int]):
        self.ports = ports
        self._turns = itertools.cycle(ports)

    def next_port(self) -> int:
        return next(self._turns)

    def browser(self, recorder: Recorder) -> "RoundRobinBrowser":
        return RoundRobinBrowser(self, recorder)


class RoundRobinBrowser(Browser):
    """One person's browser behind the balancer. Host, Origin and Referer stay the first
    server's, as a balancer in front of them all would pass them on."""

    def __init__(self, servers: Servers, recorder: Recorder):
        super().__init__(HOST, servers.ports[0], recorder)
        self.servers = servers

    async def _exchange(self, method, path, headers, body) -> Reply:
        reader, writer = await asyncio.open_connection(self.host, self.servers.next_port())
        try:
            writer.write(self._head(method, path, headers, body) + body)
            await writer.drain()
            raw = await reader.read()  # HTTP/1.0: the server closes after the response
        finally:
            writer.close()
        return parse_reply(raw)


# --- The simulated people


async def respondent(browser: Browser, participant_id: int, token: str, rng) -> Outcome:
    outcome = Outcome(participant_id)
    try:
        await _answer_survey(browser, token, rng, outcome)
    except FlowError as error:
        outcome.failure = str(error)
    except Exception as error:  # the request itself failed; already recorded as a sample
        outcome.failure = repr(error)
    return outcome


async def _answer_survey(browser: Browser, token: str, rng, outcome: Outcome) -> None:
    intro = expect(await browser.get("open", f"/s/{token}/"), 200)
    path = f"/s/{token}/page/1/"
    if path not in intro.body:
        raise FlowError("the introduction has no link to page 1")
    while path.startswith(f"/s/{token}/page/"):
        page = expect(await browser.get("page", path), 200)
        chosen = await _answer_page(browser, page.body, rng, outcome)
        form = [("csrfmiddlewaretoken", form_csrf(page.body)), *chosen.items()]
        path = expect(await browser.post("save-page", form_action(page.body), form), 302).location
    if path != f"/s/{token}/review/":
        raise FlowError(f"the last page led to {path}")
    review = expect(await browser.get("review", path), 200)
    if "still need" in review.body:
        raise FlowError("the review page lists unanswered questions")
    form = [("csrfmiddlewaretoken", form_csrf(review.body))]
    clicks = 2 if rng.random() < DOUBLE_CLICK else 1  # both must land on the same thank-you
    replies = await asyncio.gather(
        *(browser.post("submit", form_action(review.body), form) for _ in range(clicks))
    )
    for submitted in replies:
        if expect(submitted, 302).location != f"/s/{token}/done/":
            raise FlowError(f"submit led to {submitted.location}")
    outcome.submitted = True
    expect(await browser.get("done", f"/s/{token}/done/"), 200)


async def _answer_page(browser, html, rng, outcome) -> dict[str, str]:
    """Choose an answer for each question as a person clicks: each click is an htmx POST."""
    csrf = htmx_csrf(html)
    chosen = {}
    for question in radio_questions(html):
        for _ in range(2 if rng.random() < CHANGE_MIND else 1):
            element_id, choice_id = rng.choice(question.choices)
            headers = {
                "HX-Request": "true",
                "HX-Trigger": element_id,
                "HX-Trigger-Name": question.name,
                "HX-Target": f"saved-{question.name[2:]}",
                "HX-Current-URL": browser.origin + browser.page,
                "X-CSRFToken": csrf,
            }
            saved = await browser.post(
                "answer", question.save_url, [(question.name, choice_id)], headers
            )
            if "Saved" not in expect(saved, 200).body:
                raise FlowError(f"autosave answered {saved.body[:80]!r}")
            chosen[question.name] = choice_id
            outcome.answers[int(question.name[2:])] = choice_id  # an option's id, na or dk
    return chosen


async def executive(browser: Browser, email: str, seeded: Seeded, stop, rng, think) -> str:
    """Log in through the form, then read the dashboard and team histories until told to stop."""
    try:
        login = expect(await browser.get("login", "/accounts/login/"), 200)
        form = [
            ("csrfmiddlewaretoken", form_csrf(login.body)),
            ("login", email),
            ("password", load_seed.EXECUTIVE_PASSWORD),
            ("next", ""),
        ]
        expect(await browser.post("login", "/accounts/login/", form), 302)
        while True:
            period = rng.choice(["4", "8", "all"])
            expect(
                await browser.get("dashboard", f"/o/{seeded.org_slug}/dashboard/?period={period}"),
                200,
            )
            team = rng.choice(seeded.history_teams)
            expect(await browser.get("history", f"/o/{seeded.org_slug}/teams/{team}/history/"), 200)
            if stop.is_set():
                return ""
            await asyncio.sleep(think)
    except FlowError as error:
        return str(error)
    except Exception as error:
        return repr(error)


def expect(reply: Reply, status: int) -> Reply:
    if reply.status != status:
        raise FlowError(f"expected {status}, got {reply.status} {reply.location}".strip())
    return reply


async def healthz_client(browser: Browser, requests: int) -> None:
    for _ in range(requests):
        with contextlib.suppress(Exception):  # recorded as a failed sample
            await browser.get("healthz", "/healthz")


# --- The phases


@dataclass
class Phase:
    samples: list[Sample]
    seconds: float


@dataclass
class Run:
    healthz: Phase
    mixed: Phase
    outcomes: list[Outcome]
    executive_failures: list[str]
    client_cpu: float = 0.0  # seconds of CPU this process spent driving the load
    server_cpu: float = 0.0  # seconds of CPU gunicorn's master and workers spent, boot included


async def drive(args, servers: "Servers", seeded: Seeded) -> Run:
    await warm_up(servers, seeded, args.workers * args.threads)
    healthz = await healthz_phase(servers, args.respondents + args.executives, args)
    return await mixed_phase(servers, seeded, args, healthz)


async def healthz_phase(servers: "Servers", clients: int, args) -> Phase:
    """The trivial view, at the concurrency of the survey phase."""
    recorder = Recorder()
    started = time.perf_counter()
    await asyncio.gather(
        *(healthz_client(servers.browser(recorder), args.healthz_requests) for _ in range(clients))
    )
    return Phase(recorder.samples, time.perf_counter() - started)


async def mixed_phase(servers: "Servers", seeded: Seeded, args, healthz: Phase) -> Run:
    """Every respondent at once; the executives read until the last respondent is done."""
    recorder, stop, rng = Recorder(), asyncio.Event(), random.Random(args.seed)
    started = time.perf_counter()
    executives = [
        asyncio.create_task(
            executive(servers.browser(recorder), email, seeded, stop, random.Random(i), args.think)
        )
        for i, email in enumerate(seeded.executives)
    ]
    outcomes = await asyncio.gather(
        *(
            respondent(servers.browser(recorder), pid, token, random.Random(rng.random()))
            for pid, token in seeded.tokens.items()
        )
    )
    stop.set()
    failures = [failure for failure in await asyncio.gather(*executives) if failure]
    mixed = Phase(recorder.samples, time.perf_counter() - started)
    return Run(healthz, mixed, outcomes, failures)


async def warm_up(servers: "Servers", seeded: Seeded, processes: int) -> None:
    """Let every worker load its code and templates before anything is measured.

    Reads a demo respondent's pages (GET only) and the login page; the load round is untouched.
    """
    link = f"/s/{seeded.warm_token}/"
    paths = ["/healthz", "/accounts/login/", link, f"{link}page/1/", f"{link}review/"]
    recorder = Recorder()
    for _ in range(2):
        await asyncio.gather(
            *(
                servers.browser(recorder).get("warm", path)
                for path in paths * (processes * len(servers.ports))
            )
        )
    if any(sample.failed for sample in recorder.samples):
        raise SystemExit(f"warm-up failed: {Counter(s.status for s in recorder.samples)}")


# --- Report


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def latency_table(samples: list[Sample]) -> None:
    print(f"{'kind':10} {'requests':>9} {'errors':>7} {'median':>11} {'p95':>11} {'max':>11}")
    by_kind: dict[str, list[Sample]] = {}
    for sample in samples:
        by_kind.setdefault(sample.kind, []).append(sample)
    order = [kind for kind in [*KINDS, "healthz"] if kind in by_kind]
    for kind in [*order, "overall"]:
        rows = samples if kind == "overall" else by_kind[kind]
        times = [s.seconds for s in rows]
        print(
            f"{kind:10} {len(rows):9} {sum(s.failed for s in rows):7} "
            f"{ms(statistics.median(times)):>11} {ms(percentile(times, 0.95)):>11} "
            f"{ms(max(times)):>11}"
        )


def report(args, seeded: Seeded, run: Run) -> int:
    """Print the numbers; return how many errors there were (failed requests and flows)."""
    samples = run.healthz.samples + run.mixed.samples
    print("\n== latency per kind of request (both phases)")
    latency_table(samples)
    seconds = run.healthz.seconds + run.mixed.seconds
    rate = len(samples) / seconds
    print(f"\ntotal requests: {len(samples)} in {seconds:.1f} s = {rate:.1f} req/s")
    print(
        f"CPU: gunicorn {run.server_cpu:.1f} s (boot included), load client {run.client_cpu:.1f} s,"
        f" PostgreSQL not counted; {os.cpu_count()} CPUs, shared with whatever else runs"
    )
    compare_with_healthz(args, seeded, run)
    return report_errors(samples, run)


def compare_with_healthz(args, seeded: Seeded, run: Run) -> None:
    health = [s.seconds for s in run.healthz.samples]
    health_rate = len(health) / run.healthz.seconds
    flow = [s for s in run.mixed.samples if s.kind in RESPONDENT_KINDS]
    flow_rate = len(flow) / run.mixed.seconds
    submit = [s.seconds for s in flow if s.kind == "submit"]
    submitted = sum(o.submitted for o in run.outcomes)
    clients = args.respondents + args.executives
    print(f"\n== against the trivial view, same server, same concurrency ({clients} clients)")
    print(
        f"/healthz:        {len(health)} requests in {run.healthz.seconds:.1f} s = "
        f"{health_rate:.1f} req/s; median {ms(statistics.median(health))}, "
        f"p95 {ms(percentile(health, 0.95))}"
    )
    print(
        f"respondent flow: {len(flow)} requests in {run.mixed.seconds:.1f} s = "
        f"{flow_rate:.1f} req/s ({len(run.mixed.samples) - len(flow)} executive requests "
        f"alongside); {submitted} surveys submitted = {submitted / run.mixed.seconds:.2f}/s"
    )
    print(f"throughput ratio, respondent flow / healthz: {flow_rate / health_rate:.2f}x")
    if submit:
        median_ratio = statistics.median(submit) / statistics.median(health)
        p95_ratio = percentile(submit, 0.95) / percentile(health, 0.95)
        print(
            f"submit latency:  median {ms(statistics.median(submit))} = {median_ratio:.1f}x "
            f"healthz's, p95 {ms(percentile(submit, 0.95))} = {p95_ratio:.1f}x healthz's"
        )
    print(f"({seeded.question_count} questions on {seeded.page_count} pages per survey)")


def report_errors(samples: list[Sample], run: Run) -> int:
    failed = [s for s in samples if s.failed]
    flows = [o.failure for o in run.outcomes if o.failure]
    print(
        f"\n== errors: {len(failed)} failed requests, {len(flows)} respondent flows and "
        f"{len(run.executive_failures)} executives that did not finish"
    )
    for (kind, status), count in sorted(Counter((s.kind, s.status) for s in failed).items()):
        print(f"  {count:5} x {kind} -> {status or 'exception'}")
    too_many = sum(s.status == 429 for s in failed)
    if too_many:
        print(f"  ({too_many} of them HTTP 429: rate limited)")
    for message, count in Counter(s.error for s in failed if s.error).most_common(5):
        print(f"  {count:5} x {message}")
    for message, count in Counter(flows + run.executive_failures).most_common(5):
        print(f"  {count:5} x flow: {message}")
    return len(failed) + len(flows) + len(run.executive_failures)


def report_checks(checks) -> bool:
    print("\n== database checks")
    for check in checks:
        print(f"{'PASS' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
    return all(check.ok for check in checks)


# --- Main


def prepare(args, env: dict) -> Seeded:
    load_seed.recreate_database(env["DATABASE_URL"])
    load_seed.flush_redis(env["REDIS_URL"])
    import django

    django.setup()
    started = time.perf_counter()
    load_seed.migrate_and_collect_static()
    seeded = load_seed.seed(args.respondents, args.executives)
    print(
        f"seeded in {time.perf_counter() - started:.0f} s: organization '{seeded.org_slug}', "
        f"round '{seeded.round_title}' with {len(seeded.tokens)} invited participants, "
        f"{len(seeded.executives)} executives, {len(seeded.history_teams)} teams with history"
    )
    return seeded


def run_against_servers(args, ports: list[int], env: dict, workdir: Path, seeded: Seeded) -> Run:
    children_before = cpu_seconds(resource.RUSAGE_CHILDREN)
    servers = []
    try:
        for port in ports:  # all started first: booting on a shared machine takes a while
            log_path = workdir / f"gunicorn-{port}.log"
            servers.append(start_gunicorn(gunicorn_command(args, port), env, log_path))
        for server, port in zip(servers, ports, strict=True):
            wait_until_up(server, port, workdir / f"gunicorn-{port}.log")
        client_before = cpu_seconds(resource.RUSAGE_SELF)
        run = asyncio.run(drive(args, Servers(ports), seeded))
        run.client_cpu = cpu_seconds(resource.RUSAGE_SELF) - client_before
    finally:
        for server in servers:
            stop_gunicorn(server)
    run.server_cpu = cpu_seconds(resource.RUSAGE_CHILDREN) - children_before
    return run


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def figures(run: Run, errors: int) -> dict[str, float]:
    """The numbers compared between the one-server and the two-server run."""
    samples = run.healthz.samples + run.mixed.samples
    flow = [s.seconds for s in run.mixed.samples if s.kind in RESPONDENT_KINDS]
    submits = [s.seconds for s in run.mixed.samples if s.kind == "submit"]
    submitted = sum(o.submitted for o in run.outcomes)
    return {
        "requests/s, all (both phases)": len(samples) / (run.healthz.seconds + run.mixed.seconds),
        "requests/s, respondent flow": len(flow) / run.mixed.seconds,
        "surveys submitted/s": submitted / run.mixed.seconds,
        "/healthz requests/s": len(run.healthz.samples) / run.healthz.seconds,
        "p50 ms, respondent requests": 1000 * statistics.median(flow),
        "p95 ms, respondent requests": 1000 * percentile(flow, 0.95),
        "p95 ms, submit": 1000 * percentile(submits, 0.95) if submits else float("nan"),
        "errors": errors,
    }


def side_by_side(one: dict[str, float], two: dict[str, float]) -> None:
    print("\n== one web server vs two behind the round-robin (same invocation, same machine)")
    print(f"{'':32} {'one':>10} {'two':>10} {'two / one':>10}")
    for name in one:
        ratio = f"{two[name] / one[name]:9.2f}x" if one[name] else f"{'-':>10}"
        print(f"{name:32} {one[name]:10.1f} {two[name]:10.1f} {ratio}")
    print(
        "(throughput: higher is better; latency: lower is better. Both servers, PostgreSQL, Redis"
        f" and this client share {os.cpu_count()} CPUs, and with whatever else runs: the ratio"
        " says what a second server process adds on this machine, not what a second host adds.)"
    )


def main() -> int:
    args = parse_args()
    ports = [args.port or free_port(), free_port()]
    workdir = Path(tempfile.mkdtemp(prefix="maturity-load-"))
    env = server_environment(ports[0], workdir)
    os.environ.update(env)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with it ignored
    print_configuration(args, ports, env, gunicorn_command(args, ports[0]), workdir)
    results, verdicts = {}, []
    try:
        for label, count in (("one", 1), ("two", 2)):
            print(f"\n######## {label} web server{'s' if count > 1 else ''}: {ports[:count]}")
            if label != "one":
                from django.db import connections

                connections.close_all()  # the database is dropped and made again
            seeded = prepare(args, env)
            run = run_against_servers(args, ports[:count], env, workdir, seeded)
            errors = report(args, seeded, run)
            passed = report_checks(load_seed.verify(seeded, run.outcomes))
            results[label] = figures(run, errors)
            verdicts.append((label, passed, errors))
    except KeyboardInterrupt:
        print(f"\ninterrupted; gunicorn stopped, its logs: {workdir}")
        return 130
    finally:
        with contextlib.suppress(Exception):
            load_seed.flush_redis(env["REDIS_URL"])
        shutil.rmtree(workdir / "staticfiles", ignore_errors=True)
    side_by_side(results["one"], results["two"])
    failed = [(label, passed, errors) for label, passed, errors in verdicts if not passed or errors]
    for label, passed, errors in failed:
        checks = "checks passed" if passed else "database checks failed"
        print(
            f"FAIL ({label} web server{'s' if label != 'one' else ''}): {checks}, {errors} errors"
        )
    if failed:
        print(f"gunicorn's logs are kept: {workdir}")
        return 1
    print("\nPASS: both runs stored every answer exactly once, without errors")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
