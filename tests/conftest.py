import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Each test writes archived files to its own folder, so tests never see each other's."""
    settings.MEDIA_ROOT = tmp_path / "media"
