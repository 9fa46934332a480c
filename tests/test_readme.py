"""The README stays true: every simulator endpoint and TR ID it serves is listed there."""

from __future__ import annotations

from pathlib import Path

from kisbot.sim import quotes, trading

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_readme_lists_every_endpoint_and_tr_id() -> None:
    lines = {
        line.split("`")[1]: line
        for line in README.splitlines()
        if line.startswith(("| GET `", "| POST `"))
    }
    for endpoint in (*quotes.ENDPOINTS, *trading.ENDPOINTS):
        assert endpoint.path in lines, endpoint.path
        for tr in endpoint.trs:
            assert tr.tr_id in lines[endpoint.path], (endpoint.path, tr.tr_id)


def test_readme_test_command_is_what_ci_runs() -> None:
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/test.sh" in README
    assert "exec bash scripts/test.sh" in ci
