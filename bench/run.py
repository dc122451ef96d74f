"""Performance benchmark: build a PostgreSQL dataset, serve it with gunicorn, load it with wrk.

    .venv/bin/python bench/run.py [--duration 15] [--concurrency 16] [--threads 2]
                                  [--workers 2*cores] [--members 200] [--reuse] ...

1. (Re)creates the database `skills_bench`, migrates, loads the catalogue, times an
   import of a generated 1,000-skill catalogue (into a scratch copy), and builds the
   dataset of bench/dataset.py (a 200-member team, three cycles, one individual).
2. Collects the static files and starts gunicorn on a free loopback port with
   production-like settings (DEBUG off, Redis cache/sessions/axes, CONN_MAX_AGE=60).
3. Logs in through the real login form and measures each page with wrk for a fixed time.
4. Runs a mixed load (60 s, 32 connections) and a fault run (PostgreSQL restarted once,
   /readyz polled meanwhile as a load balancer would).
5. Writes bench/results.md (and bench/results.json), then stops gunicorn.

`--redis-fault` runs only the Redis fault instead of 3 to 5: gunicorn's cache is a
redis-server the benchmark starts on a free port, stopped for 20 s in the middle of a
60 s, 32-connection signed-in load with autosaves, then started again; it counts the
server errors and checks that every acknowledged autosave is in the database
(bench/results-redis-fault.md). `--database` names the database (default skills_bench).
"""

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import TypedDict

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
DB_NAME = "skills_bench"
IMPORT_DB = "skills_bench_import"  # scratch copy for the import timing, dropped after


class PgParams(TypedDict):
    """psycopg.connect keyword arguments (and the parts of PG_URL)."""

    host: str
    port: int
    user: str
    password: str


PG: PgParams = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "password": "postgres"}
PG_URL = "postgres://{user}:{password}@{host}:{port}/{{}}".format(**PG)
REDIS_URL = "redis://127.0.0.1:6379/3"
# A fixed, benchmark-only key: the sessions it signs live in a throwaway database.
SECRET_KEY = "bench-only-secret-key-not-for-production-4b8e0d6f1a2c9e7d5b3a1f0e8c6d4b2a"

TARGETS_P99_MS = 50
TARGET_IMPORT_S = 5
# Shares of the one-query view's throughput (issue 16), by page.
TARGET_SHARES = {
    "questionnaire step GET": 0.25,
    "answer autosave POST": 0.40,
    "team dashboard": 0.25,
    "public /roles/": 0.50,
    "public role profile": 0.50,
    "public role matrix": 0.50,
    "results page": 0.50,
}
TARGET_BOARD_AFTER_CHANGE_MS = 40  # 200 members, in-process
TARGET_BOARD_1000_COLD_MS = 150
TARGET_BOARD_BYTES_PER_MEMBER = 1000
TARGET_BOARD_TRANSFER = 40_000
TARGET_RESULT_COLD_MS = 15  # 8 roles, 50 skills, in-process
TARGET_IMPORT_MS_PER_SKILL = 1.0


STARTED = time.monotonic()
LOAD_AT_START = os.getloadavg()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f} s] {message}", flush=True)


def app_env(database: str | None = None) -> dict[str, str]:
    """The settings gunicorn runs with (and the build, so both see the same configuration)."""
    database = database or DB_NAME  # read when called: --database sets it
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        SECRET_KEY=SECRET_KEY,
        DATABASE_URL=PG_URL.format(database),
        REDIS_URL=REDIS_URL,
        ALLOWED_HOSTS="127.0.0.1",
        CONN_MAX_AGE="60",
    )
    env.pop("PRODUCTION", None)  # it needs HTTPS in front: not on this loopback
    return env


def pg_admin(*statements: str) -> list:
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as conn:
        rows = []
        for statement in statements:
            cursor = conn.execute(statement)
            rows.append(cursor.fetchall() if cursor.description else None)
        return rows


# ---------------------------------------------------------------------------- build


def setup_django() -> None:
    os.environ.update(app_env())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build(args) -> dict:
    """Fresh database, migrations, catalogue, import timing, dataset. Returns the facts."""
    facts: dict = {"timings": {}}
    start = time.perf_counter()
    log(f"dropping and creating database {DB_NAME}")
    pg_admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)', f'CREATE DATABASE "{DB_NAME}"')
    import redis

    # A rebuilt database hands out the same ids again: nothing kept for the old one may
    # be served for the new one (the dataset writes ratings in bulk, past the services).
    redis.Redis.from_url(REDIS_URL).flushdb()
    setup_django()
    import io

    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0, interactive=False)
    facts["timings"]["migrate"] = time.perf_counter() - start
    mark = time.perf_counter()
    call_command("load_catalogue", verbosity=0, stdout=io.StringIO())
    facts["timings"]["load_catalogue"] = time.perf_counter() - mark

    log("timing the import of a generated 1,000-skill catalogue (scratch copy of the database)")
    connections.close_all()
    facts["import"] = timed_import(args.import_skills)
    log(f"import: {facts['import']['seconds']:.2f} s for {facts['import']['rows']} records")

    log(f"building the dataset ({args.members} members, 3 cycles, one individual)")
    sys.path.insert(0, str(BENCH))
    import dataset

    mark = time.perf_counter()
    built = dataset.build(members=args.members)
    facts["timings"]["dataset"] = time.perf_counter() - mark
    facts["timings"].update({f"dataset: {k}": v for k, v in built.timings.items()})
    connections.close_all()
    mark = time.perf_counter()
    import psycopg

    with psycopg.connect(dbname=DB_NAME, autocommit=True, **PG) as conn:
        conn.execute("VACUUM ANALYZE")
    facts["timings"]["vacuum analyze"] = time.perf_counter() - mark
    facts["timings"]["total build"] = time.perf_counter() - start
    facts["built"] = built
    facts["drafts"] = dataset.open_drafts()
    connections.close_all()
    log(f"build done in {facts['timings']['total build']:.1f} s: {built.counts}")
    log("build times: " + ", ".join(f"{k} {v:.1f} s" for k, v in facts["timings"].items()))
    return facts


def timed_import(skills: int) -> dict:
    """A fresh import of a generated catalogue of `skills` into a scratch copy of the
    database (which nothing may be connected to), timed in a child process."""
    pg_admin(
        f'DROP DATABASE IF EXISTS "{IMPORT_DB}" WITH (FORCE)',
        f'CREATE DATABASE "{IMPORT_DB}" TEMPLATE "{DB_NAME}"',
    )
    try:
        out = subprocess.run(
            [str(PYTHON), str(Path(__file__)), "--import-timing", str(skills)],
            env=app_env(IMPORT_DB),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        ).stdout
        return json.loads(out.strip().splitlines()[-1])
    finally:
        pg_admin(f'DROP DATABASE IF EXISTS "{IMPORT_DB}" WITH (FORCE)')


def growth_series(args) -> dict:
    """bench/growth.py in a scratch database and Redis database of its own, and the
    import at each size of --import-series; figures with their fitted cost per unit."""
    name = f"{DB_NAME}_growth"
    log(f"growth series in {name}: board at {args.growth_members} members, result page at "
        f"{args.growth_roles} roles, import at {args.import_series} skills")  # fmt: skip
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    env = app_env(name) | {"REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db + 1}"}
    try:
        out = subprocess.run(
            [str(PYTHON), str(BENCH / "growth.py"), "--json", "--members",
             *map(str, args.growth_members), "--roles", *map(str, args.growth_roles)],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=1800, check=True,
        ).stdout  # fmt: skip
    finally:
        pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    figures = json.loads(out.strip().splitlines()[-1])
    figures["import"] = []
    for skills in args.import_series:
        figures["import"].append(timed_import(skills))
        log(f"  import of {skills:,} skills: {figures['import'][-1]['seconds']:.2f} s")
    return figures


