"""Where the browser tests find Chromium, and what happens when it is not there: on a developer's
machine they skip with the reason; in CI (`CI=true`), which installs Chromium, they fail."""

import os
import shutil
from collections.abc import Mapping, Sequence

import pytest

# CHROMIUM_PATH names another binary; otherwise the Debian package's path, then the PATH.
DEFAULT_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")


def chromium_candidates(environ: Mapping[str, str]) -> Sequence[str]:
    override = environ.get("CHROMIUM_PATH")
    return (override,) if override else DEFAULT_CANDIDATES


def chromium_executable(environ: Mapping[str, str] = os.environ) -> str:
    """The path of a Chromium to drive; skips the calling test when there is none, or fails it
    when `CI=true`."""
    candidates = chromium_candidates(environ)
    for candidate in candidates:
        found = shutil.which(candidate)
        if found:
            return found
    looked_for = ", ".join(candidates)
    if environ.get("CI", "").lower() == "true":
        pytest.fail(
            f"CI=true and no Chromium found (looked for {looked_for}): CI must run the "
            "browser tests",
            pytrace=False,
        )
    pytest.skip(
        f"no Chromium found (looked for {looked_for}); install chromium or set CHROMIUM_PATH "
        "to run the browser tests"
    )
