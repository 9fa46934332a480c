"""Strict mode: only pinned keys, secrets and accounts are accepted."""

from __future__ import annotations

import httpx
import pytest

from kisbot.sim.config import AccountConfig, SimSettings
from tests.kisraw import RawKis, new_appkey, new_appsecret

APPKEY = new_appkey()
APPSECRET = new_appsecret()
BALANCE = "/uapi/domestic-stock/v1/trading/inquire-balance"


@pytest.fixture
def sim_settings() -> SimSettings:
    return SimSettings(
        seed=7,
        walk=False,
        tick_interval=0,
        rate_real=0,
        rate_virtual=0,
        accounts=(
            AccountConfig(
                env="virtual",
                appkey=APPKEY,
                appsecret=APPSECRET,
                account="51111111-01",
                hts_id="pinned",
            ),
        ),
    )


async def test_unpinned_key_is_refused(http: httpx.AsyncClient) -> None:
    response = await RawKis(http).issue_token()
    assert response.status_code == 403
    assert response.json()["error_code"] == "EGW00103"


async def test_wrong_secret_is_refused(http: httpx.AsyncClient) -> None:
    response = await RawKis(http, appkey=APPKEY, appsecret=new_appsecret()).issue_token()
    assert response.json()["error_code"] == "EGW00105"


async def test_pinned_key_works_only_for_its_account(http: httpx.AsyncClient) -> None:
    kis = await RawKis(http, appkey=APPKEY, appsecret=APPSECRET, account="51111111-01").login()
    params = kis.balance_params()
    body = await kis.ok(BALANCE, "VTTC8434R", params)
    assert body["output2"][0]["dnca_tot_amt"] == "100000000"
    params["CANO"] = "59999999"
    other = await kis.get(BALANCE, "VTTC8434R", params)
    assert other.json()["rt_cd"] == "1"
    assert other.json()["msg_cd"] == "OPSQ0013"
