"""KisAuth and TokenStore against the simulator: issue once, cache, renew, wait, never leak."""

from __future__ import annotations

import asyncio
import json
import logging
import stat
import time
from datetime import timedelta

import httpx
import pytest

from kisbot.domain.errors import AuthError, RateLimited
from kisbot.domain.time import SystemClock
from kisbot.kis.auth import RESEND_OK, AccessToken, KisAuth, TokenStore
from kisbot.kis.errors import KisAuthError, KisTokenExpired, KisTokenThrottled, raise_for_kis
from kisbot.kis.redact import RedactSecrets
from kisbot.sim.app import Simulator
from tests.fakes import FakeClock
from tests.kis.conftest import (
    PRICE,
    Keys,
    MakeAuth,
    SimControl,
    get_price,
    post_buy,
    quiet_settings,
    sim_client,
)

BOUND = 10  # seconds: every test here is far quicker; a hang fails instead of stalling


async def test_token_is_issued_once_and_reused_by_a_second_client(
    sim: Simulator, make_auth: MakeAuth, store: TokenStore, keys: Keys, control: SimControl
) -> None:
    async with asyncio.timeout(BOUND):
        first = make_auth()
        assert (await get_price(first._http, first)).status_code == 200
        async with sim_client(sim) as fresh:  # a restarted bot: new client, new KisAuth
            second = make_auth(http=fresh)
            assert (await get_price(fresh, second)).status_code == 200
    stats = await control.stats(keys.app_key)
    assert (stats["token_requests"], stats["tokens_minted"]) == (1, 1)


async def test_token_file_is_private_to_the_owner(
    make_auth: MakeAuth, store: TokenStore, keys: Keys
) -> None:
    auth = make_auth()
    token = await auth.access_token()
    path = store.path("virtual", keys.app_key)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keys.app_key not in path.name
    assert json.loads(path.read_text())["access_token"] == token


async def test_concurrent_first_requests_issue_one_token(
    make_auth: MakeAuth, vts: httpx.AsyncClient, keys: Keys, control: SimControl
) -> None:
    auth = make_auth()
    async with asyncio.timeout(BOUND):
        responses = await asyncio.gather(*(get_price(vts, auth) for _ in range(20)))
    assert [r.status_code for r in responses] == [200] * 20
    assert (await control.stats(keys.app_key))["token_requests"] == 1


async def test_expired_token_is_renewed_and_the_read_sent_again(
    make_auth: MakeAuth,
    vts: httpx.AsyncClient,
    keys: Keys,
    store: TokenStore,
    clock: FakeClock,
    control: SimControl,
) -> None:
    auth = make_auth()
    old = await auth.access_token()
    await control.advance(86_401)  # the token's day is over at KIS…
    clock.advance(61)  # …while our clock thinks it has hours left: KIS answers EGW00123
    async with asyncio.timeout(BOUND):
        response = await get_price(vts, auth)
    assert response.status_code == 200, response.text
    assert raise_for_kis(response)["output"]["stck_prpr"]
    stats = await control.stats(keys.app_key)
    assert (stats["token_requests"], stats["tokens_minted"]) == (2, 2)
    stored = store.load("virtual", keys.app_key)
    assert stored is not None
    assert stored.value not in (old, "")
    assert clock.slept == []  # the minute since the last issue had passed: no wait


async def test_concurrent_refusals_renew_the_token_once(
    make_auth: MakeAuth,
    vts: httpx.AsyncClient,
    keys: Keys,
    clock: FakeClock,
    control: SimControl,
) -> None:
    auth = make_auth()
    await auth.access_token()
    await control.advance(86_401)
    clock.advance(61)
    async with asyncio.timeout(BOUND):
        responses = await asyncio.gather(*(get_price(vts, auth) for _ in range(10)))
    assert [r.status_code for r in responses] == [200] * 10
    assert (await control.stats(keys.app_key))["token_requests"] == 2


async def test_token_is_renewed_before_sending_when_ten_minutes_remain(
    make_auth: MakeAuth,
    vts: httpx.AsyncClient,
    keys: Keys,
    clock: FakeClock,
    control: SimControl,
) -> None:
    auth = make_auth()
    await auth.access_token()
    lived = 86_400 - 500  # 500 s left: under the 600 s margin
    clock.advance(lived)
    await control.advance(lived)
    assert (await get_price(vts, auth)).status_code == 200
    assert await control.requests_by_tr(PRICE.real) == 1  # no refused first attempt
    assert (await control.stats(keys.app_key))["tokens_minted"] == 2


async def test_an_order_is_not_sent_again_when_the_token_is_refused(
    make_auth: MakeAuth, vts: httpx.AsyncClient, control: SimControl
) -> None:
    auth = make_auth()
    await auth.access_token()
    await control.fault("VTTC0012U", "EGW00123")
    async with asyncio.timeout(BOUND):
        response = await post_buy(vts, auth)
    with pytest.raises(KisTokenExpired) as caught:
        raise_for_kis(response, tr_id="VTTC0012U", endpoint="buy")
    assert isinstance(caught.value, AuthError)
    assert await control.requests_by_tr("VTTC0012U") == 1
    assert await control.orders() == []


