"""Tokens, approval keys, hashkey and the gateway's refusals, over the wire."""

from __future__ import annotations

import httpx

from kisbot.sim.app import Simulator
from tests.kisraw import RawKis

PRICE = "/uapi/domestic-stock/v1/quotations/inquire-price"


async def test_token_issue_returns_kis_fields(http: httpx.AsyncClient) -> None:
    kis = RawKis(http)
    response = await kis.issue_token()
    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 86_400
    assert len(body["access_token_token_expired"]) == len("2026-01-01 00:00:00")
    assert body["access_token"].count(".") == 2


async def test_second_issue_within_a_minute_is_403_egw00133(http: httpx.AsyncClient) -> None:
    kis = await RawKis(http).login()
    again = await kis.issue_token()
    assert again.status_code == 403
    assert again.json()["error_code"] == "EGW00133"


async def test_reissue_after_the_window_returns_the_same_token(
    http: httpx.AsyncClient, sim: Simulator
) -> None:
    kis = await RawKis(http).login()
    first = kis.token
    sim.clock.advance(61)
    again = await kis.issue_token()
    assert again.status_code == 200
    assert again.json()["access_token"] == first
    assert again.json()["expires_in"] < 86_400


async def test_short_keys_are_refused(http: httpx.AsyncClient) -> None:
    kis = RawKis(http, appkey="short")
    response = await kis.issue_token()
    assert response.status_code == 403
    assert response.json()["error_code"] == "EGW00103"


async def test_made_up_token_is_egw00121(http: httpx.AsyncClient) -> None:
    kis = RawKis(http, token="eyJ.made.up")
    response = await kis.get(
        PRICE, "FHKST01010100", {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}
    )
    assert response.status_code == 500
    assert response.json() == {
        "rt_cd": "1",
        "msg_cd": "EGW00121",
        "msg1": "유효하지 않은 token 입니다.",
    }


async def test_expired_token_is_egw00123(http: httpx.AsyncClient, sim: Simulator) -> None:
    kis = await RawKis(http).login()
    sim.clock.advance(86_401)
    response = await kis.get(
        PRICE, "FHKST01010100", {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}
    )
    assert response.status_code == 500
    assert response.json()["msg_cd"] == "EGW00123"


async def test_virtual_key_on_real_domain_is_egw02004(http: httpx.AsyncClient) -> None:
    kis = await RawKis(http, env="virtual").login()
    kis.env = "real"
    response = await kis.issue_token()
    assert response.status_code == 403
    assert response.json()["error_code"] == "EGW02004"


async def test_approval_key_and_hashkey(http: httpx.AsyncClient) -> None:
    kis = RawKis(http)
    key = await kis.approval_key()
    assert len(key) == 36
    body = {"CANO": "50000000", "PDNO": "005930", "ORD_QTY": "1"}
    response = await http.post(
        "/vts/uapi/hashkey", json=body, headers={"appkey": kis.appkey, "appsecret": kis.appsecret}
    )
    assert response.status_code == 200
    assert response.json()["BODY"] == body
    assert len(response.json()["HASH"]) == 64


async def test_revoke_then_token_is_invalid(http: httpx.AsyncClient) -> None:
    kis = await RawKis(http).login()
    response = await http.post(
        "/vts/oauth2/revokeP",
        json={"appkey": kis.appkey, "appsecret": kis.appsecret, "token": kis.token},
    )
    assert response.json()["code"] == 200
    after = await kis.get(
        PRICE, "FHKST01010100", {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}
    )
    assert after.json()["msg_cd"] == "EGW00121"


async def test_unknown_path_is_kis_shaped_json(http: httpx.AsyncClient) -> None:
    response = await http.get("/uapi/nothing-here")
    assert response.status_code == 404
    assert response.json()["rt_cd"] == "1"
    assert response.headers["content-type"].startswith("application/json")
