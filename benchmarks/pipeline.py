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
        run(corpus)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(corpus: Path) -> None:  # noqa: C901, PLR0915
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


if __name__ == "__main__":
    main()
