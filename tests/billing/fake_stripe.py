"""A local stand-in for the parts of Stripe's API that ConductAtlas calls, served by a thread of
the test process on 127.0.0.1. It answers with Stripe-shaped JSON, keeps customers and
subscriptions the tests arrange, records every request (with its Idempotency-Key) and replays
a POST sent again with the same key, as Stripe does. Its Checkout and Portal "pages" are plain
HTML, so a browser test can follow the redirect."""

import itertools
import json
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import stripe

WEBHOOK_SECRET = "whsec_test_conductatlas"  # noqa: S105 (a test-only signing secret)
PRICE_IDS = {
    "watcher": {"monthly": "price_watcher_monthly", "yearly": "price_watcher_yearly"},
    "professional": {"monthly": "price_pro_monthly", "yearly": ""},
}


@dataclass
class RecordedRequest:
    method: str
    path: str
    params: dict
    idempotency_key: str | None


@dataclass
class FakeStripe:
    url: str = ""
    customers: dict = field(default_factory=dict)
    subscriptions: dict = field(default_factory=dict)
    invoices: dict = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    replies_by_key: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    # Seconds every customer creation takes, to widen the window of concurrent clicks.
    customer_create_delay: float = 0.0

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self.ids):06d}"

    def posts(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == "POST" and r.path == path]

    def set_subscription(
        self,
        subscription_id: str,
        *,
        customer: str,
        status: str,
        price: str,
        created: int | None = None,
        organization_id: str = "",
        trial_end: int | None = None,
        current_period_end: int | None = None,
        cancel_at_period_end: bool = False,
    ) -> dict:
        """Puts a subscription into the state Stripe would now report for it."""
        created = created or int(time.time())
        subscription = {
            "id": subscription_id,
            "object": "subscription",
            "customer": customer,
            "status": status,
            "created": created,
            "trial_end": trial_end,
            "cancel_at_period_end": cancel_at_period_end,
            "metadata": {"organization_id": organization_id} if organization_id else {},
            "items": {
                "object": "list",
                "data": [
                    {
                        "id": f"si_{subscription_id}",
                        "object": "subscription_item",
                        "price": {"id": price, "object": "price"},
                        "current_period_end": current_period_end or created + 30 * 86400,
                    }
                ],
            },
        }
        with self.lock:
            self.subscriptions[subscription_id] = subscription
        return subscription

    def add_invoice(self, customer: str, *, number: str, amount_due: int, status: str = "paid"):
        invoice = {
            "id": self.new_id("in"),
            "object": "invoice",
            "customer": customer,
            "number": number,
            "status": status,
            "amount_due": amount_due,
            "currency": "usd",
            "created": int(time.time()),
            "hosted_invoice_url": f"https://invoice.stripe.test/{number}",
        }
        self.invoices.setdefault(customer, []).insert(0, invoice)

    # The API, as the handler calls it -------------------------------------------------------

    def handle(self, method: str, path: str, params: dict) -> tuple[int, dict]:
        if method == "POST" and path == "/v1/customers":
            time.sleep(self.customer_create_delay)
            customer = {
                "id": self.new_id("cus"),
                "object": "customer",
                "name": params.get("name"),
                "email": params.get("email"),
                "metadata": _sub_dict(params, "metadata"),
            }
            self.customers[customer["id"]] = customer
            return 200, customer
        if method == "POST" and path == "/v1/checkout/sessions":
            session_id = self.new_id("cs_test")
            return 200, {
                "id": session_id,
                "object": "checkout.session",
                "mode": params.get("mode"),
                "customer": params.get("customer"),
                "metadata": _sub_dict(params, "metadata"),
                "url": f"{self.url}/checkout/{session_id}",
            }
        if method == "POST" and path == "/v1/billing_portal/sessions":
            session_id = self.new_id("bps")
            return 200, {
                "id": session_id,
                "object": "billing_portal.session",
                "customer": params.get("customer"),
                "return_url": params.get("return_url"),
                "url": f"{self.url}/portal/{session_id}",
            }
        if method == "GET" and path.startswith("/v1/subscriptions/"):
            subscription = self.subscriptions.get(path.rsplit("/", 1)[1])
            if subscription is None:
                return 404, _error("No such subscription", "resource_missing")
            return 200, subscription
        if method == "GET" and path == "/v1/subscriptions":
            data = [
                s for s in self.subscriptions.values() if s["customer"] == params.get("customer")
            ]
            return 200, _list(path, sorted(data, key=lambda s: s["created"], reverse=True))
        if method == "GET" and path == "/v1/invoices":
            return 200, _list(path, self.invoices.get(params.get("customer"), []))
        return 404, _error(f"Unrecognized request URL ({method}: {path})", "url_invalid")

    # Webhooks ----------------------------------------------------------------------------------

    def signed_event(
        self, event_type: str, obj: dict, *, event_id: str | None = None, timestamp=None
    ) -> tuple[bytes, str]:
        """An event as Stripe would deliver it: the JSON body and its Stripe-Signature header,
        signed with the library's own scheme."""
        payload = json.dumps(
            {
                "id": event_id or self.new_id("evt"),
                "object": "event",
                "type": event_type,
                "created": int(time.time()),
                "data": {"object": obj},
            }
        )
        header = stripe.WebhookSignature.generate_signature_header(
            payload, WEBHOOK_SECRET, timestamp=timestamp
        )
        return payload.encode(), header


