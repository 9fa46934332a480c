"""KisClient against the simulator: quotes, bars, retries, paging and the order boundary."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from kisbot.config import KisSettings
from kisbot.domain.errors import OrderStateUnknown, SentOrder
from kisbot.domain.models import BarPeriod, Market
from kisbot.kis.client import KisClient
from kisbot.kis.errors import KisNoService, KisNotFound, KisRateLimited
from kisbot.sim.app import Simulator
from kisbot.sim.config import SimSettings
from tests.fakes import FakeClock
from tests.kis.conftest import SIM_URL, VTS_URL, Keys, SimControl, quiet_settings, sim_client

MakeClient = Callable[..., KisClient]


@pytest.fixture
def sim_settings() -> SimSettings:
    return quiet_settings(history_years=3)


def kis_settings(keys: Keys, tmp_path: Path, **changes: Any) -> KisSettings:
    options: dict[str, Any] = {
        "env": "virtual",
        "app_key": SecretStr(keys.app_key),
        "app_secret": SecretStr(keys.app_secret),
        "account": "50000000-01",
        "rest_url": VTS_URL,
        "token_dir": tmp_path / "tokens",
        "rate_limit": 1000,
    }
    return KisSettings(**{**options, **changes})


@pytest.fixture
async def kis(
    sim: Simulator, keys: Keys, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[KisClient]:
    async with (
        sim_client(sim, SIM_URL) as http,
        KisClient(http, kis_settings(keys, tmp_path), clock=clock) as client,
    ):
        yield client


async def test_domestic_quote_matches_the_exchange(kis: KisClient, sim: Simulator) -> None:
    state = sim.exchange.state("005930")
    quote = await kis.fetch_quote("005930")
    assert quote.instrument.market is Market.KRX
    assert quote.instrument.symbol == "005930"  # names come from the symbol master (next)
    assert (quote.price, quote.prev_close, quote.tick) == (state.last, state.prev_close, state.tick)
    assert quote.change == state.last - state.prev_close
    assert quote.upper_limit == state.upper
    assert quote.eps is not None
    assert quote.per is not None
    assert quote.high_52w is not None
    assert quote.high_52w_date is not None
    assert quote.high_52w >= quote.low_52w  # type: ignore[operator]


async def test_us_quote_finds_the_exchange(kis: KisClient, sim: Simulator) -> None:
    quote = await kis.fetch_quote("cpng")
    assert quote.instrument.market is Market.NYSE
    assert quote.price == sim.exchange.state("CPNG").last
    assert quote.eps is None  # price-detail is real-only and no real key is configured


async def test_unknown_symbols_are_not_found(kis: KisClient) -> None:
    with pytest.raises(KisNotFound):
        await kis.fetch_quote("999999")
    with pytest.raises(KisNotFound):
        await kis.fetch_quote("NOSUCH")


async def test_two_years_of_daily_bars_oldest_first(kis: KisClient, sim: Simulator) -> None:
    end = sim.clock.now().date()
    bars = await kis.fetch_bars("005930", start=end - timedelta(days=730), end=end)
    days = [b.start.date() for b in bars]
    assert days == sorted(set(days))
    assert len(bars) >= 480
    assert days[-1] == end  # today's live bar
    assert bars[-1].close == sim.exchange.state("005930").last


async def test_weekly_bars_and_us_bars(kis: KisClient, sim: Simulator) -> None:
    end = sim.clock.now().date()
    weeks = await kis.fetch_bars("005930", BarPeriod.WEEK, start=end - timedelta(days=180), end=end)
    assert 24 <= len(weeks) <= 28
    assert all(a.start < b.start for a, b in itertools.pairwise(weeks))
    us = await kis.fetch_bars("AAPL", start=date(end.year - 1, end.month, 1), end=end)
    assert len(us) > 200
    assert us[-1].close == sim.exchange.state("AAPL").last


async def test_reads_retry_transient_failures(
    kis: KisClient, control: SimControl, clock: FakeClock
) -> None:
    await control.fault("FHKST01010100", "EGW00201", count=2)
    quote = await kis.fetch_quote("005930")
    assert quote.price > 0
    assert len(clock.slept) == 2
    await control.fault("FHKST01010100", "EGW00201", count=3)
    with pytest.raises(KisRateLimited):
        await kis.fetch_quote("005930")


async def test_virtual_lacks_real_only_data_without_real_keys(kis: KisClient) -> None:
    with pytest.raises(KisNoService, match="real_app_key"):
        await kis.call("search_info", {"PDNO": "005930", "PRDT_TYPE_CD": "300"})


async def test_real_keys_serve_real_only_data_on_a_virtual_account(
    sim: Simulator, keys: Keys, tmp_path: Path, clock: FakeClock
) -> None:
    real = Keys()
    settings = kis_settings(
        keys,
        tmp_path,
        real_app_key=SecretStr(real.app_key),
        real_app_secret=SecretStr(real.app_secret),
        real_rest_url=SIM_URL,
    )
    async with sim_client(sim, SIM_URL) as http, KisClient(http, settings, clock=clock) as kis:
        body = (await kis.call("search_info", {"PDNO": "005930", "PRDT_TYPE_CD": "300"})).body
        assert body["output"]["prdt_abrv_name"] == "삼성전자"
        quote = await kis.fetch_quote("AAPL")
        assert quote.eps is not None


async def test_an_order_without_a_verdict_is_outcome_unknown(
    kis: KisClient, control: SimControl
) -> None:
    await control.fault("VTTC0012U", "", status=502)
    sent = SentOrder("005930", "buy", 1, Decimal(70_000), kis.now(), "KRX", "00", "VTTC0012U")
    body = {
        "CANO": "50000000",
        "ACNT_PRDT_CD": "01",
        "PDNO": "005930",
        "ORD_DVSN": "00",
        "ORD_QTY": "1",
        "ORD_UNPR": "70000",
    }
    with pytest.raises(OrderStateUnknown) as info:
        await kis.send_order("buy", body, sent)
    assert info.value.order == sent
    await control.fault("VTTC0012U", "EGW00201", status=500)
    with pytest.raises(KisRateLimited):  # a verdict: nothing was placed
        await kis.send_order("buy", body, sent)
    assert await control.orders() == []
    reply = await kis.send_order("buy", body, sent)
    assert len(reply.body["output"]["ODNO"]) == 10
    assert len(await control.orders()) == 1


async def test_client_is_an_async_context_resource(
    sim: Simulator, keys: Keys, tmp_path: Path
) -> None:
    async with sim_client(sim, SIM_URL) as http:
        client = KisClient(http, kis_settings(keys, tmp_path))
        with pytest.raises(RuntimeError, match="async with"):
            await client.fetch_quote("005930")
        async with client:
            assert "****" in repr(client)
            assert keys.app_key not in repr(client)
        with pytest.raises(RuntimeError, match="reopened"):
            await client.__aenter__()


async def test_pages_follow_tr_cont(kis: KisClient, sim: Simulator) -> None:
    acct = sim.exchange.account("virtual", "50000000", "01")
    from kisbot.sim.exchange import Side
    from kisbot.sim.universe import UNIVERSE

    for inst in [i for i in UNIVERSE if i.domestic][:25]:
        sim.exchange.place_order(acct, inst.symbol, Side.BUY, "01", 1, Decimal(0), appkey="x" * 36)
    params = {
        "CANO": "50000000",
        "ACNT_PRDT_CD": "01",
        "AFHR_FLPR_YN": "N",
        "OFL_YN": "",
        "INQR_DVSN": "02",
        "UNPR_DVSN": "01",
        "FUND_STTL_ICLD_YN": "N",
        "FNCG_AMT_AUTO_RDPT_YN": "N",
        "PRCS_DVSN": "00",
    }
    pages = [page async for page in kis.pages("balance", params)]
    assert [len(p["output1"]) for p in pages] == [20, 5]


_ = httpx  # the fixtures hand out httpx clients


async def test_a_user_session_through_the_client_facade(
    sim: Simulator, keys: Keys, tmp_path: Path
) -> None:
    """Every family of operations is reachable from KisClient itself."""
    from kisbot.domain.models import OrderRequest, OrderType, Side

    clock = FakeClock(sim.clock.now(), on_sleep=sim.clock.advance)  # today is the sim's today
    settings = kis_settings(keys, tmp_path, master_url=f"{SIM_URL}/common/master")
    async with sim_client(sim, SIM_URL) as http, KisClient(http, settings, clock=clock) as kis:
        (samsung, *_) = await kis.find_instruments("삼성전자")
        assert (samsung.symbol, samsung.name) == ("005930", "삼성전자")
        book = await kis.fetch_orderbook("005930")
        assert book.bids[0].price == sim.exchange.state("005930").last
        bars = await kis.fetch_minute_bars("005930", interval_minutes=5)
        assert bars
        assert bars[-1].close == sim.exchange.state("005930").last
        limit = book.bids[0].price - 1_000
        ack = await kis.place_order(OrderRequest(samsung, Side.BUY, 3, OrderType.LIMIT, limit))
        (pending,) = await kis.fetch_pending()
        assert (pending.order_no.lstrip("0"), pending.remaining_qty) == (
            ack.order_no.lstrip("0"),
            3,
        )
        power = await kis.fetch_buying_power(samsung, limit)
        assert power.max_qty > 0
        cancel = await kis.cancel_order(ack.order_no)
        assert cancel.original_no.lstrip("0") == ack.order_no.lstrip("0")
        assert await kis.fetch_pending() == []
        await kis.place_order(OrderRequest(samsung, Side.BUY, 2, OrderType.MARKET))
        balance = await kis.fetch_balance()
        (position,) = balance.positions
        assert (position.instrument.symbol, position.qty) == ("005930", 2)
        assert await kis.fetch_sellable(samsung) == 2
        orders = await kis.fetch_orders()
        assert len(orders) == 3
