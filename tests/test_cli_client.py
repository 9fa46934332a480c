"""`kisbot quote` against the simulator on loopback sockets."""

from __future__ import annotations

from pathlib import Path

import pytest

from kisbot.cli import main, quote_command
from kisbot.sim.server import SimServer
from tests.kisraw import new_appkey, new_appsecret


def write_config(tmp_path: Path, server: SimServer) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        "[kis]\n"
        'env = "virtual"\n'
        f'app_key = "{new_appkey()}"\n'
        f'app_secret = "{new_appsecret()}"\n'
        'account = "50000000-01"\n'
        f'rest_url = "{server.vts_rest_url}"\n'
        f'ws_url = "{server.vts_ws_url}"\n'
        f'master_url = "{server.rest_url}/common/master"\n'
        f'token_dir = "{tmp_path / "tokens"}"\n'
        "rate_limit = 50\n",
        encoding="utf-8",
    )
    return path


async def test_quote_prints_price_change_and_indicators(
    sim_server: SimServer, tmp_path: Path
) -> None:
    state = sim_server.sim.exchange.state("005930")
    text = await quote_command(write_config(tmp_path, sim_server), "005930", None)
    assert "삼성전자 (005930, KRX)" in text
    assert f"{state.last:,}원" in text
    assert "PER" in text
    assert "52w high" in text
    aapl = await quote_command(write_config(tmp_path, sim_server), "AAPL", "NASDAQ")
    assert f"{sim_server.sim.exchange.state('AAPL').last:,.2f} USD" in aapl


def test_quote_without_config_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["quote", "005930", "--config", str(tmp_path / "missing.toml")])
    err = capsys.readouterr().err
    assert code == 1
    assert "no such settings file" in err
    assert "Traceback" not in err


async def test_check_reports_every_step_and_never_a_secret(
    sim_server: SimServer, tmp_path: Path
) -> None:
    from kisbot.cli import check_command

    config = write_config(tmp_path, sim_server)
    first = await check_command(config, "005930")
    text = first.text()
    assert first.ok, text
    for step in ("settings", "token", "quote", "balance", "websocket"):
        assert f"✓ {step}" in text
    assert "issued a new token" in text
    assert "subscribed to 005930 prices (1/41 slots)" in text
    secret_lines = config.read_text(encoding="utf-8").splitlines()[2:4]
    for line in secret_lines:  # app_key and app_secret
        assert line.split('"')[1] not in text
    second = await check_command(config, "005930")
    assert "reused the cached token" in second.text()


async def test_check_explains_a_wrong_key(sim_server: SimServer, tmp_path: Path) -> None:
    from kisbot.cli import check_command

    text = write_config(tmp_path, sim_server).read_text(encoding="utf-8")
    broken = tmp_path / "broken.toml"
    lines = text.splitlines()
    lines[2] = 'app_key = "too-short"'
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = await check_command(broken, "005930")
    assert not report.ok
    assert "✗ token" in report.text()
    assert "→ check app_key/app_secret" in report.text()
    assert "too-short" not in report.text()
