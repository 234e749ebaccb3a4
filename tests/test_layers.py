"""The app layering of the README's Layout section, checked on the source: every module under
apps/ is parsed (not imported) and each import of another app must point down the layers. The
imports that must never exist (STYLE.md §1, architecture.json's "nevers") are listed with their
reason, so a failure says why the import is wrong and not only that it is."""

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

APPS_DIR = Path(__file__).resolve().parent.parent / "apps"

# Which apps each app may import, top to bottom. An app missing here fails the test: a new app
# takes its place in the layering before its first import.
MAY_IMPORT: dict[str, frozenset[str]] = {
    "site": frozenset(
        {
            "monitoring",
            "provisions",
            "documents",
            "platforms",
            "regulations",
            "billing",
            "accounts",
            "core",
        }
    ),
    # The API stands beside the site: it reads the same apps and serializes, never the pages.
    "api": frozenset(
        {
            "monitoring",
            "provisions",
            "documents",
            "platforms",
            "regulations",
            "billing",
            "accounts",
            "core",
        }
    ),
    "catalog_demo": frozenset(
        {
            "monitoring",
            "provisions",
            "documents",
            "platforms",
            "regulations",
            "billing",
            "accounts",
            "core",
        }
    ),
    "monitoring": frozenset(
        {"provisions", "documents", "platforms", "regulations", "billing", "accounts", "core"}
    ),
    # Curator assistance stands beside monitoring: it reads versions and writes suggestions
    # and draft provisions, and nothing below knows it.
    "assist": frozenset({"provisions", "documents", "platforms", "regulations", "core"}),
    "provisions": frozenset({"documents", "platforms", "regulations", "billing", "core"}),
    "documents": frozenset({"platforms", "regulations", "core"}),
    "platforms": frozenset({"core"}),
    "regulations": frozenset({"core"}),
    "billing": frozenset({"accounts", "core"}),
    "accounts": frozenset({"core"}),
    "core": frozenset(),
}

# Where an app may import only part of a lower one: the catalog asks billing's entitlements
# what a viewer may see, and nothing else of the tenant side.
ONLY_MODULES: dict[tuple[str, str], frozenset[str]] = {
    ("provisions", "billing"): frozenset({"apps.billing.entitlements"}),
}

NEVER: dict[tuple[str, str], str] = {
    ("core", "platforms"): "core imports no app",
    ("core", "regulations"): "core imports no app",
    ("core", "documents"): "core imports no app",
    ("core", "provisions"): "core imports no app",
    ("core", "accounts"): "core imports no app",
    ("documents", "provisions"): "the pipeline records events; provisions react",
    ("documents", "monitoring"): "the pipeline records events; alerts react",
    ("documents", "billing"): "fetching does not depend on plans",
    ("platforms", "documents"): "the platform page lives in site",
    ("regulations", "documents"): "the regulation pages live in site",
    ("billing", "provisions"): "entitlements answer in plan terms",
    ("billing", "monitoring"): "usage is passed in",
    ("accounts", "provisions"): "demo data lives in catalog_demo",
    ("accounts", "monitoring"): "demo data lives in catalog_demo",
    ("provisions", "monitoring"): "the catalog knows nobody watches it",
}


@dataclass(frozen=True)
class AppImport:
    module: str  # the importing module, dotted
    imported: str  # the imported module, dotted
    line: int

    @property
    def app(self) -> str:
        return self.module.split(".")[1]

    @property
    def imported_app(self) -> str:
        return self.imported.split(".")[1]


def module_name(path: Path) -> str:
    relative = path.relative_to(APPS_DIR.parent).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def _is_import_by_name(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call) or not node.args:
        return False
    called = (
        node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    )
    first = node.args[0]
    return (
        called in {"import_module", "__import__"}
        and isinstance(first, ast.Constant)
        and isinstance(first.value, str)
    )


