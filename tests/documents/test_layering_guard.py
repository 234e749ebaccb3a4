"""Guard: the documents app stands below the provisions app and never imports it; it announces
its change events with a signal instead. The source is read with ast, not imported."""

import ast
from pathlib import Path

import pytest

DOCUMENTS_DIR = Path(__file__).resolve().parents[2] / "apps" / "documents"
HIGHER_APPS = ("apps.provisions", "apps.monitoring", "apps.site", "apps.api", "apps.assist")


def higher_imports(source: str) -> list[str]:
    imported = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            imported += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            imported.append(node.args[0].value)
    return sorted(
        {
            name
            for name in imported
            if any(name == app or name.startswith(f"{app}.") for app in HIGHER_APPS)
        }
    )


def test_the_documents_app_imports_no_app_above_it():
    offenders = {
        str(path.relative_to(DOCUMENTS_DIR.parent.parent)): uses
        for path in sorted(DOCUMENTS_DIR.rglob("*.py"))
        if (uses := higher_imports(path.read_text(encoding="utf-8")))
    }

    assert offenders == {}


@pytest.mark.parametrize(
    "source",
    [
        "from apps.provisions.models import Provision",
        "import apps.provisions.models",
        "from apps import provisions",
        "from apps.provisions import impact",
        "import importlib\nimportlib.import_module('apps.provisions.impact')",
        "def f():\n    from apps.monitoring.services import x",
    ],
)
def test_the_guard_catches_an_upward_import(source):
    assert higher_imports(source) != []


def test_the_guard_leaves_downward_imports_alone():
    assert higher_imports("from apps.core.models import BaseModel\nimport apps.platforms") == []
