"""The error tree, the KIS code table and the two translating boundaries."""

from __future__ import annotations

import inspect
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

import kisbot.domain.errors as domain_errors
import kisbot.kis.errors as kis_errors
from kisbot.domain.errors import (
    AuthError,
    BrokerError,
    BrokerRejected,
    BrokerUnavailable,
    InsufficientFunds,
    KisbotError,
    MarketClosed,
    NotFound,
    OrderStateUnknown,
    RateLimited,
    SentOrder,
)
from kisbot.domain.time import KST
from kisbot.kis.endpoints import endpoint
from kisbot.kis.errors import (
    KIS_ERROR_CODES,
    KisAuthError,
    KisConnectError,
    KisError,
    KisInsufficientFunds,
    KisMarketClosed,
    KisNoService,
    KisNotFound,
    KisRateLimited,
    KisRejected,
    KisTokenExpired,
    KisTokenThrottled,
    KisUnavailable,
    map_httpx_exceptions,
    raise_for_kis,
)
from tests.kis.conftest import MakeAuth

SECRET = "APPSECRET-" + "x" * 170
BODY_OK = {"rt_cd": "0", "msg_cd": "MCA00000", "msg1": "정상처리 되었습니다.", "output": {}}


def kis_response(status: int, body: Any = None, *, text: str | None = None) -> httpx.Response:
    """A KIS answer to a request that carried secrets in its headers."""
    request = httpx.Request(
        "GET", "https://kis.test/uapi/x", headers={"appsecret": SECRET, "authorization": SECRET}
    )
    if text is not None:
        return httpx.Response(status, text=text, request=request)
    return httpx.Response(status, json=body, request=request)


def refusal(msg_cd: str, msg1: str = "메시지", status: int = 500) -> httpx.Response:
    return kis_response(status, {"rt_cd": "1", "msg_cd": msg_cd, "msg1": msg1})


def caught(response: httpx.Response) -> KisError:
    with pytest.raises(KisError) as info:
        raise_for_kis(response, tr_id="FHKST01010100", endpoint="price")
    error = info.value
    assert SECRET not in str(error)
    assert SECRET not in repr(error)
    assert not hasattr(error, "request")
    assert not hasattr(error, "response")
    return error


# ---------------------------------------------------------------------------- raise_for_kis


def test_success_returns_the_body() -> None:
    assert raise_for_kis(kis_response(200, BODY_OK)) == BODY_OK


def test_oauth_success_has_no_rt_cd_and_is_still_success() -> None:
    body = {"access_token": "t", "token_type": "Bearer", "expires_in": 86400}
    assert raise_for_kis(kis_response(200, body)) == body


def test_gateway_refusal_in_a_500_carries_its_context() -> None:
    error = caught(refusal("EGW00201", "초당 거래건수를 초과하였습니다.   "))
    assert type(error) is KisRateLimited
    assert isinstance(error, RateLimited)
    assert isinstance(error, BrokerUnavailable)
    assert error.retryable
    assert error.code == "rate_limited"
    assert (error.tr_id, error.endpoint, error.status) == ("FHKST01010100", "price", 500)
    assert (error.msg_cd, error.msg1) == ("EGW00201", "초당 거래건수를 초과하였습니다.")
    assert (error.broker_code, error.broker_message) == (error.msg_cd, error.msg1)
    assert str(error) == "price [FHKST01010100] HTTP 500: EGW00201 초당 거래건수를 초과하였습니다."


def test_business_refusal_in_a_200() -> None:
    error = caught(refusal("APBK0919", "장운영시간이 아닙니다.(주문불가)", status=200))
    assert type(error) is KisMarketClosed
    assert isinstance(error, MarketClosed)
    assert isinstance(error, BrokerRejected)
    assert not error.retryable
    assert error.code == "market_closed"


def test_oauth_refusal_uses_error_code_and_description() -> None:
    body = {
        "error_description": "접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)",
        "error_code": "EGW00133",
    }
    error = caught(kis_response(403, body))
    assert type(error) is KisTokenThrottled
    assert error.msg1 == body["error_description"]


def test_an_unknown_oauth_refusal_is_an_auth_error() -> None:
    error = caught(kis_response(403, {"error_code": "EGW00103", "error_description": "AppKey"}))
    assert type(error) is KisAuthError
    assert isinstance(error, AuthError)


def test_an_unknown_code_is_kept_on_a_generic_rejection() -> None:
    error = caught(refusal("ZZZZ9999", "새로운 오류", status=200))
    assert type(error) is KisRejected
    assert (error.msg_cd, error.code) == ("ZZZZ9999", "rejected")


def test_rt_cd_7_means_no_data() -> None:
    error = caught(
        kis_response(200, {"rt_cd": "7", "msg_cd": "KIER2570", "msg1": "조회할 자료가 없습니다"})
    )
    assert type(error) is KisNotFound
    assert isinstance(error, NotFound)


@pytest.mark.parametrize("status", [200, 502])
def test_a_body_that_is_not_json_is_unavailable_with_an_excerpt(status: int) -> None:
    error = caught(kis_response(status, text="<html>\n<b>Bad   Gateway</b>" + "x" * 500))
    assert type(error) is KisUnavailable
    assert "<html> <b>Bad Gateway</b>" in str(error)
    assert len(str(error)) < 200


