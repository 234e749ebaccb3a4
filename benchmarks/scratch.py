"""The throw-away database and media folder each benchmark builds its data in."""

import contextlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def add_database_argument(parser) -> None:
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="a server database to benchmark on (default: DATABASE_URL); a scratch "
        "test_<name> database is used. SQLite is always a temporary file",
    )


@contextlib.contextmanager
def scratch_environment(*, database_url: str | None, prefix: str):
    """Points Django (not yet set up) at a scratch database and media folder, removed after."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["DJANGO_SETTINGS_MODULE"] = "conductatlas.settings.test"
    # An SQLite URL names a file the benchmark would overwrite, such as the demo database.
    server_url = database_url and not database_url.startswith("sqlite")
    os.environ["DATABASE_URL"] = (
        database_url if server_url else f"sqlite:///{workdir / 'bench.sqlite3'}"
    )
    os.environ["DJANGO_MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(REPO))
    try:
        yield workdir
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
