"""The site under load: gunicorn (the production command, 2 workers, the embedded mode's
settings as `make run` uses them) on the benchmark catalog, driven by Locust in headless mode
from this machine for a bounded time with a bounded number of users.

Builds the catalog of benchmarks/pages.py in a throw-away database (SQLite in a temporary
folder, or a scratch PostgreSQL database next to --database-url / DATABASE_URL), signs in one
member per plan, starts gunicorn on 127.0.0.1 and runs Locust (benchmarks/locustfile.py) over
provision, platform and search URLs as visitors and as those members. The page cache is Redis
(--cache-url, REDIS_URL's server by default), shared by the workers as in production, and every
URL is requested once per viewer before Locust starts: the figures are the site's steady state,
not its first minute. Prints requests per second, median and 99th-percentile latency and
errors, per kind of page and overall, and the CPU time each request cost gunicorn's workers
and Locust (read from /proc, so Linux only).

    .venv/bin/python benchmarks/load.py [--platforms 1000] [--provisions 50000] [--users 20]
        [--seconds 60] [--port 9300] [--cache-url redis://127.0.0.1:6379/0]
        [--database-url postgres://postgres@127.0.0.1:5432/name]
"""

import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import pages  # noqa: E402

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
VENV_BIN = Path(sys.executable).parent
# Sessions are signed with the secret key: the benchmark and the server share this one.
SECRET_KEY = "load-benchmark-only-not-secret"  # noqa: S105
SEARCHES = (
    "arbitration",
    "arbitration licence",
    "training data",
    "liability",
    '"class action"',
    "terminate account",
    "platform 00042",
    "clause type 7",
)
# Enough distinct pages that each worker serves many, few enough to warm up in a minute or two.
URLS_PER_KIND = 40


def _sessions() -> dict[str, str]:
    """A signed-in session (its cookie value) for a member of each plan."""
    from django.test import Client
    from django_scopes import scopes_disabled

    from tests.tiers import member_on_plan

    sessions = {}
    for plan in ("free", "watcher", "professional"):
        with scopes_disabled():  # set up as an admin would
            user, _organization = member_on_plan(plan)
        client = Client()
        client.force_login(user)
        sessions[plan] = client.cookies["sessionid"].value
    return sessions


def _urls() -> dict[str, list[str]]:
    from urllib.parse import urlencode

    from apps.platforms.models import Platform
    from apps.provisions.models import Provision

    provisions = (
        Provision.objects.published()
        .select_related("document__platform")
        .order_by("?")[:URLS_PER_KIND]
    )
    platforms = Platform.objects.order_by("?")[:URLS_PER_KIND]
    return {
        "provision": [provision.get_absolute_url() for provision in provisions],
        "platform": [platform.get_absolute_url() for platform in platforms],
        "search": [f"/search/?{urlencode({'q': query})}" for query in SEARCHES],
    }


def _server_env(port: int, workdir: Path, cache_url: str) -> dict[str, str]:
    from django.db import connection

    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        database_url = f"sqlite:///{settings_dict['NAME']}"
    else:
        database_url = (
            f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:"
            f"{settings_dict['PORT']}/{settings_dict['NAME']}"
        )
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "conductatlas.settings.local",
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "DJANGO_LOG_LEVEL": "WARNING",
        "PORT": str(port),
        "CACHE_URL": cache_url,
        # Kept open between requests, as a production deployment would.
        "DATABASE_CONN_MAX_AGE": "600",
    }


def _clear_cache(cache_url: str) -> None:
    """Copies of another catalog (an earlier run) must not answer for this one."""
    import redis

    redis.Redis.from_url(cache_url).flushdb()


