import pytest

from tests.billing.fake_stripe import PRICE_IDS, WEBHOOK_SECRET, start_fake_stripe


@pytest.fixture
def fake_stripe(settings):
    """Stripe keys configured and the gateway pointed at a fake Stripe on 127.0.0.1."""
    fake, server = start_fake_stripe()
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.STRIPE_PRICE_IDS = PRICE_IDS
    settings.SITE_URL = "http://testserver"
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def stripe_down(settings, fake_stripe):
    """Keys configured, but Stripe's address refuses connections (a closed local port)."""
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    return fake_stripe
