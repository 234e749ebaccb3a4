"""The snapshot pipeline on the real corpus: speed, memory and the quality of its decisions.

Serves every document of the corpus (../shared/corpus, 60 documents) from a local HTTP server
and replays each document's versions in order through the real pipeline: fetch (the real
fetcher, conditional requests included) → archive → extract → normalise → decide. A version
the archive marks as a technical upgrade is replayed after raising the document's extraction
rule version, as a curator changing the selectors would. Then prints:

- documents and fetches per second, wall time per stage, peak memory;
- versions recorded against the real changes (meta.json kinds, same_content_as and the words
  changed per diff_stats.json), false changes (a "change" version recorded for a technical
  upgrade, a flip back to an earlier text, or a pair in which no word changed) and missed word
  changes (a pair with words changed that recorded nothing), each listed;
- the CPU time of checking an unchanged document: answered 304, and answered 200 with the same
  bytes (no validators, so only the raw hash can tell);
- the raw HTML snapshots of the corpus through extraction with each document's selectors.

It uses a throw-away SQLite database and media folder.

    .venv/bin/python benchmarks/pipeline.py [--corpus ../shared/corpus]
"""

import argparse
import hashlib
import http.server
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
MEDIA_TYPES = {".md": "text/markdown; charset=utf-8", ".html": "text/html; charset=utf-8"}


class CorpusServer:
    """Serves /<document>/<file> from the corpus, with an ETag unless the query asks for none
    (`?validators=0`), answering If-None-Match with 304 like a real server."""

    def __init__(self, corpus: Path):
        corpus = corpus.resolve()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                parts = urlsplit(self.path)
                file = (corpus / parts.path.lstrip("/")).resolve()
                if corpus not in file.parents or not file.is_file():
                    self.send_error(404)
                    return
                body = file.read_bytes()
                etag = f'"{hashlib.sha256(body).hexdigest()[:20]}"'
                with_validators = "validators=0" not in parts.query
                if with_validators and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", MEDIA_TYPES.get(file.suffix, "text/plain"))
                self.send_header("Content-Length", str(len(body)))
                if with_validators:
                    self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class StageClock:
    """Wall time spent in the pipeline's stages, by wrapping the functions that implement them
    (module attributes the pipeline looks up at call time)."""

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def wrap(self, module, name: str, stage: str):
        original = getattr(module, name)

        def timed(*args, **kwargs):
            started, cpu = time.perf_counter(), time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[stage] += time.perf_counter() - started
                self.cpu[stage] += time.thread_time() - cpu
                self.calls[stage] += 1

        setattr(module, name, timed)


def setup_django(workdir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "conductatlas.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DJANGO_MEDIA_ROOT"] = str(workdir / "media")
    os.environ["FETCHER_PER_HOST_DELAY"] = "0"
    # Clause suggestions react to a change in a task of their own, like alerts and Wayback
    # captures; run eagerly here, they would be counted as the pipeline's cost.
    os.environ["CLAUSE_SUGGESTIONS_ENABLED"] = "false"
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def classify(meta_version: dict, stats: dict | None) -> str:
    """What the archive says a version is, relative to the previous one."""
    if stats is None:
        return "first"
    if meta_version.get("same_content_as"):
        return "flip-back"
    if meta_version["kind"] == "technical_upgrade":
        return "technical-upgrade"
    if stats["changed_words"] == 0:
        return "no-word-change"
    return "word-change"


