"""Crash and outage soak of the document pipeline: a real worker and beat, killed at random.

Starts its own Redis (another port, append-only file in a scratch folder) and its own
PostgreSQL cluster (`initdb` / `pg_ctl`, another port), migrates a scratch database, and serves
documents from a local server that answers slowly (so kills land mid-fetch) and changes each
document again some seconds after its current text was recorded. A real `celery worker`
(prefork) and `celery beat` run with the production settings, a snapshot time limit and a
dispatch period scaled down so that a run takes minutes (`--time-limit`, `--dispatch-every`).
Then it kills, at random moments while fetches are in flight, either one pool process or the
whole worker (restarted a second later, as systemd's Restart=always would), `--kills` times;
once it kills Redis and starts it again, once it restarts PostgreSQL (immediate mode, as a
crash). At the end it checks every document: its versions are the distinct texts it served, in
order, none lost and none twice; no lease is left held; no message left in the broker holds
work that is neither done nor leased again, and none is delayed (an ETA a dead worker could
strand); `verify_archive` is clean. It prints the kills, the recovery times (from a kill to
the next completed fetch of each document whose fetch it cut off) against the stated bound
(lease + dispatch period), what was lost, duplicated and fetched redundantly.

It touches no shared service: everything it starts listens on 127.0.0.1 ports of its own and
is stopped at the end, with its scratch folder.

    .venv/bin/python benchmarks/soak.py [--kills 20] [--documents 20] [--concurrency 4]
"""

import argparse
import base64
import json
import os
import random
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
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REVISION = re.compile(r"soakrev(\d{4})")
# Seconds for a queued fetch to be picked up (a worker restarted after a kill takes a few
# seconds to start) and its response ingested, beyond the response's delay.
FETCH_SLACK_SECONDS = 10
# Words a revision's clause is drawn from.
WORDS = re.findall(
    r"\w+",
    "account access arbitration billing cancel consent content cookies data delete dispute "
    "email export fees governing jurisdiction license limit minors notice partners payment "
    "privacy profile refund retention rights security share storage subscription suspend "
    "termination third transfer update usage warranty withdraw advertising analytics appeal",
)


def program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        sys.exit(f"soak: `{name}` is needed (the Redis and PostgreSQL server programs)")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def document_text(number: int, revision: int) -> bytes:
    """Revision `revision` of document `number`: a fixed preamble and a clause of words drawn
    for this revision, so each revision is a change in words, never a return to an older
    text."""
    draw = random.Random(number * 100_003 + revision)
    clause = " ".join(draw.choice(WORDS) for _ in range(24))
    return (
        f"# Terms of service of soak platform {number}\n\n"
        "These terms govern your use of the service. By creating an account you agree to them, "
        "to the privacy policy and to the community rules that apply to every member. Read "
        "them carefully: they limit our liability and set out how disputes are resolved.\n\n"
        f"## Current clause soakrev{revision:04d}\n\n"
        f"The service may {clause}.\n"
    ).encode()


def snapshot_kwargs(message: dict) -> dict | None:
    """The keyword arguments of a snapshot task's message as Redis keeps it, else None."""
    if message.get("headers", {}).get("task") != "apps.documents.tasks.snapshot_document":
        return None
    _args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
    return kwargs


class DocumentServer:
    """Serves /doc/<n> as the document's current revision after a delay, and records which
    client port is being answered (to tell which process a kill cut off) and every response
    sent in full."""

    def __init__(self, *, port: int, delay: float):
        self.delay = delay
        self.revision: dict[int, int] = defaultdict(int)
        self.in_flight: dict[int, int] = {}  # client port -> document number
        self.completed: list[tuple[int, int, float]] = []  # document, revision, time
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                match = re.fullmatch(r"/doc/(\d+)", self.path)
                if not match:
                    self.send_error(404)
                    return
                number, client_port = int(match[1]), self.client_address[1]
                with site.lock:
                    site.in_flight[client_port] = number
                try:
                    time.sleep(random.uniform(site.delay / 2, site.delay * 1.5))
                    with site.lock:
                        revision = site.revision[number]
                    body = document_text(number, revision)
                    self.send_response(200)
                    self.send_header("Content-Type", "text/markdown; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    self.wfile.flush()
                    with site.lock:
                        site.completed.append((number, revision, time.time()))
                except OSError:
                    pass  # the fetching process was killed
                finally:
                    with site.lock:
                        site.in_flight.pop(client_port, None)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, number: int) -> str:
        return f"http://127.0.0.1:{self.port}/doc/{number}"

    def in_flight_for(self, ports: set[int] | None = None) -> set[int]:
        with self.lock:
            return {
                number for port, number in self.in_flight.items() if ports is None or port in ports
            }

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        pass
    return inodes