def _error(message: str, code: str) -> dict:
    return {"error": {"type": "invalid_request_error", "code": code, "message": message}}


def _list(path: str, data: list) -> dict:
    return {"object": "list", "url": path, "has_more": False, "data": data}


def _sub_dict(params: dict, prefix: str) -> dict:
    """`metadata[organization_id]=7` (Stripe's form encoding) → {"organization_id": "7"}."""
    start = f"{prefix}["
    return {key[len(start) : -1]: value for key, value in params.items() if key.startswith(start)}


class _Handler(BaseHTTPRequestHandler):
    fake: FakeStripe

    def log_message(self, format, *args):
        pass

    def _reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", "req_fake")
        self.end_headers()
        self.wfile.write(data)

    def _page(self, title: str) -> None:
        data = (
            f"<!doctype html><html lang=en><head><title>{title}</title></head>"
            f"<body><h1>{title}</h1></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _serve(self, method: str) -> None:
        parts = urlsplit(self.path)
        if method == "GET" and parts.path.startswith("/checkout/"):
            return self._page("Fake Stripe Checkout")
        if method == "GET" and parts.path.startswith("/portal/"):
            return self._page("Fake Stripe Customer Portal")
        body = b""
        if method == "POST":
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        params = dict(parse_qsl(parts.query)) | dict(parse_qsl(body.decode()))
        key = self.headers.get("Idempotency-Key")
        fake = self.fake
        fake.requests.append(RecordedRequest(method, parts.path, params, key))
        if method == "POST" and key:
            with fake.lock:
                if (parts.path, key) not in fake.replies_by_key:
                    fake.replies_by_key[(parts.path, key)] = fake.handle(method, parts.path, params)
                status, reply = fake.replies_by_key[(parts.path, key)]
        else:
            status, reply = fake.handle(method, parts.path, params)
        self._reply(status, reply)

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")


def start_fake_stripe() -> tuple[FakeStripe, ThreadingHTTPServer]:
    fake = FakeStripe()
    handler = type("FakeStripeHandler", (_Handler,), {"fake": fake})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server


@contextmanager
def fake_stripe_configured(settings):
    """Stripe keys set and the gateway pointed at a fake Stripe started for the block."""
    fake, server = start_fake_stripe()
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.STRIPE_PRICE_IDS = PRICE_IDS
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
