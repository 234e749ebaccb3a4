"""The browser tests' Chromium lookup, with fake paths: skip without Chromium, fail under CI."""

import pytest

from tests.browser.chromium import chromium_executable


@pytest.fixture
def fake_chromium(tmp_path):
    binary = tmp_path / "chromium"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    return binary


def test_the_configured_chromium_is_used(fake_chromium):
    assert chromium_executable({"CHROMIUM_PATH": str(fake_chromium)}) == str(fake_chromium)


def test_without_chromium_the_test_is_skipped_with_the_reason(tmp_path):
    missing = tmp_path / "no-chromium-here"

    with pytest.raises(pytest.skip.Exception) as skipped:
        chromium_executable({"CHROMIUM_PATH": str(missing)})

    assert f"no Chromium found (looked for {missing})" in str(skipped.value)
    assert "CHROMIUM_PATH" in str(skipped.value)


@pytest.mark.parametrize("ci", ["true", "TRUE"])
def test_under_ci_a_missing_chromium_fails_instead(tmp_path, ci):
    missing = tmp_path / "no-chromium-here"

    with pytest.raises(pytest.fail.Exception, match="CI=true and no Chromium found"):
        chromium_executable({"CHROMIUM_PATH": str(missing), "CI": ci})


def test_a_file_that_is_not_executable_is_not_chromium(fake_chromium):
    fake_chromium.chmod(0o644)

    with pytest.raises(pytest.skip.Exception):
        chromium_executable({"CHROMIUM_PATH": str(fake_chromium)})