def main() -> None:  # noqa: C901 (one linear report)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument(
        "--decisions",
        type=Path,
        help="write every replayed version's decision (outcome, version kind, fingerprint, change "
        "summary) to this JSON file, to compare two revisions of the pipeline on the whole corpus",
    )
    parser.add_argument(
        "--peer",
        choices=["urlwatch"],
        help="replay the corpus as HTML pages through the pipeline and through this peer, side by "
        "side (the peer is installed from PyPI into a virtual environment in the scratch folder)",
    )
    args = parser.parse_args()
    corpus: Path = args.corpus
    if not (corpus / "index.json").exists():
        raise SystemExit(
            f"error: no corpus at {corpus} (no index.json). This benchmark replays the full "
            "corpus of document histories, kept beside the repository in ../shared/corpus; "
            "pass --corpus PATH to use another copy. The test suite does not need it: it reads "
            "tests/corpus."
        )

    workdir = Path(tempfile.mkdtemp(prefix="conductatlas-pipeline-"))
    try:
        setup_django(workdir)
        if args.peer:
            peer_run(corpus, workdir=workdir, decisions_file=args.decisions)
        else:
            run(corpus, decisions_file=args.decisions)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(corpus: Path, *, decisions_file: Path | None) -> None:  # noqa: C901, PLR0915
    from django.conf import settings

    from apps.documents import fetcher, services
    from apps.documents.models import Document, DocumentVersion, FetchOutcome, VersionKind
    from apps.documents.normalization import text_fingerprint
    from apps.documents.services import ingest, pipeline
    from apps.platforms.models import Platform

    server = CorpusServer(corpus)
    # The exemption from the public-address check names the replay server's host and port.
    settings.FETCHER_ALLOWED_HOSTS = [urlsplit(server.base_url).netloc]
    stats = {
        (row["doc"], row["to"]): row for row in json.loads((corpus / "diff_stats.json").read_text())
    }
    documents = sorted(path for path in corpus.iterdir() if (path / "meta.json").is_file())

    clock = StageClock()
    clock.wrap(fetcher, "fetch", "fetch")
    # Each stage is wrapped where its caller looks it up.
    clock.wrap(pipeline, "snapshot_ingest", "ingest (all below)")
    clock.wrap(ingest, "document_text_extract", "extract")
    clock.wrap(ingest, "normalize_text", "normalise")
    clock.wrap(ingest, "snapshot_get_or_create", "archive")
    clock.wrap(ingest, "change_summary_build", "change summary")

    expected: dict[str, int] = defaultdict(int)
    recorded: dict[str, int] = defaultdict(int)
    false_changes, missed, reverts, errors = [], [], [], []
    decisions: dict[str, dict] = {}
    check_cpu: dict[str, list[float]] = defaultdict(list)
    fetches = 0
    started = time.perf_counter()

    for position, path in enumerate(documents):
        meta = json.loads((path / "meta.json").read_text())
        platform = Platform.objects.create(name=meta["service"], slug=f"p{position}")
        document = Document.objects.create(
            platform=platform,
            title=meta["terms_type"],
            slug=path.name,
            doc_type="other",
            source_url=server.base_url,
        )
        seen_fingerprints: dict[str, str] = {}
        for meta_version in meta["versions"]:
            file = meta_version["file"]
            category = classify(meta_version, stats.get((path.name, file)))
            expected[category] += 1
            if category == "technical-upgrade":
                Document.objects.filter(pk=document.pk).update(
                    extraction_rule_version=document.extraction_rule_version + 1
                )
            Document.objects.filter(pk=document.pk).update(
                source_url=f"{server.base_url}/{path.name}/{file}"
            )
            document.refresh_from_db()
            outcome = services.document_snapshot(document=document)
            fetches += 1
            attempt = outcome.attempt
            fingerprint = text_fingerprint((path / file).read_text())
            earlier = seen_fingerprints.get(fingerprint)
            seen_fingerprints.setdefault(fingerprint, file)
            label = f"{path.name} {file} ({category})"
            if attempt.outcome == FetchOutcome.ERROR:
                errors.append(f"{label}: {attempt.error_kind}: {attempt.message}")
                continue
            version = attempt.version
            kind = version.kind if version else "none"
            decisions[f"{path.name}/{file}"] = {
                "outcome": attempt.outcome,
                "reason": attempt.message,
                "kind": kind,
                "text_sha256": version.text_sha256 if version else None,
                "change_summary": version.change_summary if version else None,
            }
            recorded[f"{category} → {kind}"] += 1
            if (
                version
                and version.kind == VersionKind.CHANGE
                and category
                in (
                    "technical-upgrade",
                    "flip-back",
                    "no-word-change",
                )
            ):
                false_changes.append(label)
            if category == "word-change" and version is None:
                if earlier:
                    reverts.append(f"{label}: same words as {earlier}")
                else:
                    words = stats[(path.name, file)]["changed_words"]
                    missed.append(f"{label}: {words} words changed per diff_stats")

            # The daily check of a document that has not changed since, as a worker runs it:
            # the dispatcher has claimed the lease; the task fetches, decides and records.
            for variant, suffix in (("304", ""), ("same bytes", "?validators=0")):
                if suffix:
                    Document.objects.filter(pk=document.pk).update(
                        source_url=f"{server.base_url}/{path.name}/{file}{suffix}"
                    )
                document.refresh_from_db()
                cpu = time.thread_time()
                token = services.document_fetch_lease_claim(document_id=document.pk)
                check_cpu["lease claim"].append((time.thread_time() - cpu) * 1000)
                cpu, fetch_cpu = time.thread_time(), clock.cpu["fetch"]
                check = services.document_snapshot(document=document, lease_token=token)
                check_cpu[variant].append((time.thread_time() - cpu) * 1000)
                check_cpu[f"{variant}, without the HTTP client"].append(
                    check_cpu[variant][-1] - (clock.cpu["fetch"] - fetch_cpu) * 1000
                )
                fetches += 1
                assert check.attempt.version is None, f"{label}: a re-check recorded a version"
    elapsed = time.perf_counter() - started

    versions = DocumentVersion.objects.all()
    by_kind = defaultdict(int)
    for kind in versions.values_list("kind", flat=True):
        by_kind[kind] += 1
    real_changes = expected["word-change"] - len(reverts)

    print(
        f"Corpus: {len(documents)} documents, {sum(expected.values())} versions, {fetches} fetches"
    )
    print(
        f"Replay: {elapsed:.1f} s wall, {len(documents) / elapsed:.2f} documents/s, "
        f"{fetches / elapsed:.1f} fetches/s"
    )
    print(
        f"Peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    print("\nTime per stage (summed over the replay; the unchanged re-checks are included):")
    for stage, seconds in clock.seconds.items():
        calls = clock.calls[stage]
        print(
            f"  {stage:<22} {seconds:8.2f} s wall {clock.cpu[stage]:8.2f} s CPU  {calls:5d} calls"
            f"  {seconds / calls * 1000:8.2f} ms/call"
        )
    print("\nCPU time to check an unchanged document (this thread: HTTP client, decision, SQLite")
    print("writes and commits; the lease is claimed by the dispatcher, before the task runs):")
    for variant, samples in check_cpu.items():
        samples.sort()
        print(
            f"  {variant:<11} median {statistics.median(samples):.2f} ms, "
            f"p95 {samples[int(len(samples) * 0.95)]:.2f} ms, max {samples[-1]:.2f} ms"
        )

    print("\nWhat the archive says each version is → what the pipeline recorded:")
    for category in ("first", "word-change", "no-word-change", "flip-back", "technical-upgrade"):
        outcomes = ", ".join(
            f"{key.split(' → ')[1]}: {count}"
            for key, count in sorted(recorded.items())
            if key.startswith(category + " →")
        )
        print(f"  {category:<18} {expected[category]:4d}  → {outcomes}")
    print(
        f"\nVersions recorded: {by_kind[VersionKind.FIRST_RECORD]} first records, "
        f"{by_kind[VersionKind.CHANGE]} changes, "
        f"{by_kind[VersionKind.REEXTRACTION]} technical re-extractions"
    )
    print(f"Real changes (word changes that do not return to an earlier text): {real_changes}")
    print(f"False changes: {len(false_changes)}")
    for line in false_changes:
        print(f"  {line}")
    print(f"Missed word changes: {len(missed)}")
    for line in missed:
        print(f"  {line}")
    print(
        f"Word changes back to an earlier version's words (not a change by design): {len(reverts)}"
    )
    for line in reverts:
        print(f"  {line}")
    print(f"Fetch errors: {len(errors)}")
    for line in errors:
        print(f"  {line}")

    if decisions_file:
        decisions_file.write_text(json.dumps(decisions, indent=1, sort_keys=True))
        print(f"Decisions written to {decisions_file}")

    html_pass(corpus, server, services, Document, Platform)


def html_pass(corpus, server, services, Document, Platform) -> None:
    """The raw HTML snapshots through extraction with each document's declared selectors."""
    timings, outcomes, failures = [], defaultdict(int), []
    for path in sorted(corpus.iterdir()):
        meta_file = path / "meta.json"
        if not meta_file.is_file():
            continue
        meta = json.loads(meta_file.read_text())
        snapshots = [s["file"] for s in meta.get("snapshots", []) if s.get("file")]
        if not snapshots:
            continue
        declaration = meta.get("current_declaration", {}).get("declaration", {})
        select = declaration.get("select", [])
        select = [select] if isinstance(select, str | dict) else select
        remove = declaration.get("remove", [])
        remove = [remove] if isinstance(remove, str | dict) else remove
        platform = Platform.objects.create(
            name=f"{meta['service']} (HTML)", slug=f"html-{path.name}"
        )
        document = Document.objects.create(
            platform=platform,
            title=meta["terms_type"],
            slug=path.name,
            doc_type="other",
            source_url=server.base_url,
            # Only CSS selectors carry over; range selections fall back to main-content extraction.
            select_selectors="\n".join(s for s in select if isinstance(s, str)),
            remove_selectors="\n".join(s for s in remove if isinstance(s, str)),
        )
        for file in snapshots:
            Document.objects.filter(pk=document.pk).update(
                source_url=f"{server.base_url}/{path.name}/{file}"
            )
            document.refresh_from_db()
            started = time.perf_counter()
            attempt = services.document_snapshot(document=document).attempt
            timings.append(time.perf_counter() - started)
            outcomes[attempt.outcome] += 1
            if attempt.error_kind:
                failures.append(f"{path.name} {file}: {attempt.error_kind}: {attempt.message}")
    print(
        f"\nHTML snapshots: {len(timings)} through fetch + extraction, "
        f"median {statistics.median(timings) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms; "
        + ", ".join(f"{outcome}: {count}" for outcome, count in sorted(outcomes.items()))
    )
    for line in failures:
        print(f"  {line}")


# --- Side by side with a peer (--peer urlwatch) ---------------------------------------------

URLWATCH_REQUIREMENTS = ["urlwatch==2.29", "html2text"]
GROUND_TRUTH = ("real change", "re-extraction", "flip-flop", "link-only", "unchanged")
ALERTABLE = "real change"
PROVISIONS_PER_DOCUMENT = 5
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><header><nav><a href="/">Home</a> <a href="/legal">Legal</a></nav></header>
<main>
{body}
</main>
<footer><p>Copyright the platform. <a href="/cookies">Cookie settings</a></p></footer>
</body></html>
"""


class ReplayServer:
    """Serves one page per document at /<document>, whatever version the replay set last, with
    an ETag answering If-None-Match with 304 (as CorpusServer, but the URL stays put so both
    tools watch one address per document)."""

    def __init__(self):
        self.pages: dict[str, bytes] = {}
        pages = self.pages

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                body = pages.get(urlsplit(self.path).path.lstrip("/"))
                if body is None:
                    self.send_error(404)
                    return
                etag = f'"{hashlib.sha256(body).hexdigest()[:20]}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def html_page(markdown_text: str, title: str) -> bytes:
    """A corpus version as a platform would serve it: the text rendered to HTML inside <main>,
    between a navigation header and a footer that neither tool should read."""
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark").enable("table").render(markdown_text)
    return PAGE.format(title=title, body=body).encode()


def ground_truth_histories(corpus: Path) -> dict[str, list[tuple[str, str]]]:
    """Each document's versions in order as (file, category): "first", then what diff_stats.json
    and meta.json say the version is next to the previous one. A version whose words equal an
    earlier version's (same_content_as, or a word change back to an earlier version's normalised
    words) is a flip-flop."""
    from apps.documents.normalization import text_fingerprint

    stats = {
        (row["doc"], row["to"]): row for row in json.loads((corpus / "diff_stats.json").read_text())
    }
    histories = {}
    for path in sorted(p for p in corpus.iterdir() if (p / "meta.json").is_file()):
        meta = json.loads((path / "meta.json").read_text())
        history, seen = [], set()
        for meta_version in meta["versions"]:
            file = meta_version["file"]
            fingerprint = text_fingerprint((path / file).read_text())
            row = stats.get((path.name, file))
            if row is None:
                category = "first"
            elif meta_version.get("same_content_as") or row["to_reverts"]:
                category = "flip-flop"
            elif meta_version["kind"] == "technical_upgrade":
                category = "re-extraction"
            elif row["changed_words"] == 0:
                category = "link-only"
            elif fingerprint in seen:
                category = "flip-flop"  # back to an earlier version's words
            else:
                category = "real change"
            seen.add(fingerprint)
            history.append((file, category))
        histories[path.name] = history
    return histories


def provisions_create(document, text: str, clause_type) -> None:
    """Published provisions citing a few long sentences spread through the first version, so a
    change is assessed against clauses as it is in production."""
    import re

    from django.utils import timezone

    from apps.provisions.models import Provision, ProvisionStatus, Severity

    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if len(s.split()) >= 15]
    step = max(len(sentences) // PROVISIONS_PER_DOCUMENT, 1)
    for number, sentence in enumerate(sentences[::step][:PROVISIONS_PER_DOCUMENT]):
        Provision.objects.create(
            document=document,
            title=f"Clause {number}",
            slug=f"clause-{number}",
            status=ProvisionStatus.PUBLISHED,
            published_at=timezone.now(),
            severity=Severity.MEDIUM,
            clause_type=clause_type,
            clause_text=sentence,
            summary="-",
            why_it_matters="-",
            consumer_impact="-",
        )


class Urlwatch:
    """urlwatch 2.29 in its own virtual environment, one job per document (the same URL the
    pipeline fetches), `main` selected and converted by html2text, only the stdout reporter."""

    def __init__(self, scratch: Path, base_url: str, documents: list[str]):
        self.folder = scratch / "urlwatch"
        self.folder.mkdir()
        venv = self.folder / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", *URLWATCH_REQUIREMENTS], check=True
        )
        # Run through a wrapper that reports the process's own peak memory: the rusage of a child
        # counts the benchmark's memory too, inherited through fork.
        self.command = [str(venv / "bin" / "python"), str(self.folder / "run.py")]
        (self.folder / "run.py").write_text(
            "import sys\nimport urlwatch.cli\nreport = sys.argv.pop(1)\ntry:\n"
            "    urlwatch.cli.main()\nfinally:\n    with open('/proc/self/status') as status:\n"
            "        peak = next(line for line in status if line.startswith('VmHWM'))\n"
            "    with open(report, 'w') as out:\n        out.write(peak.split()[1])\n"
        )
        self.peak_kb = 0
        jobs = [
            f"name: {name}\nurl: {base_url}/{name}\nfilter:\n  - element-by-tag: main\n"
            "  - html2text\n"
            for name in documents
        ]
        (self.folder / "urls.yaml").write_text("---\n".join(jobs))
        (self.folder / "none.yaml").write_text("")
        (self.folder / "config.yaml").write_text(
            "display: {new: true, error: true, unchanged: false, empty-diff: false}\n"
            "report:\n  stdout: {enabled: true, color: false}\n"
        )

    def run(self, urls: str = "urls.yaml") -> tuple[dict[str, str], float]:
        """One urlwatch run: {job name: NEW/CHANGED/ERROR} and the run's CPU seconds."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        completed = subprocess.run(
            [
                *self.command,
                str(self.folder / "peak"),
                *("--urls", str(self.folder / urls)),
                *("--config", str(self.folder / "config.yaml")),
                *("--cache", str(self.folder / "cache.db")),
                *("--hooks", str(self.folder / "hooks.py")),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        self.peak_kb = max(self.peak_kb, int((self.folder / "peak").read_text()))
        reported = {}
        for line in completed.stdout.splitlines():
            head, _, name = line.partition(": ")
            status = head.split(". ")[-1]
            if head[:2].isdigit() and status in ("NEW", "CHANGED", "ERROR"):
                reported[name.strip()] = status
        return reported, cpu

    def startup_seconds(self) -> float:
        """CPU of one run with no job: interpreter, imports, configuration, cache."""
        return self.run("none.yaml")[1]


def peer_run(corpus: Path, *, workdir: Path, decisions_file: Path | None) -> None:  # noqa: C901, PLR0915
    from django.conf import settings
    from django.db.models import F

    from apps.documents import services
    from apps.documents.models import Document, FetchOutcome, VersionKind
    from apps.platforms.models import Platform
    from apps.provisions.models import ClauseType

    histories = ground_truth_histories(corpus)
    server = ReplayServer()
    settings.FETCHER_ALLOWED_HOSTS = [urlsplit(server.base_url).netloc]
    pages = {
        name: [html_page((corpus / name / file).read_text(), title=name) for file, _ in history]
        for name, history in histories.items()
    }
    clause_type = ClauseType.objects.create(name="Benchmark", slug="benchmark")
    documents = {}
    for position, name in enumerate(histories):
        platform = Platform.objects.create(name=name, slug=f"p{position}")
        documents[name] = Document.objects.create(
            platform=platform,
            title=name,
            slug=name,
            doc_type="other",
            source_url=f"{server.base_url}/{name}",
            select_selectors="main",
        )
        provisions_create(
            documents[name], (corpus / name / histories[name][0][0]).read_text(), clause_type
        )
    print(f"Installing {' '.join(URLWATCH_REQUIREMENTS)} into {workdir / 'urlwatch'} ...")
    peer = Urlwatch(workdir, server.base_url, list(histories))
    # Start-up is sampled before the replay and again before every step, so the figure taken
    # out of urlwatch's runs is measured under the same load as they were.
    startup_samples = [peer.startup_seconds() for _ in range(5)]

    ours_alerts = dict.fromkeys(GROUND_TRUTH, 0)
    peer_alerts = dict.fromkeys(GROUND_TRUTH, 0)
    checks = dict.fromkeys(GROUND_TRUTH, 0)
    ours_missed, peer_missed = [], []
    ours_cpu: dict[str, list[float]] = {"changed": [], "unchanged": []}
    worst = {"changed": (0.0, ""), "unchanged": (0.0, "")}
    # Per step: urlwatch's CPU for the run serving the new versions, with how many of its
    # checks were changed, and for the run serving nothing new.
    peer_runs: list[dict] = []
    decisions: dict[str, dict] = {}
    steps = max(len(history) for history in histories.values())
    for step in range(steps):
        # The step serves each document's next version; then a second pass serves nothing new.
        startup_samples.append(peer.startup_seconds())
        peer_run_of_step = {"checks": len(histories)}
        for recheck in (False, True):
            served: dict[str, str] = {}
            for name, history in histories.items():
                if recheck or step >= len(history):
                    served[name] = "unchanged"
                    continue
                file, category = history[step]
                served[name] = category
                server.pages[name] = pages[name][step]
                if category == "re-extraction":
                    Document.objects.filter(pk=documents[name].pk).update(
                        extraction_rule_version=F("extraction_rule_version") + 1
                    )
            for name, category in served.items():
                document = documents[name]
                document.refresh_from_db()
                cpu = time.thread_time()
                token = services.document_fetch_lease_claim(document_id=document.pk)
                attempt = services.document_snapshot(document=document, lease_token=token).attempt
                spent = (time.thread_time() - cpu) * 1000
                kind = "unchanged" if category == "unchanged" else "changed"
                ours_cpu[kind].append(spent)
                label = f"{name} {histories[name][min(step, len(histories[name]) - 1)][0]}"
                worst[kind] = max(worst[kind], (spent, label))
                version = attempt.version
                if not recheck and category != "unchanged":
                    decisions[label.replace(" ", "/")] = {
                        "outcome": attempt.outcome,
                        "reason": attempt.message,
                        "kind": version.kind if version else "none",
                        "text_sha256": version.text_sha256 if version else None,
                        "change_summary": version.change_summary if version else None,
                    }
                if category == "first" or attempt.outcome == FetchOutcome.ERROR:
                    continue
                checks[category] += 1
                alerted = version is not None and version.kind == VersionKind.CHANGE
                ours_alerts[category] += alerted
                if category == ALERTABLE and not alerted:
                    ours_missed.append(label)

            reported, cpu = peer.run()
            if recheck:
                peer_run_of_step["recheck_cpu"] = cpu
            else:
                peer_run_of_step["cpu"] = cpu
                peer_run_of_step["changed"] = sum(c != "unchanged" for c in served.values())
            for name, category in served.items():
                if category == "first":
                    continue
                alerted = reported.get(name) == "CHANGED"
                peer_alerts[category] += alerted
                if category == ALERTABLE and not alerted:
                    peer_missed.append(f"{name} {histories[name][step][0]}")
        peer_runs.append(peer_run_of_step)
        print(f"  step {step + 1}/{steps} done", file=sys.stderr)

    ours_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peer_rss = peer.peak_kb / 1024
    ours_changed = statistics.fmean(ours_cpu["changed"])
    ours_unchanged = statistics.fmean(ours_cpu["unchanged"])
    startup = statistics.median(startup_samples)
    # A step's second run checked nothing new: that prices the unchanged checks mixed into its
    # first run, which leaves the changed ones.
    peer_changed_by_step, peer_unchanged_cpu, peer_changed_cpu = [], 0.0, 0.0
    for run in peer_runs:
        unchanged_each = (run["recheck_cpu"] - startup) / run["checks"]
        changed_cpu = run["cpu"] - startup - unchanged_each * (run["checks"] - run["changed"])
        peer_unchanged_cpu += run["recheck_cpu"] - startup
        peer_changed_cpu += changed_cpu
        if run["changed"]:
            peer_changed_by_step.append(changed_cpu / run["changed"] * 1000)
    peer_changed = peer_changed_cpu / sum(run["changed"] for run in peer_runs) * 1000
    peer_unchanged = peer_unchanged_cpu / sum(run["checks"] for run in peer_runs) * 1000
    false_ours = sum(ours_alerts[c] for c in GROUND_TRUTH if c != ALERTABLE)
    false_peer = sum(peer_alerts[c] for c in GROUND_TRUTH if c != ALERTABLE)

    print(
        f"\nSide by side: {len(histories)} documents served as HTML pages, {steps} steps, each "
        "step checked twice (the new versions, then nothing new); urlwatch start-up "
        f"{startup * 1000:.0f} ms CPU per run (median of {len(startup_samples)} runs with no job, "
        f"{min(startup_samples) * 1000:.0f} to {max(startup_samples) * 1000:.0f} ms), taken out of "
        "its figures. CPU is this thread's CPU clock for ConductAtlas (lease claim to schedule "
        "update; the eagerly run reactions to a change included), the child process's user and "
        "system time for urlwatch"
    )
    print(f"  {'':<34} {'ConductAtlas':>14} {'urlwatch 2.29':>14}")
    for category in GROUND_TRUTH:
        print(
            f"  {'alerts on ' + category + f' ({checks[category]} checks)':<34} "
            f"{ours_alerts[category]:>14} {peer_alerts[category]:>14}"
        )
    print(f"  {'false alerts':<34} {false_ours:>14} {false_peer:>14}")
    print(f"  {'missed word changes':<34} {len(ours_missed):>14} {len(peer_missed):>14}")
    print(f"  {'CPU per changed check (ms)':<34} {ours_changed:>14.2f} {peer_changed:>14.2f}")
    print(f"  {'CPU per unchanged check (ms)':<34} {ours_unchanged:>14.2f} {peer_unchanged:>14.2f}")
    print(f"  {'peak memory, max RSS (MB)':<34} {ours_rss:>14.0f} {peer_rss:>14.0f}")
    for kind in ("changed", "unchanged"):
        samples = sorted(ours_cpu[kind])
        print(
            f"ConductAtlas {kind} checks ({len(samples)}): median {statistics.median(samples):.2f} "
            f"ms, p95 {samples[int(len(samples) * 0.95)]:.2f} ms; worst single check "
            f"{worst[kind][0]:.1f} ms ({worst[kind][1]})"
        )
    print(
        f"urlwatch per changed check, by step ({len(peer_changed_by_step)} steps): median "
        f"{statistics.median(peer_changed_by_step):.2f} ms, "
        f"worst {max(peer_changed_by_step):.2f} ms"
    )
    for label in ours_missed:
        print(f"  missed by ConductAtlas: {label}")
    for label in peer_missed:
        print(f"  missed by urlwatch: {label}")
    if decisions_file:
        decisions_file.write_text(json.dumps(decisions, indent=1, sort_keys=True))
        print(f"Decisions written to {decisions_file}")
    print(
        f"changed check CPU {ours_changed:.2f} ms vs urlwatch {peer_changed:.2f} ms; "
        f"unchanged {ours_unchanged:.2f} ms vs {peer_unchanged:.2f} ms; "
        f"false alerts {false_ours} vs {false_peer}; "
        f"missed word changes {len(ours_missed)} vs {len(peer_missed)}"
    )


if __name__ == "__main__":
    main()