def app_imports(source: str, *, module: str, is_package: bool = False) -> list[AppImport]:
    """Every import of an `apps.<app>` module in `source`, at any depth (imports inside
    functions count: they run too), relative imports resolved against `module`, and modules
    named as a string to `import_module` or `__import__`."""
    found = []
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            # `from apps import monitoring` imports the app itself.
            names = (
                [f"{prefix}.{alias.name}" for alias in node.names] if prefix == "apps" else [prefix]
            )
        elif _is_import_by_name(node):
            names = [node.args[0].value]
        else:
            continue
        found.extend(
            AppImport(module=module, imported=name, line=node.lineno)
            for name in names
            if name.startswith("apps.")
        )
    return found


def layer_violations(imports: list[AppImport]) -> list[str]:
    problems = []
    for found in imports:
        app, target = found.app, found.imported_app
        if app == target:
            continue
        where = f"{found.module} line {found.line}: imports {found.imported}"
        if app not in MAY_IMPORT:
            problems.append(f"{where}, but app '{app}' has no place in the layering")
        elif (app, target) in NEVER:
            problems.append(f"{where}: {app} must never import {target} ({NEVER[app, target]})")
        elif target not in MAY_IMPORT[app]:
            problems.append(f"{where}: {app} may import only {sorted(MAY_IMPORT[app])}")
        elif (app, target) in ONLY_MODULES and found.imported not in ONLY_MODULES[app, target]:
            allowed = sorted(ONLY_MODULES[app, target])
            problems.append(f"{where}: {app} may import only {allowed} of {target}")
    return problems


def all_app_imports() -> list[AppImport]:
    imports = []
    for path in sorted(APPS_DIR.rglob("*.py")):
        imports.extend(
            app_imports(
                path.read_text(encoding="utf-8"),
                module=module_name(path),
                is_package=path.name == "__init__.py",
            )
        )
    return imports


def test_every_app_folder_has_a_place_in_the_layering():
    app_folders = {path.parent.name for path in APPS_DIR.glob("*/apps.py")}
    assert app_folders == set(MAY_IMPORT)


def test_imports_follow_the_layering():
    assert layer_violations(all_app_imports()) == []


def test_the_layering_itself_honours_every_never():
    assert [pair for pair in NEVER if pair[1] in MAY_IMPORT[pair[0]]] == []


def test_no_lower_app_imports_the_site_or_the_demo():
    for app, allowed in MAY_IMPORT.items():
        assert not allowed & {"site", "catalog_demo"}, app


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        (
            "apps.billing.entitlements",
            "from apps.monitoring.models import WatchedPlatform",
            "billing must never import monitoring (usage is passed in)",
        ),
        ("apps.core.views", "import apps.platforms.models", "core must never import platforms"),
        ("apps.core.views", "from apps import provisions", "core must never import provisions"),
        (
            "apps.accounts.views",
            "def f():\n    from apps.billing.models import Plan",
            "accounts may import only ['core']",
        ),
        (
            "apps.provisions.selectors",
            "from apps.billing.models import Plan",
            "provisions may import only ['apps.billing.entitlements'] of billing",
        ),
        (
            "apps.monitoring.views",
            "from ..site import views",
            "monitoring may import only",
        ),
        ("apps.reports.services", "from apps.core import models", "'reports' has no place"),
        (
            "apps.assist.services",
            "from apps.monitoring.models import ChangeAlert",
            "assist may import only",
        ),
        (
            "apps.documents.tasks",
            "import importlib\nimportlib.import_module('apps.monitoring.services')",
            "documents must never import monitoring",
        ),
    ],
)
def test_the_check_catches_an_import_against_the_layering(module, source, expected):
    problems = layer_violations(app_imports(source, module=module))
    assert len(problems) == 1 and expected in problems[0]


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("apps.monitoring.views", "from apps.billing.entitlements import upgrade_url"),
        ("apps.site.views", "from apps.monitoring.selectors import monitor_button_state"),
        ("apps.monitoring.views", "from . import services"),
        ("apps.monitoring.views", "from .selectors import watchlist_usage"),
        ("apps.documents.tasks", "import django.db"),
    ],
)
def test_the_check_lets_downward_and_internal_imports_pass(module, source):
    assert layer_violations(app_imports(source, module=module)) == []