def fit(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Least squares y = a + b x: (a, b)."""
    if len(points) < 2:
        return (points[0][1] if points else 0.0), 0.0
    slope, intercept = statistics.linear_regression([x for x, _ in points], [y for _, y in points])
    return intercept, slope


def use_database(name: str) -> None:
    global DB_NAME, IMPORT_DB
    DB_NAME, IMPORT_DB = name, f"{name}_import"


def use_redis_db(number: int) -> None:
    global REDIS_URL
    REDIS_URL = f"redis://127.0.0.1:6379/{number}"


def reuse() -> dict:
    setup_django()
    sys.path.insert(0, str(BENCH))
    import dataset
    from django.db import connections

    built = dataset.find()
    drafts = dataset.open_drafts()
    connections.close_all()
    return {"timings": {}, "built": built, "import": None, "drafts": drafts}


def import_timing(skills: int) -> None:
    """Child process: import a generated catalogue into DATABASE_URL, print JSON."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(BENCH))
    import django

    django.setup()
    from import_catalogue import generated_document

    from careers.interchange import import_catalogue, parse_json

    raw = json.dumps(generated_document(skills=skills, roles=10), ensure_ascii=False).encode()
    start = time.perf_counter()
    document = parse_json(raw)
    report = import_catalogue(document=document, dry_run=False)
    seconds = time.perf_counter() - start
    rows = sum(report.total(k) for k in ("created", "updated", "unchanged"))
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rows": rows,
                "kilobytes": len(raw) / 1000,
                "skills": skills,
                "roles": 10,
                "created": report.total("created"),
            }
        )
    )


# ------------------------------------------------------------------------- gunicorn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def collectstatic() -> None:
    subprocess.run(
        [str(PYTHON), "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        env=app_env(), cwd=ROOT, check=True, timeout=300,
    )  # fmt: skip


def start_gunicorn(port: int, workers: int, logdir: Path) -> subprocess.Popen:
    command = [
        str(GUNICORN), "config.wsgi",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--access-logfile", str(logdir / "access.log"),
        "--access-logformat", '%(h)s %(t)s "%(r)s" %(s)s %(b)s "%(a)s" %(D)s',
        "--error-logfile", str(logdir / "error.log"),
    ]  # fmt: skip
    output = open(logdir / "gunicorn.out", "wb")  # noqa: SIM115 - lives as long as gunicorn
    process = subprocess.Popen(
        command, env=app_env(), cwd=ROOT, start_new_session=True, stdout=output, stderr=output
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}): see {logdir}/error.log")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/favicon.svg", timeout=2):
                return process
        except (OSError, urllib.error.URLError):
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop_gunicorn(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    log(f"stopping gunicorn (pid {process.pid})")
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(entry.name))
    return sorted(pids)


class RedisServer:
    """A redis-server of the benchmark's own on a free port, keeping nothing on disk."""

    BINARY = shutil.which("redis-server") or "/usr/bin/redis-server"

    def __init__(self, logdir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.logfile = logdir / "redis.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            self.BINARY, "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--logfile", str(self.logfile),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=ROOT, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.key_count()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not answer on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None

    def key_count(self) -> int:
        """DBSIZE over a plain socket (RESP), so the benchmark needs no client library."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as conn:
            conn.sendall(b"DBSIZE\r\n")
            reply = conn.recv(64)
        if not reply.startswith(b":"):
            raise OSError(f"unexpected reply {reply!r}")
        return int(reply[1:].split(b"\r\n", 1)[0])


# ---------------------------------------------------------------------------- login


class Session:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def cookie(self, name: str) -> str:
        for c in self.jar:
            if c.name == name and c.value is not None:
                return c.value
        raise KeyError(name)

    @property
    def cookie_header(self) -> str:
        return f"csrftoken={self.cookie('csrftoken')}; sessionid={self.cookie('sessionid')}"

    def login(self, username: str, password: str, timeout: float = 10) -> "Session":
        html = self.opener.open(self.base + "/accounts/login/", timeout=timeout).read().decode()
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if found is None:
            raise RuntimeError("the login page has no CSRF token")
        token = found.group(1)
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token}
        ).encode()
        with self.opener.open(self.base + "/accounts/login/", data, timeout=timeout) as response:
            final = response.geturl()
        if "/accounts/login/" in final:
            raise RuntimeError(f"login as {username} failed (ended on {final})")
        self.cookie("sessionid")
        return self


# ------------------------------------------------------------------ other CPU users

CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_times() -> dict[tuple[int, int], tuple[str, int, int]]:
    """(pid, start time) -> (command name, parent pid, CPU ticks used so far)."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        head, tail = stat.rsplit(")", 1)
        fields = tail.split()
        key = (int(entry.name), int(fields[19]))
        found[key] = (head.split("(", 1)[1], int(fields[1]), int(fields[11]) + int(fields[12]))
    return found


# "postgres: 15/main: <user> <database> <client>(port) <state>" for a client backend
BACKEND_TITLE = re.compile(r"postgres: [^:]+: \S+ (\S+) (\[local\]|[0-9a-f.:]+\(\d+\))")


class CpuMonitor:
    """CPU used during a run by processes that are not the benchmark's own.

    Ours: this script, gunicorn (master and workers), wrk, Redis, PostgreSQL's own
    processes and its backends for the benchmark's databases. Others
    (say a test suite run on the same machine) take cores from the measurement; their
    share is reported beside every figure so that a noisy run can be recognised.
    """

    OURS = ("wrk", "redis-server")

    def __init__(self, gunicorn_pid: int | None = None):
        import threading

        self.gunicorn_pid = gunicorn_pid
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.first: dict = {}
        self.last: dict = {}
        self.postgres: dict = {}  # (pid, start) -> serves our database (or is not a backend)

    def _loop(self) -> None:
        while not self.stop_event.wait(0.5):
            self._sample()

    def __enter__(self):
        self.started = False
        self.begin = time.monotonic()
        self._sample()
        self.started = True  # processes seen later started during the run: count from zero
        self.thread.start()
        return self

    def _sample(self) -> None:
        for key, value in proc_times().items():
            if key not in self.first:
                self.first[key] = value if not self.started else (value[0], value[1], 0)
            self.last[key] = value

    def __exit__(self, *exc):
        self.stop_event.set()
        self.thread.join()
        self._sample()
        self.seconds = time.monotonic() - self.begin
        return False

    def _ours(self, key) -> bool:
        pid, _start = key
        comm, ppid, _ticks = self.last[key]
        if comm == "postgres":  # a backend serving another database is someone else's
            if key not in self.postgres:
                try:
                    title = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
                except OSError:
                    title = ""
                found = BACKEND_TITLE.match(title)
                self.postgres[key] = not found or found.group(1) in (DB_NAME, IMPORT_DB)
            return self.postgres[key]
        return (
            pid == os.getpid()
            or comm in self.OURS
            or (self.gunicorn_pid is not None and self.gunicorn_pid in (pid, ppid))
        )

    @property
    def other_percent(self) -> float:
        """Other processes' CPU, in % of the whole machine (all cores)."""
        ticks = sum(self.last[k][2] - self.first[k][2] for k in self.last if not self._ours(k))
        return 100 * ticks / CLK_TCK / max(self.seconds, 1e-6) / (os.cpu_count() or 1)

    def top_others(self, n: int = 3) -> list[str]:
        used = sorted(
            (
                (self.last[k][2] - self.first[k][2], self.last[k][0])
                for k in self.last
                if not self._ours(k)
            ),
            reverse=True,
        )
        return [f"{name} {ticks / CLK_TCK:.1f}s" for ticks, name in used[:n] if ticks]


def wait_until_quiet(limit: float, threshold: float = 10.0) -> tuple[float, float]:
    """Wait (up to `limit` s) until others use < threshold % of the machine for 2 s."""
    start = time.monotonic()
    while True:
        with CpuMonitor() as monitor:
            time.sleep(2)
        waited = time.monotonic() - start
        if monitor.other_percent < threshold or waited >= limit:
            return waited, monitor.other_percent


# ------------------------------------------------------------------------------ wrk

