"""A deliberately dumb KIS client for simulator tests: raw httpx, only what the reference says.

It is not kisbot's client and must not become one: tests of the simulator speak the wire
format by hand so that the simulator is checked against the reference, not against our code.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

Env = Literal["real", "virtual"]


def new_appkey() -> str:
    """A fresh 36-character app key (a new key per test keeps tests independent)."""
    return "PS" + secrets.token_hex(17)


def new_appsecret() -> str:
    return secrets.token_urlsafe(135)[:180]


@dataclass
class RawKis:
    http: httpx.AsyncClient
    env: Env = "virtual"
    appkey: str = field(default_factory=new_appkey)
    appsecret: str = field(default_factory=new_appsecret)
    account: str = "50000000-01"
    token: str = ""

    @property
    def base(self) -> str:
        return "/vts" if self.env == "virtual" else ""

    @property
    def cano(self) -> str:
        return self.account.split("-")[0]

    @property
    def product(self) -> str:
        return self.account.split("-")[1]

    def acct(self, **extra: str) -> dict[str, str]:
        """CANO and ACNT_PRDT_CD plus `extra` (request params or body)."""
        return {"CANO": self.cano, "ACNT_PRDT_CD": self.product, **extra}

    def balance_params(self, **extra: str) -> dict[str, str]:
        """inquire-balance parameters (§4.2.1) for the first page, plus `extra`."""
        params = self.acct(
            AFHR_FLPR_YN="N",
            OFL_YN="",
            INQR_DVSN="02",
            UNPR_DVSN="01",
            FUND_STTL_ICLD_YN="N",
            FNCG_AMT_AUTO_RDPT_YN="N",
            PRCS_DVSN="00",
            CTX_AREA_FK100="",
            CTX_AREA_NK100="",
        )
        return {**params, **extra}

    async def issue_token(self) -> httpx.Response:
        return await self.http.post(
            f"{self.base}/oauth2/tokenP",
            json={
                "grant_type": "client_credentials",
                "appkey": self.appkey,
                "appsecret": self.appsecret,
            },
        )

    async def login(self) -> RawKis:
        response = await self.issue_token()
        assert response.status_code == 200, response.text
        self.token = response.json()["access_token"]
        return self

    async def approval_key(self) -> str:
        response = await self.http.post(
            f"{self.base}/oauth2/Approval",
            json={
                "grant_type": "client_credentials",
                "appkey": self.appkey,
                "secretkey": self.appsecret,
            },
        )
        assert response.status_code == 200, response.text
        return str(response.json()["approval_key"])

    def headers(self, tr_id: str, tr_cont: str = "") -> dict[str, str]:
        return {
            "content-type": "application/json; charset=utf-8",
            "authorization": f"Bearer {self.token}",
            "appkey": self.appkey,
            "appsecret": self.appsecret,
            "tr_id": tr_id,
            "tr_cont": tr_cont,
            "custtype": "P",
        }

    async def get(
        self, path: str, tr_id: str, params: dict[str, str] | None = None, tr_cont: str = ""
    ) -> httpx.Response:
        return await self.http.get(
            f"{self.base}{path}", params=params or {}, headers=self.headers(tr_id, tr_cont)
        )

    async def post(self, path: str, tr_id: str, body: dict[str, Any]) -> httpx.Response:
        return await self.http.post(f"{self.base}{path}", json=body, headers=self.headers(tr_id))

    async def ok(
        self, path: str, tr_id: str, params: dict[str, str] | None = None, tr_cont: str = ""
    ) -> dict[str, Any]:
        """GET that must succeed (HTTP 200, rt_cd "0"); returns the JSON body."""
        response = await self.get(path, tr_id, params, tr_cont)
        body: dict[str, Any] = response.json()
        assert response.status_code == 200, body
        assert body["rt_cd"] == "0", body
        return body

    async def post_ok(self, path: str, tr_id: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.post(path, tr_id, body)
        data: dict[str, Any] = response.json()
        assert response.status_code == 200, data
        assert data["rt_cd"] == "0", data
        return data
