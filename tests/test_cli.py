"""`kisbot --help`, `kisbot sim --help`, and `kisbot sim` serving for real."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from kisbot.cli import build_parser, main

SIM_FLAGS = (
    "--host",
    "--port",
    "--ws-port",
    "--seed",
    "--config",
    "--market-hours",
    "--rate-real",
    "--rate-virtual",
    "--token-window",
    "--ping-interval",
    "--tick-interval",
    "--no-walk",
    "--krw",
    "--usd",
    "--log-level",
)


def test_help_lists_the_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "sim" in out
    assert "quote" in out
    assert "check" in out


def test_sim_help_documents_every_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["sim", "--help"])
    out = capsys.readouterr().out
    for flag in SIM_FLAGS:
        assert flag in out
    actions = build_parser()._subparsers._group_actions[0].choices["sim"]._actions  # type: ignore[union-attr]
    documented = {opt for a in actions for opt in a.option_strings if a.help}
    assert set(SIM_FLAGS) <= documented


def test_sim_rejects_bad_flags(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["sim", "--port", "70000"])
    assert done.value.code == 2
    assert "port must be" in capsys.readouterr().err


def test_sim_serves_and_prints_urls_and_demo_credentials() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kisbot",
            "sim",
            "--port",
            "0",
            "--ws-port",
            "0",
            "--tick-interval",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(8)]
        text = "".join(lines)
        assert "real    REST http://127.0.0.1:" in text
        assert "websocket ws://127.0.0.1:" in text
        assert "/vts" in text
        assert "appkey    PSDEMO" in text
        rest = text.split("REST ")[1].split()[0]
        health = httpx.get(f"{rest}/sim/health", timeout=5)
        assert health.json()["ok"] is True
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