LUA = r"""
local specs = %(specs)s
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  entries = {}
  for i, s in ipairs(specs) do
    local list = {}
    if s.bodies then
      for j, b in ipairs(s.bodies) do list[j] = wrk.format(s.method, s.path, s.headers, b) end
    else
      list[1] = wrk.format(s.method, s.path, s.headers)
    end
    entries[i] = list
  end
  idx = (id or 0) %% #entries
  n = 0
  statuses = {}
  ok_at = {}
  fail_at = {}
end

function request()
  idx = idx %% #entries + 1
  local list = entries[idx]
  n = n + 1
  return list[(n %% #list) + 1]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  local t = os.time()
  if status >= 400 then fail_at[t] = (fail_at[t] or 0) + 1 else ok_at[t] = (ok_at[t] or 0) + 1 end
end

local function merge(name, into)
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get(name)) do into[k] = (into[k] or 0) + v end
  end
end

local function obj(t)
  local parts = {}
  for k, v in pairs(t) do table.insert(parts, string.format('"%%s":%%d', tostring(k), v)) end
  return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
  local statuses, ok_at, fail_at = {}, {}, {}
  merge("statuses", statuses)
  merge("ok_at", ok_at)
  merge("fail_at", fail_at)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%%d,"duration_us":%%d,"bytes":%%d,' ..
    '"errors":{"connect":%%d,"read":%%d,"write":%%d,"status":%%d,"timeout":%%d},' ..
    '"latency_us":{"p50":%%d,"p90":%%d,"p99":%%d,"max":%%d,"mean":%%d},' ..
    '"statuses":%%s,"ok_at":%%s,"fail_at":%%s}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, obj(statuses), obj(ok_at), obj(fail_at)))
end
"""


def lua_string(value: str) -> str:
    level = "=" * 3
    assert f"]{level}]" not in value
    return f" [{level}[{value}]{level}] "  # spaces: "[[" would open a long string


def lua_specs(pages: list[dict]) -> str:
    items = []
    for page in pages:
        headers = ", ".join(
            f"[{lua_string(k)}] = {lua_string(v)}" for k, v in page["headers"].items()
        )
        fields = [
            f"method = {lua_string(page['method'])}",
            f"path = {lua_string(page['path'])}",
            f"headers = {{{headers}}}",
        ]
        if page.get("bodies"):
            fields.append("bodies = {" + ", ".join(lua_string(b) for b in page["bodies"]) + "}")
        items.append("{" + ", ".join(fields) + "}")
    return "{\n  " + ",\n  ".join(items) + "\n}"


class Wrk:
    def __init__(self, base: str, workdir: Path, args, gunicorn_pid: int):
        self.base, self.workdir, self.threads, self.timeout = (
            base,
            workdir,
            args.threads,
            args.timeout,
        )
        self.idle_wait, self.idle_threshold = args.idle_wait, args.idle_threshold
        self.gunicorn_pid = gunicorn_pid
        self.process: subprocess.Popen[str] | None = None

    def start(self, name: str, pages: list[dict], duration: int, connections: int):
        script = self.workdir / f"{name}.lua"
        script.write_text(LUA % {"specs": lua_specs(pages)})
        command = [
            "/usr/bin/wrk", "-t", str(min(self.threads, connections)), "-c", str(connections),
            "-d", f"{duration}s", "--timeout", f"{self.timeout}s", "-s", str(script), self.base,
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        return self.process

    def finish(self, duration: int) -> dict:
        process = self.process
        if process is None:
            raise RuntimeError("wrk is not running: start() it first")
        try:
            out, _ = process.communicate(timeout=duration + self.timeout + 60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        finally:
            self.process = None
        line = next((x for x in out.splitlines() if x.startswith("BENCHJSON ")), None)
        if line is None:
            raise RuntimeError(f"wrk gave no result:\n{out}")
        data = json.loads(line[len("BENCHJSON ") :])
        data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
        e = data["errors"]
        data["socket_errors"] = e["connect"] + e["read"] + e["write"] + e["timeout"]
        data["error_total"] = data["socket_errors"] + e["status"]
        data["p50_ms"] = data["latency_us"]["p50"] / 1000
        data["p99_ms"] = data["latency_us"]["p99"] / 1000
        return data

    def run(
        self, name: str, pages: list[dict], duration: int, connections: int, quiet: bool = True
    ) -> dict:
        """One wrk run; first waits (bounded) for other processes to leave the CPU alone."""
        waited, _before = wait_until_quiet(self.idle_wait, self.idle_threshold) if quiet else (0, 0)
        offset = self.access_log.stat().st_size
        with CpuMonitor(self.gunicorn_pid) as monitor:
            self.start(name, pages, duration, connections)
            result = self.finish(duration)
        result["other_cpu_percent"] = monitor.other_percent
        result["other_cpu_top"] = monitor.top_others()
        result["waited_for_quiet_s"] = waited
        result["drain_s"] = self.drain()
        result["server_ms"] = self.server_times(offset)
        return result

    @property
    def access_log(self) -> Path:
        return self.workdir / "access.log"

    def drain(self, limit: float = 180) -> float:
        """Wait until gunicorn has worked through the requests wrk left queued.

        wrk closes its connections at the end, but requests already sent are still
        served (a sync worker reads a request even after the client hung up), so the
        next measurement would queue behind them.
        """
        start = time.monotonic()
        while time.monotonic() - start < limit:
            t0 = time.monotonic()
            try:
                with urllib.request.urlopen(self.base + "/static/favicon.svg", timeout=limit):
                    pass
            except OSError:
                time.sleep(0.5)
                continue
            if time.monotonic() - t0 < 0.2:
                break
        return time.monotonic() - start

    def server_times(self, offset: int) -> dict:
        """Request time as gunicorn logged it (from reading the request to the response
        written; queueing before a worker accepts the connection is not in it)."""
        with open(self.access_log, "rb") as f:
            f.seek(offset)
            values = []
            for line in f.read().decode(errors="replace").splitlines():
                if "Python-urllib" in line:  # the drain's own requests
                    continue
                last = line.rsplit(" ", 1)[-1]
                if last.isdigit():
                    values.append(int(last) / 1000)
        if not values:
            return {}
        values.sort()
        return {
            "count": len(values),
            "p50": values[len(values) // 2],
            "p99": values[min(len(values) - 1, int(len(values) * 0.99))],
        }

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()


# ---------------------------------------------------------------------------- pages


STATIC_BASELINE = "static file /static/favicon.svg"
VIEW_BASELINE = "bare view /healthz"
ONE_QUERY = "one-query view /healthz/database"
REFERENCES = (STATIC_BASELINE, VIEW_BASELINE, ONE_QUERY)


def has_healthz(base: str) -> bool:
    """Is there a no-work view to use as the baseline (GET /healthz answering "ok")?"""
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=10) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except (OSError, urllib.error.URLError):
        return False


# What a browser sends with every request: the server may compress what it answers.
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}


def autosave_of(session: Session, draft: int, skill: int) -> dict:
    return {
        "method": "POST",
        "path": f"/assessments/{draft}/answers/{skill}/",
        "headers": {
            **BROWSER,
            "Cookie": session.cookie_header,
            "X-CSRFToken": session.cookie("csrftoken"),
            "Content-Type": "application/x-www-form-urlencoded",
            "HX-Request": "true",
        },
        "bodies": [f"s{skill}-level={level}" for level in range(5)],
    }


PEOPLE_AUTOSAVE = "answer autosave POST, {n} people"


def pages_for(
    built,
    individual: Session,
    manager: Session,
    healthz: bool = False,
    people: list[tuple[Session, int, int]] | None = None,
) -> dict[str, dict]:
    """The pages, each a request spec for wrk; a page of several people is a list of
    specs under "specs", which wrk's connections take in turn."""
    team, cycle = built.team_id, built.cycle_ids[-1]

    def get(path: str, session: Session | None = None) -> dict:
        headers = {"Cookie": session.cookie_header} if session else {}
        return {"method": "GET", "path": path, "headers": {**BROWSER, **headers}}

    autosave = autosave_of(individual, built.draft_id, built.draft_skill_id)
    several = [autosave_of(*person) for person in people or []]
    return {
        STATIC_BASELINE: get("/static/favicon.svg"),
        **(
            {VIEW_BASELINE: get("/healthz"), ONE_QUERY: get("/healthz/database")} if healthz else {}
        ),
        "public /roles/": get("/roles/"),
        "public role profile": get("/roles/TPM/"),
        "public role matrix": get("/roles/matrix/"),
        "results page": get(f"/assessments/{built.result_id}/", individual),
        "questionnaire step GET": get(f"/assessments/{built.draft_id}/step/1/", individual),
        "answer autosave POST": autosave,
        **(
            {PEOPLE_AUTOSAVE.format(n=len(several)): {"specs": several, **several[0]}}
            if several
            else {}
        ),
        "team dashboard": get(f"/teams/{team}/cycles/{cycle}/", manager),
        "team CSV export": get(f"/teams/{team}/cycles/{cycle}/matrix.csv", manager),
    }


TRANSFERS: dict[str, dict] = {}  # per page: bytes sent and their encoding, by check_pages


def check_pages(pages: dict[str, dict], base: str) -> dict[str, int]:
    """One request per page with its own cookies and headers; the status codes (and
    the bytes each sent, in TRANSFERS)."""
    import http.client

    host, port = base.split("//")[1].split(":")
    statuses = {}
    for name, page in pages.items():
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        try:
            body = page["bodies"][1] if page.get("bodies") else None
            conn.request(page["method"], page["path"], body=body, headers=page["headers"])
            response = conn.getresponse()
            sent = response.read()
            statuses[name] = response.status
            TRANSFERS[name] = {
                "bytes": len(sent),
                "encoding": response.getheader("Content-Encoding") or "identity",
            }
        finally:
            conn.close()
    return statuses


# -------------------------------------------------------------------------- reports


def pg_version() -> str:
    return pg_admin("SHOW server_version")[0][0][0]


def pg_running() -> bool:
    try:
        pg_admin("SELECT 1")
        return True
    except Exception:
        return False


def pg_cluster() -> tuple[str, str]:
    versions = sorted(os.listdir("/etc/postgresql"))
    return versions[-1], "main"


def ensure_pg_running() -> None:
    if pg_running():
        return
    version, cluster = pg_cluster()
    log("PostgreSQL is not answering: starting it")
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "start"],
        timeout=120, check=False,
    )  # fmt: skip
    for _ in range(60):
        if pg_running():
            return
        time.sleep(1)
    log("WARNING: PostgreSQL still not answering")


