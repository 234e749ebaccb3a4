import pytest

from tests.pages.sample_catalog import build_sample_catalog


@pytest.fixture
def catalog(db):
    return build_sample_catalog()
