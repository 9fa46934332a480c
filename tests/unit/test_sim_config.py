"""Simulator settings: the example file stays true to the defaults; bad files are refused."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from kisbot.sim.config import DEMO_ACCOUNT, DEMO_APPKEY, DEMO_APPSECRET, SimSettings

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


def test_example_config_matches_the_defaults_and_pins_the_demo_account() -> None:
    loaded = SimSettings.from_toml(EXAMPLE)
    defaults = SimSettings()
    for f in fields(SimSettings):
        if f.name != "accounts":
            assert getattr(loaded, f.name) == getattr(defaults, f.name), f.name
    assert loaded.strict
    (account,) = loaded.accounts
    assert (account.appkey, account.appsecret, account.account) == (
        DEMO_APPKEY,
        DEMO_APPSECRET,
        DEMO_ACCOUNT,
    )
    assert (len(account.appkey), len(account.appsecret)) == (36, 180)


def test_unknown_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[sim]\nseed = 1\nsede = 2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="sede"):
        SimSettings.from_toml(path)


def test_account_needs_its_keys_and_a_known_env(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[[sim.accounts]]\nenv = "paper"\nappkey = "a"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="env"):
        SimSettings.from_toml(path)
    path.write_text('[[sim.accounts]]\nenv = "real"\nappkey = "a"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="appsecret"):
        SimSettings.from_toml(path)