async def test_a_request_marked_unsafe_is_not_sent_again(
    make_auth: MakeAuth, vts: httpx.AsyncClient, clock: FakeClock, control: SimControl
) -> None:
    auth = make_auth()
    await auth.access_token()
    await control.advance(86_401)
    clock.advance(61)
    request = vts.build_request(
        "GET",
        PRICE.path,
        params={"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"},
        headers={"tr_id": PRICE.real},
        extensions={RESEND_OK: False},
    )
    response = await vts.send(request, auth=auth)
    with pytest.raises(KisTokenExpired):
        raise_for_kis(response)
    assert await auth.access_token()  # the refused token was dropped: the next call renews


async def test_a_read_is_not_sent_again_when_kis_gives_back_the_refused_token(
    make_auth: MakeAuth,
    vts: httpx.AsyncClient,
    keys: Keys,
    clock: FakeClock,
    control: SimControl,
) -> None:
    auth = make_auth()
    await auth.access_token()
    await control.fault(PRICE.real, "EGW00123")  # the token is in fact fine: KIS keeps it
    async with asyncio.timeout(BOUND):
        response = await get_price(vts, auth)
    with pytest.raises(KisTokenExpired):
        raise_for_kis(response)
    assert len(clock.slept) == 1
    assert 59 < clock.slept[0] <= 60  # waited out the issue window instead of asking twice
    stats = await control.stats(keys.app_key)
    assert (stats["token_requests"], stats["throttled"], stats["tokens_minted"]) == (2, 0, 1)
    assert await control.requests_by_tr(PRICE.real) == 1


async def test_a_revoked_token_is_replaced_and_the_read_sent_again(
    make_auth: MakeAuth,
    vts: httpx.AsyncClient,
    keys: Keys,
    control: SimControl,
) -> None:
    auth = make_auth()
    token = await auth.access_token()
    revoked = await vts.post(
        "/oauth2/revokeP",
        json={"appkey": keys.app_key, "appsecret": keys.app_secret, "token": token},
    )
    assert revoked.status_code == 200  # elsewhere: our cache still holds the dead token
    async with asyncio.timeout(BOUND):
        response = await get_price(vts, auth)  # EGW00121 → renew → send again
    assert response.status_code == 200, response.text
    assert await auth.access_token() != token
    assert (await control.stats(keys.app_key))["tokens_minted"] == 2


async def test_a_throttled_issue_waits_instead_of_failing(
    sim: Simulator,
    make_auth: MakeAuth,
    keys: Keys,
    tmp_path: object,
    control: SimControl,
) -> None:
    first = make_auth()
    token = await first.access_token()
    other_clock = FakeClock(on_sleep=sim.clock.advance)
    # another process with its own (empty) cache: KIS answers 403 EGW00133 until a minute passed
    second = make_auth(store=TokenStore(f"{tmp_path}/elsewhere"), clock=other_clock)
    async with asyncio.timeout(BOUND):
        assert await second.access_token() == token  # same token within 6 h, as KIS
    assert other_clock.slept == [15.0, 30.0, 60.0]
    stats = await control.stats(keys.app_key)
    assert (stats["throttled"], stats["token_requests"]) == (3, 2)


async def test_throttled_waiting_is_bounded(
    make_auth: MakeAuth, keys: Keys, tmp_path: object, control: SimControl
) -> None:
    await make_auth().access_token()
    stuck = FakeClock()  # its sleeps do not move the simulator: KIS's minute never ends
    second = make_auth(store=TokenStore(f"{tmp_path}/elsewhere"), clock=stuck)
    with pytest.raises(KisTokenThrottled) as caught:
        await second.access_token()
    assert stuck.slept == [15.0, 30.0, 60.0, 60.0]
    assert isinstance(caught.value, RateLimited)
    assert (await control.stats(keys.app_key))["throttled"] == 5


async def test_a_throttled_issue_waits_on_the_real_clock_for_a_short_window(
    tmp_path: object,
) -> None:
    sim = Simulator(quiet_settings(token_issue_window=0.3))
    keys = Keys()
    async with sim_client(sim) as http, asyncio.timeout(BOUND):

        def auth(folder: str) -> KisAuth:
            return KisAuth(
                http,
                env="virtual",
                app_key=keys.app_key,
                app_secret=keys.app_secret,
                store=TokenStore(f"{tmp_path}/{folder}"),
                clock=SystemClock(),
                issue_window=0.3,
            )

        await auth("a").access_token()
        second = auth("b")  # an empty cache: KIS refuses until its 0.3 s window has passed
        started = time.monotonic()
        await second.access_token()
        waited = time.monotonic() - started
    assert 0.2 < waited < 2.0