def _wait_until_up(url: str, *, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer {url} within {seconds} s")


def _warm_up(host: str, urls: dict[str, list[str]], sessions: dict[str, str]) -> None:
    """Every URL once as a visitor and as each member, as their earlier visits would have."""
    cookies = [None, *(f"sessionid={session}" for session in sessions.values())]
    for cookie in cookies:
        for kind_urls in urls.values():
            for url in kind_urls:
                request = urllib.request.Request(host + url, headers={"Cookie": cookie or ""})
                with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                    response.read()


def _workers_cpu_seconds(master_pid: int) -> float:
    """The CPU time (user and system) gunicorn's workers have used so far, from /proc."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    total_ticks = 0
    for pid in children:
        # The fields after the command's closing parenthesis; utime and stime are 14 and 15.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total_ticks += int(fields[11]) + int(fields[12])
    return total_ticks / os.sysconf("SC_CLK_TCK")


def _locust_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _print_stats(stats_csv: Path, *, seconds: int, users: int, cpu: dict[str, float]) -> None:
    """The table, then the CPU each request cost the server and Locust: on a machine shared
    with other work the rates and latencies say how much CPU this run got, the CPU per
    request what the site needs."""
    rows = list(csv.DictReader(stats_csv.open()))
    total = int(rows[-1]["Request Count"])
    print(f"Locust, {users} users without pause, {seconds} s:")
    print(f"  {'requests':<26} {'req/s':>8} {'median':>9} {'p99':>9} {'errors':>8}")
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "all"
        print(
            f"  {name:<26} {float(row['Requests/s']):8.1f} {row['Median Response Time']:>6} ms "
            f"{row['99%']:>6} ms {row['Failure Count']:>8}"
        )
    print(
        f"CPU per request: server {cpu['server'] * 1000 / total:.2f} ms (gunicorn's workers), "
        f"Locust {cpu['locust'] * 1000 / total:.2f} ms, over {total:,} requests"
    )


def measure(args) -> None:
    from django.core.management import call_command

    pages.build(args)
    sessions = _sessions()
    urls = _urls()
    workdir = Path(tempfile.mkdtemp(prefix="conductatlas-load-"))
    plan_file = workdir / "plan.json"
    plan_file.write_text(json.dumps({"urls": urls, "sessions": sessions}))
    env = _server_env(args.port, workdir, args.cache_url)
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=REPO,
        env=env,
        check=True,
    )
    call_command("search_index_rebuild", verbosity=0)
    server = subprocess.Popen(  # noqa: S603
        [
            str(VENV_BIN / "gunicorn"),
            "conductatlas.wsgi",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            "2",
            "--timeout",
            "120",
        ],
        cwd=REPO,
        env=env,
    )
    try:
        host = f"http://127.0.0.1:{args.port}"
        _wait_until_up(host + urls["provision"][0])
        _clear_cache(args.cache_url)
        _wait_until_up(host + urls["provision"][0])
        _warm_up(host, urls, sessions)
        server_cpu, locust_cpu = _workers_cpu_seconds(server.pid), _locust_cpu_seconds()
        subprocess.run(  # noqa: S603
            [
                str(VENV_BIN / "locust"),
                "--locustfile",
                str(BENCH_DIR / "locustfile.py"),
                "--headless",
                "--host",
                host,
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.users),
                "--run-time",
                f"{args.seconds}s",
                "--csv",
                str(workdir / "load"),
                "--only-summary",
                "--loglevel",
                "ERROR",
            ],
            cwd=REPO,
            env={**os.environ, "LOAD_PLAN": str(plan_file)},
            check=False,
            stdout=subprocess.DEVNULL,
        )
        cpu = {
            "server": _workers_cpu_seconds(server.pid) - server_cpu,
            "locust": _locust_cpu_seconds() - locust_cpu,
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
    _print_stats(workdir / "load_stats.csv", seconds=args.seconds, users=args.users, cpu=cpu)


def main() -> None:
    os.environ["DJANGO_SECRET_KEY"] = SECRET_KEY
    extra = [
        (("--users",), {"type": int, "default": 20, "help": "simulated users (bounded)"}),
        (("--seconds",), {"type": int, "default": 60, "help": "how long Locust runs"}),
        (("--port",), {"type": int, "default": 9300, "help": "gunicorn's port on 127.0.0.1"}),
        (
            ("--cache-url",),
            {
                "default": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
                "help": "the Redis database the page cache uses (it is emptied first)",
            },
        ),
    ]
    pages.main(measure, description=__doc__, extra_arguments=extra)


if __name__ == "__main__":
    main()
