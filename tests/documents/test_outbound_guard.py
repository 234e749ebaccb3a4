"""Guard: the apps/documents/fetcher/ package is the only code under apps/ that may open an
outbound connection, so its SSRF checks, deadlines and size cap cannot be bypassed by a new
module that reaches for an HTTP client or a socket of its own. The source is read with ast, not
imported."""

import ast
from pathlib import Path

import pytest

APPS_DIR = Path(__file__).resolve().parents[2] / "apps"
FETCHER = APPS_DIR / "documents" / "fetcher"
# Modules (and names within them) that open network connections.
OUTBOUND = (
    "urllib3",
    "requests",
    "httpx",
    "aiohttp",
    "pycurl",
    "http.client",
    "urllib.request",
    "xmlrpc.client",
    "socket",
    "asyncio.open_connection",
)
IMPORT_FUNCTIONS = frozenset({"import_module", "__import__"})


def _is_outbound(dotted: str) -> bool:
    return any(dotted == name or dotted.startswith(f"{name}.") for name in OUTBOUND)


def _dotted(node: ast.expr) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def outbound_uses(source: str) -> list[str]:
    """Every import, dynamic import or dotted reference to an outbound module in ``source``."""
    uses = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            uses += [alias.name for alias in node.names if _is_outbound(alias.name)]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                # Catches both `from socket import create_connection` and `from http import client`.
                dotted = f"{node.module}.{alias.name}"
                if _is_outbound(node.module) or _is_outbound(dotted):
                    uses.append(dotted)
        elif isinstance(node, ast.Call):
            called = _dotted(node.func) or ""
            argument = node.args[0] if node.args else None
            if (
                called.rsplit(".", 1)[-1] in IMPORT_FUNCTIONS
                and isinstance(argument, ast.Constant)
                and isinstance(argument.value, str)
                and _is_outbound(argument.value)
            ):
                uses.append(argument.value)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            # The innermost attribute of a chain (`urllib.request` in `urllib.request.urlopen`):
            # one report per chain, and enough to see a module reached without importing it.
            dotted = f"{node.value.id}.{node.attr}"
            if _is_outbound(dotted):
                uses.append(dotted)
    return uses


def app_modules() -> list[Path]:
    return sorted(APPS_DIR.rglob("*.py"))


def fetcher_modules() -> list[Path]:
    return sorted(FETCHER.rglob("*.py"))


def test_only_the_fetcher_opens_outbound_connections():
    modules = app_modules()
    assert FETCHER / "client.py" in modules
    assert APPS_DIR / "documents" / "wayback.py" in modules

    offenders = {
        str(path.relative_to(APPS_DIR.parent)): uses
        for path in modules
        if FETCHER not in path.parents and (uses := outbound_uses(path.read_text(encoding="utf-8")))
    }

    assert offenders == {}, "only apps/documents/fetcher/ may open outbound connections"


def test_the_fetcher_is_recognised_as_the_package_that_does():
    uses = {
        use for path in fetcher_modules() for use in outbound_uses(path.read_text(encoding="utf-8"))
    }

    assert {"socket", "urllib3.connection", "http.client"} <= uses


@pytest.mark.parametrize(
    "source",
    [
        "import urllib3",
        "import requests as r",
        "import httpx",
        "import http.client",
        "from http import client",
        "from http.client import HTTPSConnection",
        "from urllib.request import urlopen",
        "from urllib import request",
        "import urllib.request",
        "import socket",
        "from socket import create_connection",
        "import aiohttp",
        "from asyncio import open_connection",
        "import asyncio\nasyncio.open_connection('h', 80)",
        "import urllib.parse\nurllib.request.urlopen('http://x')",
        "import importlib\nimportlib.import_module('urllib3')",
        "__import__('socket')",
        "def send():\n    import requests\n    return requests.post('http://x')",
    ],
)
def test_the_guard_catches_every_way_in(source):
    assert outbound_uses(source) != []


@pytest.mark.parametrize(
    "source",
    [
        "from urllib.parse import urlsplit",
        "import urllib.parse",
        "from http import HTTPStatus",
        "from django.http import HttpResponse",
        "from apps.documents import fetcher\nfetcher.api_get('x', headers={})",
        "import asyncio\nasyncio.run(main())",
        "socket_timeout = 3",
    ],
)
def test_the_guard_leaves_harmless_code_alone(source):
    assert outbound_uses(source) == []