async def test_a_near_expiry_cached_token_is_not_used(
    make_auth: MakeAuth, store: TokenStore, keys: Keys, clock: FakeClock, control: SimControl
) -> None:
    now = clock.now()
    stale = AccessToken(
        value="stale-token-value",
        expires_at=now + timedelta(seconds=300),
        issued_at=now - timedelta(hours=23),
    )
    store.save("virtual", keys.app_key, stale)
    assert await make_auth().access_token() != "stale-token-value"
    assert (await control.stats(keys.app_key))["token_requests"] == 1


async def test_a_corrupt_cache_file_is_ignored_with_a_warning(
    make_auth: MakeAuth, store: TokenStore, keys: Keys, caplog: pytest.LogCaptureFixture
) -> None:
    path = store.path("virtual", keys.app_key)
    path.parent.mkdir(parents=True)
    path.write_text('{"access_token": "half-written')
    with caplog.at_level(logging.WARNING, logger="kisbot.kis.auth"):
        assert store.load("virtual", keys.app_key) is None
        token = await make_auth().access_token()
    assert "corrupt" in caplog.text
    assert json.loads(path.read_text())["access_token"] == token


async def test_the_approval_key_is_obtained_once(
    make_auth: MakeAuth, keys: Keys, control: SimControl
) -> None:
    auth = make_auth()
    key = await auth.approval_key()
    assert await auth.approval_key() == key
    assert (await control.stats(keys.app_key))["approvals"] == 1
    assert await auth.approval_key(renew=True) != key


async def test_revoke_forgets_the_token_here_and_on_disk(
    make_auth: MakeAuth, store: TokenStore, keys: Keys, clock: FakeClock
) -> None:
    auth = make_auth()
    token = await auth.access_token()
    await auth.revoke()
    assert store.load("virtual", keys.app_key) is None
    assert await auth.access_token() != token  # a new one, after the issue window
    assert clock.slept  # waited rather than being refused


async def test_secrets_stay_out_of_reprs_errors_and_logs(
    make_auth: MakeAuth, vts: httpx.AsyncClient, keys: Keys, caplog: pytest.LogCaptureFixture
) -> None:
    redactor = RedactSecrets()
    ok = make_auth(redactor=redactor)
    other = Keys()
    bad = make_auth(app_key=other.app_key, app_secret=other.app_secret[:-1])  # KIS refuses
    with caplog.at_level(logging.DEBUG):
        token = await ok.access_token()
        assert (await get_price(vts, ok)).status_code == 200
        with pytest.raises(KisAuthError) as caught:
            await bad.access_token()
    error = caught.value
    for secret in (keys.app_key, keys.app_secret, other.app_key, other.app_secret[:-1], token):
        for text in (caplog.text, str(error), repr(error), repr(ok), repr(bad), str(ok)):
            assert secret not in text
    for secret in (keys.app_key, keys.app_secret, token):  # what `ok` told its redactor
        assert redactor.redact(f"x {secret} y") == "x *** y"
    assert error.endpoint == "token"


def test_the_redacting_filter_blanks_secrets_in_messages_and_tracebacks() -> None:
    secret = "S3CRET-VALUE-1234"
    redactor = RedactSecrets([secret, "short"])
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Keep()
    handler.addFilter(redactor)
    log = logging.getLogger("tests.redact")
    log.addHandler(handler)
    try:
        log.warning("appsecret=%s and short", secret)
        try:
            raise ValueError(f"echo {secret}")
        except ValueError:
            log.exception("failed")
    finally:
        log.removeHandler(handler)
    assert records[0] == "appsecret=*** and short"  # under 8 characters: left alone
    assert secret not in records[1]
    assert "echo ***" in records[1]


def test_sync_use_is_refused() -> None:
    auth = KisAuth(
        httpx.AsyncClient(base_url="http://sim.test"), env="real", app_key="k" * 36, app_secret="s"
    )
    sync = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200)))
    with sync, pytest.raises(RuntimeError, match="async-only"):
        sync.get("http://sim.test/", auth=auth)


def test_store_round_trip_keeps_the_token_and_times(tmp_path: object) -> None:
    clock = FakeClock()
    now = clock.now()
    store = TokenStore(f"{tmp_path}/t")
    token = AccessToken("abc.def.ghi", expires_at=now, issued_at=now)
    store.save("real", "K" * 36, token)
    assert store.load("real", "K" * 36) == token
    assert store.load("virtual", "K" * 36) is None
    assert "abc.def.ghi" not in repr(token)
    store.discard("real", "K" * 36)
    assert store.load("real", "K" * 36) is None


async def test_oauth_paths_follow_an_explicit_base_url(
    sim: Simulator, keys: Keys, store: TokenStore
) -> None:
    async with sim_client(sim, base_url="") as http:
        auth = KisAuth(
            http,
            env="virtual",
            app_key=keys.app_key,
            app_secret=keys.app_secret,
            base_url="http://sim.test/vts/",
            store=store,
        )
        assert await auth.access_token()
        assert await auth.approval_key()


def test_an_oauth_host_is_required() -> None:
    with pytest.raises(ValueError, match="base_url"):
        KisAuth(httpx.AsyncClient(), env="real", app_key="k" * 36, app_secret="s" * 180)