def client_ports(pid: int, server_port: int) -> set[int]:
    """The local ports of the process's TCP connections to the document server."""
    inodes = _socket_inodes(pid)
    ports = set()
    try:
        lines = Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]
    except OSError:
        return ports
    for line in lines:
        fields = line.split()
        local, remote, inode = fields[1], fields[2], fields[9]
        if inode in inodes and int(remote.split(":")[1], 16) == server_port:
            ports.add(int(local.split(":")[1], 16))
    return ports


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


class RedisServer:
    def __init__(self, *, port: int, workdir: Path):
        self.port, self.workdir = port, workdir
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None
        self.start()

    def start(self):
        self.log = (self.workdir / "redis.log").open("a")
        self.process = subprocess.Popen(
            [program("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
             str(self.workdir), "--appendonly", "yes", "--save", ""],
            stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for(lambda: self._ping(), "Redis to start", 20)

    def _ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.log.close()

    def client(self):
        import redis

        return redis.Redis.from_url(self.url)


class ScratchPostgres:
    """A PostgreSQL cluster of its own (initdb, pg_ctl). initdb refuses to run as root, so
    under root it runs as the `postgres` user."""

    def __init__(self, *, port: int, workdir: Path):
        self.port = port
        self.data = workdir / "pgdata"
        self.sockets = workdir / "pgsock"
        self.sockets.mkdir()
        self.prefix = []
        if os.geteuid() == 0:
            shutil.chown(workdir, "postgres")
            shutil.chown(self.sockets, "postgres")
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self._run(
            [
                program("initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
            ]
        )
        self.options = (
            f"-p {port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=100"
        )
        self._pg_ctl("start")
        subprocess.run(
            [program("psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-q", "-c",
             "create database soak"], check=True,
        )  # fmt: skip
        self.url = f"postgres://postgres@127.0.0.1:{port}/soak"

    def _run(self, command):
        subprocess.run([*self.prefix, *command], check=True, stdout=subprocess.DEVNULL)

    def _pg_ctl(self, action: str, *arguments: str):
        log = str(self.data.parent / "postgres.log")
        command = [program("pg_ctl"), "-D", str(self.data), "-o", self.options, "-l", log, "-w"]
        self._run([*command, *arguments, action])

    def restart(self):
        self._pg_ctl("restart", "-m", "immediate")

    def stop(self):
        self._pg_ctl("stop", "-m", "fast")


def wait_for(condition, what: str, timeout: float):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.1)


class Processes:
    """The worker and beat, restarted when they exit (the supervisor's Restart=always); exits
    the soak did not cause are counted."""

    def __init__(self, *, environment: dict, workdir: Path, concurrency: int):
        self.environment, self.workdir, self.concurrency = environment, workdir, concurrency
        self.unexpected_exits = 0
        self.worker = self._start_worker()
        self.beat = self._start_beat()

    def _start(self, name: str, arguments: list[str]):
        log = (self.workdir / f"{name}.log").open("a")
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "conductatlas", *arguments,
             "--loglevel", "info"],
            cwd=REPO, env=self.environment, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def _start_worker(self):
        self.worker_started_at = time.time()
        return self._start(
            "worker",
            ["worker", "--concurrency", str(self.concurrency), "--queues", "celery",
             "--without-gossip", "--without-mingle"],
        )  # fmt: skip

    def _start_beat(self):
        return self._start("beat", ["beat", "--schedule", str(self.workdir / "beat-schedule")])

    def supervise(self):
        if self.worker.poll() is not None:
            self.unexpected_exits += 1
            self.worker = self._start_worker()
        if self.beat.poll() is not None:
            self.unexpected_exits += 1
            self.beat = self._start_beat()

    def pool_processes(self) -> list[int]:
        return children(self.worker.pid)

    def kill_worker(self):
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait()
        time.sleep(1)
        self.worker = self._start_worker()

    def stop(self):
        for process in (self.beat, self.worker):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in (self.beat, self.worker):
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@dataclass
class Event:
    """A kill or restart and the documents whose run it cut off: those the killed worker held a
    message for (running, or received and waiting for a pool process) that carries the
    document's current lease, or those being fetched when only one pool process was killed.
    A later event that cuts a document off again ends the measure of the earlier one."""

    kind: str  # pool process, worker, broker, database
    at: float
    documents: set[int]


@dataclass
class SoakReport:
    lines: list[str] = field(default_factory=list)
    kills: int = 0
    recoveries: list[float] = field(default_factory=list)
    unrecovered: int = 0
    bound: float = 0.0
    lost: int = 0
    duplicated: int = 0
    out_of_order: int = 0
    stuck_leases: int = 0
    stranded: int = 0
    unexpected_exits: int = 0
    archive_clean: bool = False


class Soak:
    def __init__(self, *, options, database_url: str, redis: RedisServer, workdir: Path,
                 restart_database=None):  # fmt: skip
        self.options, self.redis, self.workdir = options, redis, workdir
        self.restart_database = restart_database
        self.server = DocumentServer(port=options.server_port or free_port(), delay=options.delay)
        self.environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "conductatlas.settings.production",
            "DJANGO_SECRET_KEY": "soak-only-" + os.urandom(16).hex(),
            "DATABASE_URL": database_url,
            "DJANGO_MEDIA_ROOT": str(options.media_root),
            "REDIS_URL": redis.url,
            "CELERY_BROKER_URL": redis.url,
            "CACHE_REDIS_URL": redis.url,
            "CELERY_BROKER_TRANSPORT_OPTIONS": "{}",
            "FETCHER_ALLOWED_HOSTS": f"127.0.0.1:{self.server.port}",
            "FETCHER_PER_HOST_DELAY": "0",
            "DOCUMENTS_SNAPSHOT_TIME_LIMIT_SECONDS": str(options.time_limit),
            "DOCUMENTS_FETCH_LEASE_MARGIN_SECONDS": str(options.lease_margin),
            "DOCUMENTS_DISPATCH_EVERY_SECONDS": str(options.dispatch_every),
            "DJANGO_LOG_LEVEL": "WARNING",
        }
        # A killed run's lease expires at most a lease after the kill, the next dispatch comes
        # within a period, and the new fetch takes its own time: the slowest response here,
        # plus a few seconds to be picked up and ingested.
        self.bound = (
            options.time_limit + options.lease_margin + options.dispatch_every
            + options.delay * 1.5 + FETCH_SLACK_SECONDS
        )  # fmt: skip
        self.events: list[Event] = []
        self.recorded: dict[int, int] = {}  # document -> latest recorded revision
        self.change_at: dict[int, float] = {}
        self.due_pending: set[int] = set()

    # -- the catalog, through the ORM of this process ------------------------------------
    def create_documents(self):
        from apps.documents.models import Document
        from apps.platforms.models import Platform

        platform = Platform.objects.create(name="Soak platform", slug=f"soak-{os.getpid()}")
        self.documents = {}
        for number in range(self.options.documents):
            document = Document.objects.create(
                platform=platform, title=f"Terms {number}", slug=f"terms-{number}",
                doc_type="terms_of_service", source_url=self.server.url(number),
                fetch_interval_hours=24, next_fetch_at=None,
            )  # fmt: skip
            self.documents[document.pk] = number

    def _refresh(self):
        """Reads the latest recorded revision of each document; changes a document whose
        current text is recorded, some seconds later, and makes it due."""
        from django.db import connection
        from django.db.models import Q
        from django.db.utils import InterfaceError, OperationalError
        from django.utils import timezone

        from apps.documents.models import Document, DocumentVersion

        try:
            latest = {}
            for document_id, text in (
                DocumentVersion.objects.filter(document_id__in=self.documents)
                .order_by("document_id", "-number")
                .distinct("document_id")
                .values_list("document_id", "text")
            ):
                latest[self.documents[document_id]] = int(REVISION.search(text)[1])
            now = time.time()
            for document_id, number in self.documents.items():
                revision = latest.get(number)
                if revision is None or revision != self.server.revision[number]:
                    continue
                if self.changing and number not in self.change_at:
                    self.change_at[number] = now + random.uniform(*self.options.change_after)
                if self.changing and self.change_at.get(number, now + 1) <= now:
                    del self.change_at[number]
                    with self.server.lock:
                        self.server.revision[number] += 1
                    self.due_pending.add(document_id)
            for document_id in list(self.due_pending):
                # Due now, unless a run holds it: that run may have read the old text and
                # will write the next due time itself.
                moment = timezone.now()
                if (
                    Document.objects.filter(pk=document_id)
                    .filter(Q(fetch_lease_until__isnull=True) | Q(fetch_lease_until__lte=moment))
                    .update(next_fetch_at=moment)
                ):
                    self.due_pending.discard(document_id)
            self.recorded = latest
        except (OperationalError, InterfaceError):
            connection.close()  # the database is restarting

    # -- the run ----------------------------------------------------------------------------
    def run(self) -> SoakReport:
        self.changing = True
        self.create_documents()
        self.processes = Processes(
            environment=self.environment, workdir=self.workdir,
            concurrency=self.options.concurrency,
        )  # fmt: skip
        started = time.monotonic()
        self.started_at = time.time()
        kinds = self._kill_plan()
        try:
            for kind in kinds:
                self._tick_for(random.uniform(*self.options.kill_every))
                self._event(kind)
            self.changing = False
            self._settle()
        finally:
            self.processes.stop()
        report = self._check()
        report.lines.insert(0, f"soak ran {time.monotonic() - started:.0f} s")
        self.server.stop()
        return report

    def _kill_plan(self) -> list[str]:
        kills = [random.choice(["pool process", "worker"]) for _ in range(self.options.kills)]
        if self.options.broker_restart:
            kills.insert(len(kills) // 3, "broker")
        if self.restart_database is not None:
            kills.insert(2 * len(kills) // 3, "database")
        return kills

    def _tick_for(self, seconds: float):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._refresh()
            self.processes.supervise()
            time.sleep(0.3)

    def _wait_for_a_fetch(self, pids) -> set[int]:
        """The client ports of `pids` with a fetch in flight, waiting a while for one."""
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            ports = set().union(*(client_ports(pid, self.server.port) for pid in pids))
            if self.server.in_flight_for(ports):
                return ports
            self._refresh()
            time.sleep(0.05)
        return set()

    def _kill_a_pool_process(self) -> bool:
        """Kills a pool process, one that is fetching if any; False when none could be (the
        pool is being replaced, or the chosen process ended by itself meanwhile)."""
        pool = self.processes.pool_processes()
        random.shuffle(pool)
        busy = [pid for pid in pool if self.server.in_flight_for(
            client_ports(pid, self.server.port))] or pool  # fmt: skip
        if not busy:
            return False
        ports = self._wait_for_a_fetch([busy[0]])
        documents = self.server.in_flight_for(ports)
        try:
            os.kill(busy[0], signal.SIGKILL)
        except ProcessLookupError:
            return False
        self.events.append(Event("pool process", time.time(), documents))
        return True

    def _event(self, kind: str):
        if kind == "pool process":
            if any(self._kill_a_pool_process() for _ in range(3)):
                return
            kind = "worker"
        self._wait_for_a_fetch([self.processes.worker.pid, *self.processes.pool_processes()])
        documents = self._held_by_the_worker()
        moment = time.time()
        if kind == "worker":
            self.processes.kill_worker()
        elif kind == "broker":
            self.redis.kill()
            self._tick_for(self.options.outage)
            self.redis.start()
        elif kind == "database":
            self.restart_database()
        self.events.append(Event(kind, moment, documents))

    def _held_by_the_worker(self) -> set[int]:
        """The documents whose current lease travels in a message the (only) worker holds:
        delivered to it and not yet acknowledged."""
        from django.db import connection
        from django.db.utils import InterfaceError, OperationalError

        from apps.documents.models import Document

        # Messages of workers killed earlier stay unacknowledged until the visibility timeout:
        # only those delivered since this worker started are its own.
        client = self.redis.client()
        tags = client.zrangebyscore("unacked_index", self.processes.worker_started_at, "+inf")
        carried = {}
        for raw in client.hmget("unacked", tags) if tags else []:
            if raw is None:
                continue
            kwargs = snapshot_kwargs(json.loads(raw)[0])
            if kwargs and kwargs.get("lease_token"):
                carried[kwargs["document_id"]] = kwargs["lease_token"]
        try:
            leases = Document.objects.filter(pk__in=carried).values_list("pk", "fetch_lease_token")
            return {self.documents[pk] for pk, token in leases if token and carried[pk] == token}
        except (OperationalError, InterfaceError):
            connection.close()
            return self.server.in_flight_for()

    def _settle(self):
        """Waits until every document's current text is recorded and nothing is leased."""
        from apps.documents.models import Document

        deadline = time.monotonic() + self.bound * 2 + 60
        while time.monotonic() < deadline:
            self._tick_for(2)
            done = all(
                self.recorded.get(number) == self.server.revision[number]
                for number in self.documents.values()
            )
            if (
                done
                and not self.due_pending
                and not Document.objects.filter(fetch_lease_until__isnull=False).exists()
            ):
                return

    # -- the checks -------------------------------------------------------------------------
    def _check(self) -> SoakReport:
        from django.db import connection

        from apps.documents.models import Document, DocumentVersion, FetchAttempt

        connection.close()
        report = SoakReport(bound=self.bound, unexpected_exits=self.processes.unexpected_exits)
        counts = defaultdict(int)
        for event in self.events:
            counts[event.kind] += 1
        report.kills = counts["pool process"] + counts["worker"]
        numbers = {number: pk for pk, number in self.documents.items()}
        by_kind = defaultdict(list)
        cut_again = 0
        slowest = None
        for event in self.events:
            for number in event.documents:
                finished = (
                    FetchAttempt.objects.filter(
                        document_id=numbers[number],
                        finished_at__gte=datetime.fromtimestamp(event.at, tz=UTC),
                    )
                    .order_by("finished_at")
                    .values_list("finished_at", flat=True)
                    .first()
                )
                if finished is None:
                    report.unrecovered += 1
                    continue
                if any(
                    event.at < later.at < finished.timestamp() and number in later.documents
                    for later in self.events
                ):
                    cut_again += 1
                    continue
                seconds = finished.timestamp() - event.at
                report.recoveries.append(seconds)
                by_kind[event.kind].append(seconds)
                if slowest is None or seconds > slowest[0]:
                    slowest = (seconds, event, number)

        served = defaultdict(list)
        for number, revision, _ in self.server.completed:
            if revision not in served[number]:
                served[number].append(revision)
        recorded_total = 0
        for pk, number in self.documents.items():
            revisions = [
                int(REVISION.search(text)[1])
                for text in DocumentVersion.objects.filter(document_id=pk)
                .order_by("number")
                .values_list("text", flat=True)
            ]
            recorded_total += len(revisions)
            report.lost += len(set(served[number]) - set(revisions))
            report.duplicated += len(revisions) - len(set(revisions))
            report.out_of_order += int(revisions != sorted(revisions))
        distinct_served = sum(len(revisions) for revisions in served.values())
        responses = len(self.server.completed)

        report.stuck_leases = Document.objects.filter(
            pk__in=self.documents, fetch_lease_until__isnull=False
        ).count()
        queued, unacked, report.stranded = self._broker_leftovers()
        interrupted = "not recorded by this version of the pipeline"
        if FetchAttempt._meta.get_field("finished_at").null:
            interrupted = str(
                FetchAttempt.objects.filter(
                    document_id__in=self.documents, finished_at__isnull=True
                ).count()
            )
        verify = subprocess.run(
            [sys.executable, "manage.py", "verify_archive"],
            cwd=REPO, env=self.environment, capture_output=True, text=True,
        )  # fmt: skip
        report.archive_clean = verify.returncode == 0

        recoveries = sorted(report.recoveries)
        median = statistics.median(recoveries) if recoveries else 0.0
        worst = recoveries[-1] if recoveries else 0.0
        options = self.options
        report.lines += [
            f"settings: {options.documents} documents, worker concurrency {options.concurrency}, "
            f"responses after {options.delay / 2:.1f}-{options.delay * 1.5:.1f} s, snapshot time "
            f"limit {options.time_limit} s, lease {options.time_limit + options.lease_margin} s, "
            f"dispatch every {options.dispatch_every:g} s",
            f"kills: {report.kills} ({counts['pool process']} pool processes, "
            f"{counts['worker']} whole workers); broker restarts: {counts['broker']}; "
            f"database restarts: {counts['database']}",
            f"worker or beat exits the soak did not cause: {report.unexpected_exits}",
            "recovery, from a kill or restart to the next completed fetch of each document whose "
            f"run it cut off: {len(recoveries)} fetches, median {median:.1f} s, worst "
            f"{worst:.1f} s "
            f"(bound {self.bound:g} s: lease + dispatch period + the new fetch and its pick-up); "
            "not recovered: "
            f"{report.unrecovered}; cut off again by a later kill before recovering (measured "
            f"from that one): {cut_again}",
            "  by cause: "
            + "; ".join(
                f"{kind} {len(times)} fetches, median {statistics.median(times):.1f} s, worst "
                f"{max(times):.1f} s"
                for kind, times in sorted(by_kind.items())
            ),
            self._slowest_line(slowest, numbers),
            f"texts served: {distinct_served} distinct; versions recorded: {recorded_total}; "
            f"lost: {report.lost}; duplicated: {report.duplicated}; documents out of order: "
            f"{report.out_of_order}",
            f"fetches: {responses} responses sent in full for {distinct_served} texts "
            f"({responses / max(distinct_served, 1):.2f} per text, "
            f"{responses - distinct_served} redundant)",
            f"stuck leases: {report.stuck_leases}; broker messages left: {queued} queued, "
            f"{unacked} unacknowledged, stranded (holding work not done or leased anew, or "
            f"delayed): {report.stranded}",
            f"interrupted fetch attempts recorded: {interrupted}",
            "verify_archive: "
            + ("clean" if report.archive_clean else f"FAILED\n{verify.stdout}{verify.stderr}"),
        ]
        return report

    def _slowest_line(self, slowest, numbers) -> str:
        """The slowest recovery with the runs of its document that followed, to see where the
        time went."""
        from apps.documents.models import FetchAttempt

        if slowest is None:
            return "  slowest: none"
        seconds, event, number = slowest
        runs = FetchAttempt.objects.filter(
            document_id=numbers[number],
            finished_at__gte=datetime.fromtimestamp(event.at, tz=UTC),
        ).order_by("finished_at")[:3]
        return (
            f"  slowest: document {number}, cut off by a {event.kind} kill "
            f"{event.at - self.started_at:.0f} s into the soak; next runs (from the kill): "
            + ", ".join(
                f"{run.started_at.timestamp() - event.at:.1f}-"
                f"{run.finished_at.timestamp() - event.at:.1f} s {run.outcome}"
                for run in runs
            )
        )

    def _broker_leftovers(self) -> tuple[int, int, int]:
        """Messages still in Redis: a message is stranded when it is delayed (an ETA) or when
        its document's lease is still the one it carries (the work waits for it)."""
        from apps.documents.models import Document

        client = self.redis.client()
        queued = client.llen("celery")
        stranded = 0
        messages = [json.loads(raw) for raw in client.lrange("celery", 0, -1)]
        unacked = [json.loads(raw)[0] for raw in client.hvals("unacked")]
        leases = dict(
            Document.objects.filter(pk__in=self.documents).values_list("pk", "fetch_lease_token")
        )
        for message in messages + unacked:
            if message.get("headers", {}).get("eta"):
                stranded += 1
                continue
            kwargs = snapshot_kwargs(message)
            if kwargs is None:
                continue
            token = kwargs.get("lease_token")
            if token and leases.get(kwargs.get("document_id")) == token:
                stranded += 1
        return queued, len(unacked), stranded


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20, help="worker kills (default 20)")
    parser.add_argument("--documents", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=4, help="worker pool processes")
    parser.add_argument("--delay", type=float, default=2.0, help="mean response delay, seconds")
    parser.add_argument("--time-limit", type=int, default=60, help="snapshot hard time limit")
    parser.add_argument("--lease-margin", type=int, default=30)
    parser.add_argument("--dispatch-every", type=float, default=10.0)
    parser.add_argument("--kill-every", type=float, nargs=2, default=(4.0, 12.0))
    parser.add_argument(
        "--change-after", type=float, nargs=2, default=(5.0, 20.0),
        help="seconds from a text's recording to the document's next change (range)",
    )  # fmt: skip
    parser.add_argument("--outage", type=float, default=5.0, help="seconds Redis stays down")
    parser.add_argument("--redis-port", type=int, default=0, help="default: a free port")
    parser.add_argument("--postgres-port", type=int, default=0, help="default: a free port")
    parser.add_argument("--server-port", type=int, default=0, help="default: a free port")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and logs")
    options = parser.parse_args(argv)
    options.broker_restart = True
    return options


def _stop(signum, frame):
    # Stopped (Ctrl-C, kill): unwind, so that every server the soak started is stopped too.
    raise KeyboardInterrupt


def main(argv=None) -> int:
    options = parse_arguments(argv)
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    random.seed(options.seed)
    for name in ("redis-server", "initdb", "pg_ctl", "psql"):
        program(name)
    workdir = Path(tempfile.mkdtemp(prefix="conductatlas-soak-"))
    options.media_root = workdir / "media"
    redis = postgres = None
    try:
        redis = RedisServer(port=options.redis_port or free_port(), workdir=workdir)
        postgres = ScratchPostgres(port=options.postgres_port or free_port(), workdir=workdir)
        os.environ.update(
            DJANGO_SETTINGS_MODULE="conductatlas.settings.test",
            DATABASE_URL=postgres.url,
            DJANGO_MEDIA_ROOT=str(options.media_root),
            DJANGO_LOG_LEVEL="WARNING",
        )
        sys.path.insert(0, str(REPO))
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=REPO, check=True,
        )  # fmt: skip
        import django

        django.setup()
        from django_scopes import scopes_disabled

        soak = Soak(options=options, database_url=postgres.url, redis=redis, workdir=workdir,
                    restart_database=postgres.restart)  # fmt: skip
        with scopes_disabled():
            report = soak.run()
        print("\n".join(report.lines))
        healthy = (
            report.lost == report.duplicated == report.out_of_order == report.unrecovered == 0
            and report.stuck_leases == report.stranded == report.unexpected_exits == 0
            and report.archive_clean
            and all(seconds <= report.bound for seconds in report.recoveries)
        )
        return 0 if healthy else 1
    finally:
        if "django" in sys.modules and postgres is not None:
            from django.db import connections

            connections.close_all()
        if postgres is not None:
            postgres.stop()
        if redis is not None and redis.process.poll() is None:
            redis.kill()
        if options.keep:
            print(f"scratch folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
