"""The soak of benchmarks/soak.py, short: a real worker and beat on the test database and a
Redis of the test's own, a few worker kills mid-fetch and one broker kill and restart. Nothing
is lost or recorded twice, every fetch a kill cut off is completed later, no lease is left and
no message waits in the broker for work nobody else will do. (The recovery times against the
stated bound are the benchmark's to measure: a test does not time things.)"""

import shutil

import pytest
from django.conf import settings
from django.db import connection
from django_scopes import scopes_disabled

from benchmarks import soak

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "sqlite" in settings.DATABASES["default"]["ENGINE"],
        reason="worker processes need a database they can open too; the SQLite test database "
        "lives in this process's memory (CI runs this test on PostgreSQL)",
    ),
    pytest.mark.skipif(
        shutil.which("redis-server") is None,
        reason="the test kills and restarts a Redis of its own: redis-server is not installed",
    ),
]


def _database_url() -> str:
    database = connection.settings_dict
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    return (
        f"postgres://{database['USER']}{password}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )


def test_kills_and_a_broker_restart_lose_nothing_and_strand_nothing(tmp_path):
    options = soak.parse_arguments(
        ["--kills", "3", "--documents", "4", "--concurrency", "2", "--delay", "1",
         "--time-limit", "6", "--lease-margin", "4", "--dispatch-every", "1",
         "--kill-every", "1", "2", "--change-after", "0.5", "1.5", "--outage", "1"]
    )  # fmt: skip
    options.media_root = tmp_path / "media"
    redis = soak.RedisServer(port=soak.free_port(), workdir=tmp_path)
    try:
        runner = soak.Soak(
            options=options, database_url=_database_url(), redis=redis, workdir=tmp_path
        )
        with scopes_disabled():
            report = runner.run()
    finally:
        if redis.process.poll() is None:
            redis.kill()
    summary = "\n".join(report.lines)

    assert report.kills == 3, summary
    assert [event.kind for event in runner.events].count("broker") == 1, summary
    assert report.recoveries, f"no kill cut a fetch off:\n{summary}"
    assert report.unrecovered == 0, summary
    assert (report.lost, report.duplicated, report.out_of_order) == (0, 0, 0), summary
    assert (report.stuck_leases, report.stranded) == (0, 0), summary
    assert report.unexpected_exits == 0, summary
    assert report.archive_clean, summary
