import pytest

from tests.billing.fake_stripe import fake_stripe_configured


@pytest.fixture
def fake_stripe(settings):
    """Stripe keys configured and the gateway pointed at a fake Stripe on 127.0.0.1."""
    settings.SITE_URL = "http://testserver"
    with fake_stripe_configured(settings) as fake:
        yield fake


@pytest.fixture
def stripe_down(settings, fake_stripe):
    """Keys configured, but Stripe's address refuses connections (a closed local port)."""
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    return fake_stripe