@pytest.mark.parametrize("body", [[1, 2], {"detail": "upstream down"}])
def test_a_5xx_without_a_kis_envelope_is_unavailable(body: Any) -> None:
    assert type(caught(kis_response(503, body))) is KisUnavailable


@pytest.mark.parametrize(("msg_cd", "cls"), sorted(KIS_ERROR_CODES.items()))
def test_every_code_in_the_table_raises_its_class(msg_cd: str, cls: type[KisError]) -> None:
    assert type(caught(refusal(msg_cd))) is cls


def test_the_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        KIS_ERROR_CODES["X"] = KisRejected  # type: ignore[index]


async def test_a_real_only_tr_on_the_virtual_server_is_no_service(
    make_auth: MakeAuth, vts: httpx.AsyncClient
) -> None:
    search = endpoint("search_info")
    response = await vts.get(
        search.path,
        params={"PDNO": "005930", "PRDT_TYPE_CD": "300"},
        headers={"tr_id": search.real},
        auth=make_auth(),
    )
    with pytest.raises(KisNoService) as info:
        raise_for_kis(response, tr_id=search.real, endpoint=search.name)
    assert (info.value.msg_cd, info.value.status) == ("OPSQ0002", 500)


async def test_insufficient_cash_from_the_simulator(
    make_auth: MakeAuth, vts: httpx.AsyncClient
) -> None:
    buy = endpoint("buy")
    response = await vts.post(
        buy.path,
        json={
            "CANO": "50000000",
            "ACNT_PRDT_CD": "01",
            "PDNO": "005930",
            "ORD_DVSN": "01",
            "ORD_QTY": "100000",
            "ORD_UNPR": "0",
        },
        headers={"tr_id": "VTTC0012U"},
        auth=make_auth(),
    )
    with pytest.raises(KisInsufficientFunds) as info:
        raise_for_kis(response)
    assert isinstance(info.value, InsufficientFunds)
    assert info.value.status == 200


# -------------------------------------------------------------------- map_httpx_exceptions


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (httpx.ConnectError("refused"), KisConnectError),
        (httpx.ConnectTimeout("slow"), KisConnectError),
        (httpx.ReadTimeout("no answer"), KisUnavailable),
        (httpx.RemoteProtocolError("closed"), KisUnavailable),
    ],
)
def test_transport_errors_become_unavailable(
    raised: httpx.RequestError, expected: type[KisUnavailable]
) -> None:
    raised.request = httpx.Request("GET", "https://kis.test/", headers={"appsecret": SECRET})
    with pytest.raises(KisUnavailable) as info, map_httpx_exceptions(tr_id="T", endpoint="e"):
        raise raised
    assert type(info.value) is expected
    assert info.value.retryable
    assert str(info.value) == f"e [T]: {type(raised).__name__}: {raised}"
    assert SECRET not in str(info.value)


async def test_transport_errors_from_a_client_are_mapped() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(down)) as http:
        with pytest.raises(KisConnectError), map_httpx_exceptions(endpoint="price"):
            await http.get("https://kis.test/")


def test_other_exceptions_pass_through() -> None:
    with pytest.raises(KeyError), map_httpx_exceptions():
        raise KeyError("a bug stays a bug")


# ------------------------------------------------------------------------------- the tree


def _classes(module: Any) -> list[type[KisbotError]]:
    return [
        obj
        for _, obj in inspect.getmembers(module, inspect.isclass)
        if issubclass(obj, KisbotError) and obj.__module__ == module.__name__
    ]


def test_every_class_documents_when_it_is_raised() -> None:
    for cls in _classes(domain_errors) + _classes(kis_errors):
        assert (cls.__doc__ or "").strip(), cls


def test_neutral_codes_are_stable_and_distinct() -> None:
    codes = {cls.__name__: cls.code for cls in _classes(domain_errors)}
    assert codes == {
        "KisbotError": "error",
        "ConfigError": "config",
        "InputError": "input",
        "DomainRuleError": "rule",
        "RiskLimitExceeded": "risk_limit",
        "PreviewExpired": "preview_expired",
        "BrokerError": "broker",
        "BrokerUnavailable": "broker_unavailable",
        "RateLimited": "rate_limited",
        "AuthError": "auth",
        "OrderStateUnknown": "order_state_unknown",
        "BrokerRejected": "rejected",
        "MarketClosed": "market_closed",
        "NotFound": "not_found",
        "InsufficientFunds": "insufficient_funds",
        "InvalidOrder": "invalid_order",
    }


def test_kis_errors_are_broker_errors_and_never_programmer_errors() -> None:
    for cls in _classes(kis_errors):
        assert issubclass(cls, BrokerError)
        assert not issubclass(cls, (RuntimeError, TypeError, ValueError))
    assert issubclass(KisTokenExpired, AuthError)


def test_order_state_unknown_carries_what_reconciling_needs() -> None:
    sent = SentOrder(
        symbol="005930",
        side="buy",
        qty=10,
        price=Decimal("70000"),
        sent_at=datetime(2026, 11, 24, 10, 0, tzinfo=KST),
        venue="KRX",
        order_type="00",
        tr_id="TTTC0012U",
        account="50000000-01",
    )
    error = OrderStateUnknown("timed out after sending", order=sent)
    assert error.order is sent
    assert error.code == "order_state_unknown"
    assert not error.retryable
