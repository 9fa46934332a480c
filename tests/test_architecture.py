"""Import rules that keep the layers honest (design.md §7.2), checked on the source text."""

from __future__ import annotations

import ast
from pathlib import Path

import kisbot

PACKAGE = Path(kisbot.__file__).parent


def _imports(folder: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
        found[str(path.relative_to(PACKAGE))] = names
    return found


def test_the_simulator_never_imports_the_client() -> None:
    offenders = {
        path: sorted(n for n in names if n == "kisbot.kis" or n.startswith("kisbot.kis."))
        for path, names in _imports("sim").items()
    }
    assert {p: n for p, n in offenders.items() if n} == {}


def test_the_domain_imports_only_the_standard_library_and_itself() -> None:
    allowed_prefixes = ("kisbot.domain", "__future__")
    for path, names in _imports("domain").items():
        ours = [n for n in names if n.startswith("kisbot") and not n.startswith(allowed_prefixes)]
        assert ours == [], path
        third_party = [
            n
            for n in names
            if n.split(".")[0] in {"httpx", "pydantic", "starlette", "telegram", "sqlmodel"}
        ]
        assert third_party == [], path


def test_the_simulator_exports_its_entry_points() -> None:
    import kisbot.sim

    assert sorted(kisbot.sim.__all__) == ["SimServer", "SimSettings", "Simulator"]


def test_the_client_exports_a_curated_surface() -> None:
    import kisbot.kis

    assert kisbot.kis.__all__ == sorted(kisbot.kis.__all__)
    public = {name for name in vars(kisbot.kis) if not name.startswith("_")}
    modules = {
        "account",
        "auth",
        "client",
        "endpoints",
        "errors",
        "frames",
        "hosts",
        "ledger",
        "limiter",
        "market",
        "master",
        "orders",
        "params",
        "redact",
        "schemas",
        "stream",
    }
    assert public - modules - {"annotations"} == set(kisbot.kis.__all__)
    assert {"KisClient", "KisStream", "Price", "Book", "Notices", "KisError"} <= set(
        kisbot.kis.__all__
    )