def completed(run: dict, text: str) -> str:
    """The measured figure, or a warning that no request completed during the run."""
    if run["requests"] == 0:
        return "no request completed within the run (each took longer than the run)"
    return f"{text} ({run['requests']} requests)" if run["requests"] < 50 else text


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def fmt_ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def growth_lines(growth: dict) -> list[str]:
    lines = ["", "## Growth series (in-process, the median of 5 requests)", ""]
    lines += [
        "Team board: one team of each size, two cycles (the previous one closed), a TPM"
        " assessment per member with manager ratings on a third of its skills. Cold: an"
        " empty cache; after one rating: one manager rating changed before each request.",
        "",
        "| members | cold ms | cold queries | warm ms | after one rating ms | queries then "
        "| HTML bytes | bytes per member | gzipped bytes |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in growth["dashboard"]:
        lines.append(
            f"| {r['members']:,} | {r['cold_ms']:.1f} | {r['cold_queries']} | {r['warm_ms']:.1f}"
            f" | {r['after_one_rating_ms']:.1f} | {r['after_one_rating_queries']}"
            f" | {r['html_bytes']:,} | {r['html_bytes'] / r['members']:,.0f}"
            f" | {r['gzip_bytes']:,} |"
        )
    for column, label in (("cold_ms", "cold"), ("after_one_rating_ms", "after one rating"),
                          ("html_bytes", "HTML bytes")):  # fmt: skip
        a, b = fit([(r["members"], r[column]) for r in growth["dashboard"]])
        lines.append(f"- fitted, {label}: {a:,.1f} + {b:,.3f} per member")
    lines += [
        "",
        "Result page of one person, by the number of roles chosen. Cold: its kept rendering"
        " dropped; empty cache: nothing kept at all.",
        "",
        "| roles | skills | cold ms | cold queries | empty cache ms | warm ms | warm queries "
        "| HTML bytes |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in growth["results"]:
        lines.append(
            f"| {r['roles']} | {r['skills']} | {r['cold_ms']:.1f} | {r['cold_queries']}"
            f" | {r['empty_cache_ms']:.1f} | {r['warm_ms']:.1f} | {r['warm_queries']}"
            f" | {r['html_bytes']:,} |"
        )
    a, b = fit([(r["roles"], r["cold_ms"]) for r in growth["results"]])
    lines.append(f"- fitted, cold: {a:.1f} ms + {b:.2f} ms per role")
    lines += [
        "",
        "Catalogue import (JSON, committed, into a scratch copy of the database; generated"
        " catalogue of categories of 30 skills, 4 level descriptors and 4 actions a skill,"
        " 10 roles of 40 requirements)",
        "",
        "| skills | records | kB | seconds | ms per skill |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in growth["import"]:
        lines.append(
            f"| {r['skills']:,} | {r['rows']:,} | {r['kilobytes']:,.0f} | {r['seconds']:.2f}"
            f" | {r['seconds'] * 1000 / r['skills']:.2f} |"
        )
    a, b = fit([(r["skills"], r["seconds"] * 1000) for r in growth["import"]])
    lines.append(f"- fitted: {a:,.0f} ms + {b:.3f} ms per skill")
    return lines


def growth_checks(growth: dict) -> list[tuple[str, str, bool]]:
    checks = []
    board = {r["members"]: r for r in growth["dashboard"]}
    if 200 in board:
        ms = board[200]["after_one_rating_ms"]
        checks.append((f"team board, 200 members, after one rating: < "
                       f"{TARGET_BOARD_AFTER_CHANGE_MS} ms in-process", f"{ms:.1f} ms",
                       ms < TARGET_BOARD_AFTER_CHANGE_MS))  # fmt: skip
    if 1000 in board:
        ms = board[1000]["cold_ms"]
        checks.append((f"team board, 1,000 members, cold: < {TARGET_BOARD_1000_COLD_MS} ms"
                       " in-process", f"{ms:.1f} ms", ms < TARGET_BOARD_1000_COLD_MS))  # fmt: skip
    large = [r["html_bytes"] / r["members"] for r in growth["dashboard"] if r["members"] >= 200]
    if large:
        per = max(large)
        checks.append((f"team board HTML: <= {TARGET_BOARD_BYTES_PER_MEMBER:,} bytes per member"
                       " (200 members and more)", f"{per:,.0f} bytes",
                       per <= TARGET_BOARD_BYTES_PER_MEMBER))  # fmt: skip
    results = {r["roles"]: r for r in growth["results"]}
    if 8 in results:
        ms = results[8]["cold_ms"]
        checks.append((f"result page, 8 roles ({results[8]['skills']} skills), cold: < "
                       f"{TARGET_RESULT_COLD_MS} ms in-process", f"{ms:.1f} ms",
                       ms < TARGET_RESULT_COLD_MS))  # fmt: skip
    for r in growth["import"]:
        if r["skills"] == 5000:
            checks.append((f"catalogue import of 5,000 skills < {TARGET_IMPORT_S} s",
                           f"{r['seconds']:.2f} s", r["seconds"] < TARGET_IMPORT_S))  # fmt: skip
    if growth["import"]:
        _a, per_skill = fit([(r["skills"], r["seconds"] * 1000) for r in growth["import"]])
        checks.append((f"catalogue import: <= {TARGET_IMPORT_MS_PER_SKILL} ms per skill (fitted)",
                       f"{per_skill:.2f} ms", per_skill <= TARGET_IMPORT_MS_PER_SKILL))  # fmt: skip
    return checks


def write_results(path: Path, facts: dict, results: dict, args, settings: dict) -> list[str]:
    built = facts["built"]
    baseline = VIEW_BASELINE if VIEW_BASELINE in results else STATIC_BASELINE
    base = results[baseline]["rps"]
    one = results[ONE_QUERY]["rps"] if ONE_QUERY in results else base
    load = facts.get("load_average", {})
    lines = [
        "# Benchmark results",
        "",
        f"- Date: {datetime.now().astimezone():%Y-%m-%d %H:%M:%S %Z}",
        f"- Machine: {os.cpu_count()} cores (os.cpu_count()), loopback only; wrk runs on the"
        " same cores as gunicorn and PostgreSQL",
        f"- Load average (1, 5, 15 min) at the start: {load.get('start')}, after the page runs:"
        f" {load.get('end')} (the run's own build and pages included)",
        f"- PostgreSQL {facts['pg_version']}, Redis {REDIS_URL}",
        f"- gunicorn {settings['gunicorn']}: {args.workers} sync workers, "
        f"settings: " + ", ".join(f"{k}={v}" for k, v in settings["env"].items()),
        f"- wrk: {args.duration} s per page, {args.concurrency} connections, "
        f"{args.threads} threads, timeout {args.timeout} s; a 3 s warm-up on every page first"
        f" ({min(args.workers, args.concurrency)} connections); every request says"
        " `Accept-Encoding: gzip`, as a browser does",
        "- others' CPU: CPU used during the run by processes other than the benchmark's"
        " (gunicorn, wrk, PostgreSQL, Redis), in % of the whole machine; each run first waits"
        f" up to {args.idle_wait:.0f} s for it to fall under {args.idle_threshold:.0f}%, and"
        " no results file is written when any run had more",
        "- server p50: gunicorn's own request time (access log %(D)s): the time a worker"
        " spent on the request, without the wait for a free worker that p50/p99 include",
        "- References, measured in the same run: the bare view /healthz (the whole"
        " middleware stack, no template, no database) and the one-query view"
        " /healthz/database (the same and one `SELECT 1`). Each page's throughput is given"
        " as a share of both.",
        "- sent: the bytes of one response as sent (gzip when the server compressed it)",
        "",
        "## Dataset",
        "",
    ]
    for key, value in built.counts.items():
        lines.append(f"- {key}: {value}")
    if facts["timings"]:
        lines += ["", "Build times:", ""]
        for key, value in facts["timings"].items():
            lines.append(f"- {key}: {value:.1f} s")
    lines += [
        "",
        "## Pages",
        "",
        "| page | requests/s | p50 ms | p99 ms | max ms | errors | share of bare view "
        "| share of one-query view | server p50 ms | sent | others' CPU |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    transfers = facts.get("transfers", {})
    for name, r in results.items():
        server = fmt_ms(r["server_ms"]["p50"]) if r.get("server_ms") else "-"
        sent = transfers.get(name)
        sent_text = f"{sent['bytes']:,} B ({sent['encoding']})" if sent else "-"
        lines.append(
            f"| {name} | {r['rps']:.1f} | {fmt_ms(r['p50_ms'])} | {fmt_ms(r['p99_ms'])} "
            f"| {fmt_ms(r['latency_us']['max'] / 1000)} | {r['error_total']} "
            f"| {r['rps'] / base:.3f} | {r['rps'] / one:.3f} "
            f"| {server} | {sent_text} | {r['other_cpu_percent']:.0f}% |"
        )
    imp = facts.get("import")
    if imp:
        lines.append(
            f"| catalogue import, {imp['skills']:,} skills + {imp['roles']} roles "
            f"({imp['rows']:,} records, {imp['kilobytes']:.0f} kB JSON, committed) "
            f"| | {imp['seconds'] * 1000:.0f} (one run) | | | 0 | | | | |"
        )
    serial = facts.get("serial", {})
    if serial:
        lines += [
            "",
            f"One connection at a time ({args.serial_duration} s each): the time one request"
            " takes with nothing queued before it",
            "",
            "| page | requests/s | p50 ms | p99 ms | server p50 ms |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for name, r in serial.items():
            server = fmt_ms(r["server_ms"]["p50"]) if r.get("server_ms") else "-"
            lines.append(
                f"| {name} | {r['rps']:.2f} | {fmt_ms(r['p50_ms'])} | {fmt_ms(r['p99_ms'])} "
                f"| {server} |"
            )

    res = results
    checks = []
    shares = dict(TARGET_SHARES)
    for name in res:
        if name.startswith("answer autosave POST, "):  # several people's drafts at once
            shares[name] = TARGET_SHARES["answer autosave POST"]
    for name, share in shares.items():
        if name not in res:
            continue
        got = res[name]["rps"] / one
        checks.append((f"{name}: >= {share:.0%} of the one-query view's throughput",
                       f"{got:.0%} ({res[name]['rps']:.0f} / {one:.0f} req/s)",
                       got >= share))  # fmt: skip
    for name in [n for n in res if n.startswith(("questionnaire step GET", "answer autosave"))]:
        p99 = res[name]["p99_ms"]
        checks.append((f"{name}: p99 < {TARGETS_P99_MS} ms at {args.concurrency} connections",
                       completed(res[name], f"{fmt_ms(p99)} ms"),
                       res[name]["requests"] > 0 and p99 < TARGETS_P99_MS))  # fmt: skip
    board = transfers.get("team dashboard")
    if board:
        checks.append((f"team dashboard, {built.counts.get('team members')} members: sent in"
                       f" < {TARGET_BOARD_TRANSFER // 1000} kB",
                       f"{board['bytes']:,} B ({board['encoding']})",
                       board["bytes"] < TARGET_BOARD_TRANSFER))  # fmt: skip
    growth = facts.get("growth")
    if growth:
        lines += growth_lines(growth)
        checks += growth_checks(growth)
    elif imp:
        checks.append((f"catalogue import of {imp['skills']:,} skills < {TARGET_IMPORT_S} s",
                       f"{imp['seconds']:.2f} s", imp["seconds"] < TARGET_IMPORT_S))  # fmt: skip
    errors = sum(r["error_total"] for r in res.values())
    checks.append(("zero errors (page runs)", f"{errors}", errors == 0))
    load = facts.get("load")
    if load:
        checks.append((f"zero errors (mixed load, {args.load_duration} s, "
                       f"{args.load_concurrency} connections)",
                       f"{load['error_total']}", load["error_total"] == 0))  # fmt: skip
    lines += ["", "## Targets", "", "| target | measured | verdict |", "| --- | --- | --- |"]
    for target, measured, ok in checks:
        lines.append(f"| {target} | {measured} | {verdict(ok)} |")
    limits = BENCH / "limits.md"  # what limits each MISS: profiles read by hand, dated
    if limits.exists():
        lines += ["", limits.read_text().strip()]

    if load:
        lines += [
            "",
            f"## Mixed load: {args.load_duration} s, {args.load_concurrency} connections",
            "",
            "Every connection rotates over the seven requests above (the autosave varying"
            " its level).",
            "",
            f"- requests: {load['requests']:,} ({load['rps']:.0f}/s), "
            f"p50 {fmt_ms(load['p50_ms'])} ms, p99 {fmt_ms(load['p99_ms'])} ms, "
            f"max {fmt_ms(load['latency_us']['max'] / 1000)} ms",
            f"- errors: {load['error_total']} (non-2xx/3xx: {load['errors']['status']}, "
            f"socket: {json.dumps({k: v for k, v in load['errors'].items() if k != 'status'})})",
            f"- status codes: {json.dumps(load['statuses'], sort_keys=True)}",
            f"- other processes' CPU during the run: {load['other_cpu_percent']:.0f}% of the"
            f" machine {load['other_cpu_top']}",
        ]
    fault = facts.get("fault")
    if fault:
        w = fault["wrk"]
        five = sum(v for k, v in w["statuses"].items() if k.startswith("5"))
        lines += [
            "",
            f"## Fault run: PostgreSQL restarted once during {args.fault_duration} s "
            f"({args.concurrency} connections)",
            "",
            f"- restart issued at t={fault['restart_at']:.1f} s, `pg_ctlcluster restart` took "
            f"{fault['restart_seconds']:.1f} s (exit {fault['restart_rc']})",
            f"- requests: {w['requests']:,}; status codes: "
            f"{json.dumps(w['statuses'], sort_keys=True)}",
            f"- 5xx responses: {five}; socket errors: "
            f"{json.dumps({k: v for k, v in w['errors'].items() if k != 'status'})}",
            f"- failures by second (t: failed/ok): {fault['timeline']}",
            f"- failing window: {fault['window']}",
            f"- /readyz polled every 0.2 s meanwhile: {fault.get('readiness', 'not polled')}",
            f"- max latency {fmt_ms(w['latency_us']['max'] / 1000)} ms (wrk timeout "
            f"{args.timeout} s); timeouts: {w['errors']['timeout']}",
            f"- afterwards, without restarting gunicorn: {fault['after']}",
            f"- gunicorn master and workers unchanged: {fault['same_processes']}",
            f"- PostgreSQL running at the end: {fault['pg_running_at_end']}",
        ]
    path.write_text("\n".join(lines) + "\n")
    return [f"{t}: {m} -> {verdict(ok)}" for t, m, ok in checks]


# ----------------------------------------------------------------------------- main


def main() -> int:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per page (15)")
    parser.add_argument("--concurrency", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--timeout", type=int, default=30, help="wrk request timeout, s (30)")
    parser.add_argument("--workers", type=int, default=2 * cores, help="gunicorn workers")
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--import-skills", type=int, default=1000)
    parser.add_argument("--growth-members", type=int, nargs="*", default=[10, 50, 200, 1000])
    parser.add_argument("--growth-roles", type=int, nargs="*", default=[1, 3, 8])
    parser.add_argument("--import-series", type=int, nargs="*", default=[100, 1000, 5000])
    parser.add_argument("--skip-growth", action="store_true")
    parser.add_argument(
        "--allow-busy",
        action="store_true",
        help="write the results file even if the machine was busy",
    )
    parser.add_argument("--load-duration", type=int, default=60)
    parser.add_argument("--load-concurrency", type=int, default=32)
    parser.add_argument("--fault-duration", type=int, default=30)
    parser.add_argument("--restart-after", type=int, default=10, help="fault run: seconds in")
    parser.add_argument("--serial-duration", type=int, default=15,
                        help="single-connection run of the heavy pages, s (0: skip)")  # fmt: skip
    parser.add_argument(
        "--idle-wait",
        type=float,
        default=60,
        help="before each run, wait up to this many seconds for other processes"
        " to use under --idle-threshold %% of the CPU (60)",
    )
    parser.add_argument("--idle-threshold", type=float, default=10)
    parser.add_argument("--pages", nargs="+", help="only the pages whose name holds one of these")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-fault", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="keep the existing skills_bench")
    parser.add_argument("--database", default=DB_NAME, help=f"database name ({DB_NAME})")
    parser.add_argument("--port", type=int, help="gunicorn's port (a free one)")
    parser.add_argument(
        "--redis-db", type=int, default=3, help="database number on the Redis at :6379 (3)"
    )
    parser.add_argument(
        "--redis-fault",
        action="store_true",
        help="only the Redis fault run: the benchmark's own redis-server stopped for"
        " --redis-down s after --redis-up s of a --load-duration s, --load-concurrency"
        " connection signed-in load (60 s, 32, stopped 20 s after 20 s)",
    )
    parser.add_argument("--redis-up", type=int, default=20)
    parser.add_argument("--redis-down", type=int, default=20)
    parser.add_argument("--output", default=str(BENCH / "results.md"))
    parser.add_argument("--import-timing", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.import_timing:
        import_timing(args.import_timing)
        return 0
    use_database(args.database)
    use_redis_db(args.redis_db)
    if args.redis_fault:
        return redis_fault_main(args)

    for tool in ("/usr/bin/wrk", str(GUNICORN)):
        if not shutil.which(tool):
            sys.exit(f"missing {tool}")
    facts = build(args) if not args.reuse else reuse()
    facts["pg_version"] = pg_version()
    workdir = Path(tempfile.mkdtemp(prefix="skills-bench-"))
    log(f"logs and wrk scripts in {workdir}")
    gunicorn = None
    wrk = None
    results: dict[str, dict] = {}
    try:
        log("collectstatic (DEBUG=false)")
        collectstatic()
        port = args.port or free_port()
        gunicorn = start_gunicorn(port, args.workers, workdir)
        base = f"http://127.0.0.1:{port}"
        log(f"gunicorn {gunicorn.pid} answers on {base} with {args.workers} workers")
        sys.path.insert(0, str(BENCH))
        import dataset

        individual = Session(base).login(dataset.INDIVIDUAL, dataset.PASSWORD)
        manager = Session(base).login(dataset.MANAGER, dataset.PASSWORD)
        healthz = has_healthz(base)
        log(f"baseline: {VIEW_BASELINE if healthz else STATIC_BASELINE}")
        people = [
            (Session(base).login(username, dataset.PASSWORD), draft, skill)
            for username, draft, skill in facts["drafts"]
        ]
        pages = pages_for(facts["built"], individual, manager, healthz, people)
        if args.pages:
            pages = {
                name: page for name, page in pages.items()
                if name in REFERENCES
                or any(wanted in name for wanted in args.pages)
            }  # fmt: skip
        statuses = check_pages(pages, base)
        log(f"one request each: {statuses}")
        bad = {k: v for k, v in statuses.items() if v != 200}
        if bad:
            raise RuntimeError(f"pages not answering 200: {bad}")

        wrk = Wrk(base, workdir, args, gunicorn.pid)
        for index, (name, page) in enumerate(pages.items()):
            warm = min(args.workers, args.concurrency)
            specs = page.get("specs", [page])
            wrk.run(f"warmup-{index}", specs, 3, warm, quiet=False)
            log(f"wrk {args.duration} s, {args.concurrency} connections: {name}")
            r = wrk.run(f"page-{index}", specs, args.duration, args.concurrency)
            results[name] = r
            log(f"  {r['rps']:.0f} req/s, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, "
                f"errors {r['error_total']} {r['statuses']}; server p50 "
                f"{r['server_ms'].get('p50', 0):.1f} ms; other processes' CPU "
                f"{r['other_cpu_percent']:.0f}% {r['other_cpu_top']}")  # fmt: skip

        if args.serial_duration:
            facts["serial"] = {}
            for name in [
                n for n in ("results page", "team dashboard", "team CSV export") if n in pages
            ]:
                r = wrk.run("serial", [pages[name]], args.serial_duration, 1)
                facts["serial"][name] = r
                log(f"  alone: {name}: p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms")

        every = [spec for page in pages.values() for spec in page.get("specs", [page])]
        if not args.skip_load:
            log(f"mixed load: {args.load_duration} s, {args.load_concurrency} connections")
            facts["load"] = wrk.run("load", every, args.load_duration, args.load_concurrency)
            log(f"  {facts['load']['rps']:.0f} req/s, errors {facts['load']['error_total']}, "
                f"statuses {facts['load']['statuses']}")  # fmt: skip

        if not args.skip_fault:
            facts["fault"] = fault_run(args, wrk, gunicorn, every, pages, base)
    finally:
        if wrk:
            wrk.kill()
        stop_gunicorn(gunicorn)
        ensure_pg_running()
    if "fault" in facts:
        facts["fault"]["pg_running_at_end"] = pg_running()
    facts["transfers"] = dict(TRANSFERS)
    facts["load_average"] = {"start": LOAD_AT_START, "end": os.getloadavg()}
    if not args.skip_growth and not args.pages:
        facts["growth"] = growth_series(args)

    settings = {
        "gunicorn": subprocess.run(
            [str(GUNICORN), "--version"], capture_output=True, text=True
        ).stdout.strip()
        or "gunicorn",  # fmt: skip
        "env": {
            k: ("(set)" if k == "SECRET_KEY" else v)
            for k, v in app_env().items()
            if k
            in ("DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "CONN_MAX_AGE")
        },  # fmt: skip
    }
    if args.pages:
        # A partial run measures what was asked beside the baselines; the targets and the
        # results file need every page, so it only prints its shares.
        base = results[VIEW_BASELINE if VIEW_BASELINE in results else STATIC_BASELINE]["rps"]
        one = results.get(ONE_QUERY, {}).get("rps") or base
        for name, r in results.items():
            log(f"{name}: {r['rps']:.0f} req/s, p99 {r['p99_ms']:.1f} ms, {r['rps'] / base:.3f} "
                f"of the bare view, {r['rps'] / one:.3f} of the one-query view")  # fmt: skip
        return 0
    busy = [n for n, r in results.items() if r["other_cpu_percent"] > args.idle_threshold]
    output = Path(args.output)
    if busy and not args.allow_busy:
        output = workdir / "results-busy.md"
        log(f"the machine was busy during {busy} (other processes over "
            f"{args.idle_threshold:.0f}% of the CPU): {args.output} is left as it was; "
            f"these figures are in {output}")  # fmt: skip
    summary = write_results(output, facts, results, args, settings)
    (output.with_suffix(".json")).write_text(
        json.dumps(
            {
                "pages": results,
                "load": facts.get("load"),
                "fault": facts.get("fault"),
                "serial": facts.get("serial"),
                "import": facts.get("import"),
                "growth": facts.get("growth"),
                "transfers": facts.get("transfers"),
                "load_average": facts.get("load_average"),
                "timings": facts["timings"],
                "counts": facts["built"].counts,
            },
            indent=1,
            default=str,
        )  # fmt: skip
    )
    print()
    print(output.read_text())
    for line in summary:
        print(line)
    if output != Path(args.output):
        return 3  # busy: nothing written in bench/
    return 0


class ReadinessProbe:
    """GET /readyz every `every` seconds in a thread, as a load balancer polls it."""

    def __init__(self, base: str, started: float, every: float = 0.2):
        self.base, self.started, self.every = base, started, every
        self.seen: list[tuple[float, str]] = []  # (t, status code or "error")
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.poll, daemon=True)

    def poll(self) -> None:
        while not self.done.is_set():
            t = time.time() - self.started
            try:
                with urllib.request.urlopen(self.base + "/readyz", timeout=2) as response:
                    status = str(response.status)
            except urllib.error.HTTPError as error:
                status = str(error.code)
            except (urllib.error.URLError, OSError):
                status = "error"
            self.seen.append((t, status))
            self.done.wait(self.every)

    def start(self) -> "ReadinessProbe":
        self.thread.start()
        return self

    def stop(self) -> str:
        self.done.set()
        self.thread.join(timeout=10)
        counts: dict[str, int] = {}
        for _t, status in self.seen:
            counts[status] = counts.get(status, 0) + 1
        held = [t for t, status in self.seen if status != "200"]
        window = f"t={held[0]:.1f}..{held[-1]:.1f} s" if held else "never"
        return f"{len(self.seen)} probes {json.dumps(counts, sort_keys=True)}; not ready {window}"


def fault_run(args, wrk: Wrk, gunicorn, every, pages, base: str) -> dict:
    version, cluster = pg_cluster()
    before = worker_pids(gunicorn.pid)
    log(f"fault run: {args.fault_duration} s, PostgreSQL restart after {args.restart_after} s")
    started = time.time()
    wrk.start("fault", every, args.fault_duration, args.concurrency)
    readiness = ReadinessProbe(base, started).start()
    time.sleep(args.restart_after)
    restart_at = time.time() - started
    t0 = time.monotonic()
    rc = subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "restart"],
        timeout=120, check=False, capture_output=True,
    ).returncode  # fmt: skip
    restart_seconds = time.monotonic() - t0
    log(f"  PostgreSQL restarted in {restart_seconds:.1f} s (exit {rc})")
    w = wrk.finish(args.fault_duration)
    ready = readiness.stop()
    w["drain_s"] = wrk.drain()
    first = int(started)
    seconds = sorted({int(k) for k in w["ok_at"]} | {int(k) for k in w["fail_at"]})
    timeline = ", ".join(
        f"{s - first}: {w['fail_at'].get(str(s), 0)}/{w['ok_at'].get(str(s), 0)}" for s in seconds
    )
    failing = [s - first for s in seconds if w["fail_at"].get(str(s), 0)]
    window = (f"t={failing[0]}..{failing[-1]} s ({failing[-1] - failing[0] + 1} s)"
              if failing else "none")  # fmt: skip
    # Afterwards: every page answers 200 again, without touching gunicorn.
    after = {}
    for name, page in pages.items():
        codes = []
        for _ in range(2 * args.workers):
            codes.append(check_pages({name: page}, base)[name])
        after[name] = f"{codes.count(200)}/{len(codes)} x 200" + (
            f" (others: {sorted(set(c for c in codes if c != 200))})"
            if codes.count(200) < len(codes)
            else ""
        )
    same = gunicorn.poll() is None and worker_pids(gunicorn.pid) == before
    log(
        f"  {w['statuses']}; window {window}; readyz: {ready}; after: {after}; "
        f"same processes: {same}"
    )
    return {"wrk": w, "restart_at": restart_at, "restart_seconds": restart_seconds,
            "restart_rc": rc, "timeline": timeline, "window": window, "readiness": ready,
            "after": after, "same_processes": same}  # fmt: skip


# ----------------------------------------------------------------- the Redis fault


def redis_fault_main(args) -> int:
    """Only the Redis fault: build (or reuse), gunicorn on our own redis-server, the run."""
    global REDIS_URL
    for tool in ("/usr/bin/wrk", str(GUNICORN), RedisServer.BINARY):
        if not shutil.which(tool):
            sys.exit(f"missing {tool}")
    workdir = Path(tempfile.mkdtemp(prefix="skills-bench-redis-"))
    log(f"logs and wrk scripts in {workdir}")
    server = RedisServer(workdir)
    server.start()
    REDIS_URL = server.url
    log(f"redis-server {server.process.pid if server.process else '?'} on {server.url}")
    gunicorn = None
    wrk = None
    try:
        facts = build(args) if not args.reuse else reuse()
        collectstatic()
        port = args.port or free_port()
        gunicorn = start_gunicorn(port, args.workers, workdir)
        base = f"http://127.0.0.1:{port}"
        log(f"gunicorn {gunicorn.pid} answers on {base} with {args.workers} workers")
        sys.path.insert(0, str(BENCH))
        import dataset

        individual = Session(base).login(dataset.INDIVIDUAL, dataset.PASSWORD)
        manager = Session(base).login(dataset.MANAGER, dataset.PASSWORD)
        pages = pages_for(facts["built"], individual, manager)
        signed_in = {name: page for name, page in pages.items() if "Cookie" in page["headers"]}
        statuses = check_pages(signed_in, base)
        log(f"one request each: {statuses}")
        bad = {k: v for k, v in statuses.items() if v != 200}
        if bad:
            raise RuntimeError(f"pages not answering 200: {bad}")
        wrk = Wrk(base, workdir, args, gunicorn.pid)
        fault = redis_fault_run(args, wrk, signed_in, base, server, facts["built"], individual)
    finally:
        if wrk:
            wrk.kill()
        stop_gunicorn(gunicorn)
        server.stop()
    output = BENCH / "results-redis-fault.md"
    lines = redis_fault_report(args, fault, workdir)
    output.write_text("\n".join(lines) + "\n")
    output.with_suffix(".json").write_text(json.dumps(fault, indent=1, default=str))
    print()
    print(output.read_text())
    ok = fault["server_errors"] == 0 and not fault["missing"] and fault["used_again"]
    return 0 if ok else 1


class AutosaveChecker:
    """Autosaves sent one after another, each remembered once the server acknowledged it.

    Each checker owns its skills, so the last level it saw acknowledged for a skill is
    the one the database must hold at the end. The first level sent differs from the one
    stored before the run (`stored`), so an autosave that was not written shows.
    """

    def __init__(
        self, base: str, session: Session, draft_id: int, skill_ids: list[int], stored: dict
    ):
        self.host, port = base.split("//")[1].split(":")
        self.port = int(port)
        self.session, self.draft_id, self.skill_ids = session, draft_id, skill_ids
        self.stored = stored
        self.acked: dict[int, int] = {}
        self.statuses: dict[int, int] = {}
        self.count = 0
        self.by_second: dict[int, list[int]] = {}  # second -> [failed, ok]
        self.stopping = False
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        import http.client

        headers = {
            "Cookie": self.session.cookie_header,
            "X-CSRFToken": self.session.cookie("csrftoken"),
            "Content-Type": "application/x-www-form-urlencoded",
            "HX-Request": "true",
        }
        while not self.stopping:
            skill = self.skill_ids[self.count % len(self.skill_ids)]
            passes = self.count // len(self.skill_ids)
            level = (self.stored.get(skill, -1) + 1 + passes) % 5
            self.count += 1
            conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                conn.request(
                    "POST",
                    f"/assessments/{self.draft_id}/answers/{skill}/",
                    body=f"s{skill}-level={level}",
                    headers=headers,
                )
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = 0
            finally:
                conn.close()
            self.statuses[status] = self.statuses.get(status, 0) + 1
            tally = self.by_second.setdefault(int(time.time()), [0, 0])
            tally[1 if status == 200 else 0] += 1
            if status == 200:
                self.acked[skill] = level


def redis_fault_run(args, wrk: Wrk, pages, base, server: RedisServer, built, individual) -> dict:
    """The signed-in pages under load; Redis stopped after --redis-up s for --redis-down s."""
    import dataset
    from django.db import connections

    from assessments.models import Answer, Assessment
    from careers.selectors import read_questionnaire_steps

    draft = Assessment.objects.get(pk=built.draft_id)
    steps = read_questionnaire_steps(draft.roles.values_list("pk", flat=True))
    skills = [k.pk for step in steps for k in step.skills if k.pk != built.draft_skill_id]
    stored = dict(
        Answer.objects.filter(assessment=draft, level__isnull=False).values_list(
            "skill_id", "level"
        )
    )
    checkers = [
        AutosaveChecker(base, individual, draft.pk, skills[i::2], stored)
        for i in range(2)
        if skills
    ]
    connections.close_all()
    duration, connections_count = args.load_duration, args.load_concurrency
    log(
        f"Redis fault run: {duration} s, {connections_count} connections over "
        f"{len(pages)} signed-in requests, {len(checkers)} autosave checkers over "
        f"{len(skills)} skills; Redis stopped at {args.redis_up} s for {args.redis_down} s"
    )
    started = time.time()
    wrk.start("redis-fault", list(pages.values()), duration, connections_count)
    for checker in checkers:
        checker.thread.start()
    time.sleep(args.redis_up)
    keys_before = server.key_count()
    load_average = [os.getloadavg()[0]]
    server.stop()
    stopped_at = time.time() - started
    log(f"  redis-server stopped at t={stopped_at:.1f} s ({keys_before} keys)")
    time.sleep(args.redis_down / 2)
    # A fresh log-in while Redis is down, and a page with that session (in a thread: under
    # load it waits its turn behind the queued requests, and the outage keeps its length).
    probe: dict[str, str] = {}

    def log_in_while_down() -> None:
        try:
            fresh = Session(base).login(dataset.MANAGER, dataset.PASSWORD, timeout=args.timeout)
            board = {**pages["team dashboard"], "headers": {"Cookie": fresh.cookie_header}}
            status = check_pages({"team dashboard": board}, base)["team dashboard"]
            probe["result"] = f"signed in; the team dashboard answered {status}"
        except (OSError, RuntimeError) as error:
            probe["result"] = f"FAILED: {error}"
        probe["at"] = f"t={time.time() - started:.1f} s"

    prober = threading.Thread(target=log_in_while_down, daemon=True)
    prober.start()
    time.sleep(max(0.0, started + stopped_at + args.redis_down - time.time()))
    load_average.append(os.getloadavg()[0])
    server.start()
    restarted_at = time.time() - started
    keys_on_return = server.key_count()
    log(f"  redis-server started again at t={restarted_at:.1f} s ({keys_on_return} keys)")
    w = wrk.finish(duration)
    for checker in checkers:
        checker.stopping = True
    for checker in checkers:
        checker.thread.join(timeout=120)
    prober.join(timeout=args.timeout + 30)
    login_while_down = f"{probe.get('result', 'no answer')} (answered at {probe.get('at')})"
    log(f"  log-in while Redis was down: {login_while_down}")
    wrk.drain()
    after = check_pages(pages, base)
    keys_after = server.key_count()

    acked = {skill: level for checker in checkers for skill, level in checker.acked.items()}
    stored = dict(
        Answer.objects.filter(assessment_id=draft.pk, skill_id__in=list(acked)).values_list(
            "skill_id", "level"
        )
    )
    missing = {skill: (level, stored.get(skill)) for skill, level in acked.items()
               if stored.get(skill) != level}  # fmt: skip
    connections.close_all()

    checker_statuses: dict[str, int] = {}
    by_second: dict[int, list[int]] = {}
    for checker in checkers:
        for status, n in checker.statuses.items():
            checker_statuses[str(status)] = checker_statuses.get(str(status), 0) + n
        for second, (failed, ok) in checker.by_second.items():
            tally = by_second.setdefault(second, [0, 0])
            tally[0] += failed
            tally[1] += ok
    first = int(started)
    seconds = sorted({int(k) for k in w["ok_at"]} | {int(k) for k in w["fail_at"]} | set(by_second))
    timeline = ", ".join(
        f"{s - first}: {w['fail_at'].get(str(s), 0) + by_second.get(s, [0, 0])[0]}/"
        f"{w['ok_at'].get(str(s), 0) + by_second.get(s, [0, 0])[1]}"
        for s in seconds
    )
    five = sum(v for k, v in w["statuses"].items() if k.startswith("5"))
    five += sum(v for k, v in checker_statuses.items() if k.startswith("5"))
    down = [s - first for s in seconds if stopped_at <= s - first < restarted_at]
    during = sum(w["ok_at"].get(str(first + s), 0) for s in down)
    during += sum(by_second.get(first + s, [0, 0])[1] for s in down)
    result = {
        "wrk": w,
        "stopped_at": stopped_at,
        "restarted_at": restarted_at,
        "keys_before_stop": keys_before,
        "keys_on_return": keys_on_return,
        "keys_after": keys_after,
        "used_again": keys_after > keys_on_return,
        "login_while_down": login_while_down,
        "checker_statuses": checker_statuses,
        "acknowledged_autosaves": sum(c.statuses.get(200, 0) for c in checkers),
        "skills_checked": len(acked),
        "missing": missing,
        "server_errors": five,
        "ok_while_down": during,
        "timeline": timeline,
        "after": after,
        "load_average": load_average,
    }
    log(
        f"  wrk {w['statuses']}, checkers {checker_statuses}; 5xx {five}; "
        f"{result['acknowledged_autosaves']} acknowledged autosaves over {len(acked)} skills, "
        f"{len(missing)} not in the database; keys after: {keys_after}; after: {after}"
    )
    return result


def redis_fault_report(args, fault: dict, workdir: Path) -> list[str]:
    w = fault["wrk"]
    non_200 = {k: v for k, v in w["statuses"].items() if k != "200"}
    return [
        "# Redis fault run",
        "",
        f"- Date: {datetime.now().astimezone():%Y-%m-%d %H:%M:%S %Z}; {os.cpu_count()} cores,"
        " loopback; wrk, gunicorn, PostgreSQL and Redis share them",
        f"- gunicorn: {args.workers} sync workers, DEBUG=false, CONN_MAX_AGE=60, database"
        f" {DB_NAME}, REDIS_URL = the benchmark's own redis-server (no persistence)",
        f"- load: {args.load_duration} s, {args.load_concurrency} wrk connections rotating over"
        " the signed-in requests (results page, questionnaire step, autosave, team dashboard,"
        " team CSV), plus 2 clients sending autosaves one after another and remembering each"
        " one acknowledged",
        f"- machine load (1-minute load average, {os.cpu_count()} cores) when Redis stopped and"
        f" when it started again: {fault['load_average'][0]:.1f}, {fault['load_average'][1]:.1f}"
        " (other people's processes included)",
        f"- redis-server stopped at t={fault['stopped_at']:.1f} s"
        f" ({fault['keys_before_stop']} keys), started again on the same port at"
        f" t={fault['restarted_at']:.1f} s ({fault['keys_on_return']} keys)",
        "",
        "## Figures",
        "",
        f"- requests (wrk): {w['requests']:,} ({w['rps']:.0f}/s), p50 {fmt_ms(w['p50_ms'])} ms,"
        f" p99 {fmt_ms(w['p99_ms'])} ms, max {fmt_ms(w['latency_us']['max'] / 1000)} ms",
        f"- wrk status codes: {json.dumps(w['statuses'], sort_keys=True)}; other than 200:"
        f" {json.dumps(non_200, sort_keys=True) if non_200 else 'none'}; socket errors:"
        f" {json.dumps({k: v for k, v in w['errors'].items() if k != 'status'})}",
        f"- autosave clients' status codes: {json.dumps(fault['checker_statuses'])}",
        f"- **server errors (5xx): {fault['server_errors']}**",
        f"- requests answered 200 while Redis was down: {fault['ok_while_down']:,}",
        f"- **acknowledged autosaves: {fault['acknowledged_autosaves']:,} over"
        f" {fault['skills_checked']} skills; the last acknowledged level of each skill is in"
        f" the database: {not fault['missing']}**"
        + (f" (not: {fault['missing']})" if fault["missing"] else ""),
        f"- a fresh log-in while Redis was down: {fault['login_while_down']}",
        f"- Redis used again without a restart: {fault['used_again']} ({fault['keys_after']}"
        " keys at the end)",
        f"- afterwards, one request each: {fault['after']}",
        f"- by second (t: not 200/200): {fault['timeline']}",
        f"- logs: {workdir}",
    ]


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
