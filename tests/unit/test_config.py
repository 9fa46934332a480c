"""Settings: TOML file, KISBOT_* environment over it, defaults by environment, clear errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kisbot.config import KisSettings, Settings
from kisbot.domain.errors import ConfigError
from kisbot.kis.hosts import REAL_REST_URL, REAL_WS_URL, VIRTUAL_REST_URL, VIRTUAL_WS_URL

APP_KEY = "PSTEST" + "1" * 30
APP_SECRET = "secret" + "2" * 174
KIS_TABLE = f"""
[kis]
env = "virtual"
app_key = "{APP_KEY}"
app_secret = "{APP_SECRET}"
account = "50000000-01"
"""


@pytest.fixture(autouse=True)
def _no_kisbot_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in os.environ:
        if name.upper().startswith("KISBOT_"):
            monkeypatch.delenv(name)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def config_error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        Settings.from_toml(write(tmp_path, text))
    message = str(caught.value)
    assert APP_SECRET not in message
    assert APP_KEY not in message
    return message


def test_a_file_with_the_simulator_table_loads_the_kis_section(tmp_path: Path) -> None:
    settings = Settings.from_toml(write(tmp_path, "[sim]\nseed = 7\n" + KIS_TABLE))
    kis = settings.kis
    assert (kis.env, kis.cano, kis.product) == ("virtual", "50000000", "01")
    assert kis.app_key.get_secret_value() == APP_KEY
    assert (kis.rest_url, kis.ws_url, kis.rate_limit) == (VIRTUAL_REST_URL, VIRTUAL_WS_URL, 2.0)
    assert kis.real_app_key is None
    assert not kis.has_real_data_key


def test_real_defaults_follow_the_environment(tmp_path: Path) -> None:
    kis = Settings.from_toml(write(tmp_path, KIS_TABLE.replace("virtual", "real"))).kis
    assert (kis.rest_url, kis.ws_url, kis.rate_limit) == (REAL_REST_URL, REAL_WS_URL, 20.0)


def test_environment_variables_override_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KISBOT_KIS__ENV", "real")
    monkeypatch.setenv("KISBOT_KIS__REST_URL", "http://127.0.0.1:9443/")
    monkeypatch.setenv("KISBOT_KIS__RATE_LIMIT", "5")
    kis = Settings.from_toml(write(tmp_path, KIS_TABLE)).kis
    assert (kis.env, kis.rest_url, kis.rate_limit) == ("real", "http://127.0.0.1:9443", 5.0)
    assert kis.app_key.get_secret_value() == APP_KEY  # the rest still comes from the file


def test_the_environment_alone_is_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KISBOT_KIS__APP_KEY", APP_KEY)
    monkeypatch.setenv("KISBOT_KIS__APP_SECRET", APP_SECRET)
    monkeypatch.setenv("KISBOT_KIS__ACCOUNT", "5000000001")
    assert Settings().kis.account == "50000000-01"


def test_overrides_and_optional_fields(tmp_path: Path) -> None:
    text = KIS_TABLE + (
        'rest_url = "http://127.0.0.1:9443/vts/"\n'
        'ws_url = "ws://127.0.0.1:21000/vts"\n'
        f'real_app_key = "{APP_KEY[::-1]}"\n'
        f'real_app_secret = "{APP_SECRET[::-1]}"\n'
        'real_rest_url = "http://127.0.0.1:9443"\n'
        'token_dir = "~/somewhere"\n'
        "timeout = 3.5\n"
        'hts_id = "kisbotdemo"\n'
    )
    kis = Settings.from_toml(write(tmp_path, text)).kis
    assert kis.rest_url == "http://127.0.0.1:9443/vts"
    assert kis.has_real_data_key
    assert kis.real_rest_url == "http://127.0.0.1:9443"
    assert kis.token_dir == Path("~/somewhere").expanduser()
    assert (kis.timeout, kis.hts_id) == (3.5, "kisbotdemo")


def test_the_default_token_directory_is_in_the_home_directory(tmp_path: Path) -> None:
    kis = Settings.from_toml(write(tmp_path, KIS_TABLE)).kis
    assert kis.token_dir == Path.home() / ".kisbot" / "tokens"


def test_secrets_stay_out_of_repr_and_str(tmp_path: Path) -> None:
    settings = Settings.from_toml(write(tmp_path, KIS_TABLE))
    for text in (repr(settings), str(settings), repr(settings.kis), settings.model_dump_json()):
        assert APP_KEY not in text
        assert APP_SECRET not in text


def test_a_bad_account_names_the_field(tmp_path: Path) -> None:
    message = config_error(tmp_path, KIS_TABLE.replace("50000000-01", "5000-01"))
    assert "kis.account" in message
    assert str(tmp_path) in message


def test_bad_values_are_reported_without_the_values(tmp_path: Path) -> None:
    text = KIS_TABLE.replace('"virtual"', '"paper"').replace(APP_SECRET, APP_SECRET + " x")
    message = config_error(tmp_path, text + "timeout = -1\n")
    assert "kis.env" in message
    assert "kis.app_secret: must not contain spaces" in message
    assert "kis.timeout" in message


def test_a_missing_kis_table_is_reported(tmp_path: Path) -> None:
    assert "kis: Field required" in config_error(tmp_path, "[sim]\nseed = 1\n")


def test_a_misspelt_key_is_reported(tmp_path: Path) -> None:
    assert "kis.app_keys" in config_error(tmp_path, KIS_TABLE + 'app_keys = "x"\n')


def test_real_data_keys_come_in_pairs_and_only_for_virtual(tmp_path: Path) -> None:
    half = KIS_TABLE + f'real_app_key = "{APP_KEY}"\n'
    assert "go together" in config_error(tmp_path, half)
    pair = half + f'real_app_secret = "{APP_SECRET}"\n'
    assert "virtual account" in config_error(tmp_path, pair.replace('"virtual"', '"real"'))


def test_urls_need_their_scheme(tmp_path: Path) -> None:
    assert "kis.rest_url" in config_error(tmp_path, KIS_TABLE + 'rest_url = "127.0.0.1:9443"\n')
    assert "kis.ws_url" in config_error(tmp_path, KIS_TABLE + 'ws_url = "http://127.0.0.1"\n')


def test_unreadable_files_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such settings file"):
        Settings.from_toml(tmp_path / "absent.toml")
    assert "not valid TOML" in config_error(tmp_path, "[kis\n")


def test_direct_construction_reports_config_errors_without_chaining() -> None:
    with pytest.raises(ConfigError) as caught:
        Settings(kis={"app_key": APP_KEY, "app_secret": " ", "account": "50000000-01"})
    assert "kis.app_secret: must not be empty" in str(caught.value)
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None  # the ValidationError quotes the values


def test_kis_settings_are_frozen(tmp_path: Path) -> None:
    kis: KisSettings = Settings.from_toml(write(tmp_path, KIS_TABLE)).kis
    with pytest.raises(ValueError, match="frozen"):
        kis.env = "real"


def test_example_config_kis_table_points_at_the_default_simulator() -> None:
    from pathlib import Path

    from kisbot.config import Settings
    from kisbot.sim.config import DEMO_ACCOUNT, DEMO_APPKEY

    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    kis = Settings.from_toml(example).kis
    assert (kis.env, kis.account, kis.app_key.get_secret_value()) == (
        "virtual",
        DEMO_ACCOUNT,
        DEMO_APPKEY,
    )
    assert kis.rest_url == "http://127.0.0.1:9443/vts"  # `kisbot sim`'s default ports
    assert kis.ws_url == "ws://127.0.0.1:21000/vts"
    assert kis.master_url == "http://127.0.0.1:9443/common/master"
