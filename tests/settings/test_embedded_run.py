"""The settings `make run` serves with (conductatlas.settings.local): DEBUG off, a secret key made
once per checkout, the site's URL from the port, static files collected and served by WhiteNoise."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from conductatlas.settings.secret_key import checkout_secret_key

RUN_SETTINGS = "conductatlas.settings.local"
PRINT_SETTINGS = (
    "import json; from django.conf import settings as s; print(json.dumps({'DEBUG': s.DEBUG, "
    "'SECRET_KEY': s.SECRET_KEY, 'SITE_URL': s.SITE_URL, 'STATIC_ROOT': str(s.STATIC_ROOT), "
    "'staticfiles': s.STORAGES['staticfiles']['BACKEND'], "
    "'CONN_MAX_AGE': s.DATABASES['default']['CONN_MAX_AGE']}))"
)


def run_settings(key_file: Path, **environ: str) -> dict:
    """The run settings as a fresh process sees them, with only ``environ`` of ours set."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("DJANGO_")
        and name not in {"PORT", "SITE_URL", "DATABASE_CONN_MAX_AGE"}
    }
    environ = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": RUN_SETTINGS,
        "DJANGO_SECRET_KEY_FILE": str(key_file),
        **environ,
    }
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        env=environ,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_secret_key_is_made_once_and_kept_for_the_owner_only(tmp_path):
    key_file = tmp_path / "secret_key"

    key = checkout_secret_key(key_file)

    assert len(key) >= 50
    assert key_file.read_text() == key + "\n"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert checkout_secret_key(key_file) == key
    assert checkout_secret_key(tmp_path / "another_checkout") != key
    # no draft left behind
    assert sorted(path.name for path in tmp_path.iterdir()) == ["another_checkout", "secret_key"]


def test_an_emptied_key_file_is_a_clear_error_not_an_empty_key(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("\n")

    with pytest.raises(ImproperlyConfigured, match="holds no secret key: delete it"):
        checkout_secret_key(key_file)


def test_the_run_settings_serve_without_debug_and_reuse_the_checkouts_key(tmp_path):
    key_file = tmp_path / "secret_key"

    first = run_settings(key_file)
    second = run_settings(key_file)

    assert first["DEBUG"] is False
    assert first["SECRET_KEY"] == key_file.read_text().strip()
    assert second["SECRET_KEY"] == first["SECRET_KEY"]
    assert first["STATIC_ROOT"] == str(settings.BASE_DIR / "staticfiles")
    assert first["staticfiles"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_a_given_secret_key_is_used_and_no_file_is_made(tmp_path):
    key_file = tmp_path / "secret_key"

    served = run_settings(key_file, DJANGO_SECRET_KEY="from-the-environment")

    assert served["SECRET_KEY"] == "from-the-environment"
    assert not key_file.exists()


def test_the_site_url_comes_from_the_port_unless_it_is_set(tmp_path):
    key_file = tmp_path / "secret_key"

    assert run_settings(key_file)["SITE_URL"] == "http://127.0.0.1:8000"
    assert run_settings(key_file, PORT="8822")["SITE_URL"] == "http://127.0.0.1:8822"
    published = run_settings(key_file, PORT="8822", SITE_URL="https://atlas.example/")
    assert published["SITE_URL"] == "https://atlas.example"


def test_database_connections_are_kept_between_requests(tmp_path):
    key_file = tmp_path / "secret_key"

    assert run_settings(key_file)["CONN_MAX_AGE"] >= 60
    assert run_settings(key_file, DATABASE_CONN_MAX_AGE="0")["CONN_MAX_AGE"] == 0


@pytest.mark.django_db
def test_collected_static_files_are_served_by_whitenoise_with_hashed_names(
    client, settings, tmp_path
):
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    # Only the project's own static folder: collecting every app's files would only be slower.
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    call_command("collectstatic", interactive=False, verbosity=0)

    home = client.get("/").content.decode()
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', home)
    assert stylesheet, "the home page links the hashed stylesheet"
    response = client.get(stylesheet.group(1), HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert response["Content-Encoding"] == "gzip"
    assert "immutable" in response["Cache-Control"]
    assert client.get("/static/css/no-such-file.css").status_code == 404
