"""What the simulator answers when it says no, as KIS says it.

Codes marked *seen* come from ../shared/kis-reference.md or public captures; codes marked
*sim* were not found in any public source and are the simulator's own stand-ins (README lists
them), so a client must not special-case them beyond their family.
"""

from __future__ import annotations

from typing import Final

__all__ = ["Rejects", "SimReject"]


class SimReject(Exception):
    """A KIS-shaped refusal: HTTP status, `rt_cd`, `msg_cd` and `msg1`."""

    def __init__(self, msg_cd: str, msg1: str, http_status: int = 200, rt_cd: str = "1") -> None:
        super().__init__(msg_cd, msg1)
        self.msg_cd = msg_cd
        self.msg1 = msg1
        self.http_status = http_status
        self.rt_cd = rt_cd

    def __str__(self) -> str:
        return f"{self.msg_cd} {self.msg1}"


class Rejects:
    """The simulator's catalogue of refusals (one place, like the client's error table)."""

    # gateway (HTTP 500), seen
    RATE_LIMIT: Final = SimReject("EGW00201", "초당 거래건수를 초과하였습니다.", 500)
    TOKEN_EXPIRED: Final = SimReject("EGW00123", "기간이 만료된 token 입니다.", 500)
    TOKEN_INVALID: Final = SimReject("EGW00121", "유효하지 않은 token 입니다.", 500)
    WRONG_DOMAIN: Final = SimReject(
        "EGW02004", "실전투자 도메인은 모의투자 앱키로 호출하실 수 없습니다.", 500
    )
    NO_SERVICE: Final = SimReject("OPSQ0002", "없는 서비스 코드 입니다", 500)
    # gateway, sim: missing or malformed header or appkey
    BAD_APPKEY: Final = SimReject("EGW00103", "유효하지 않은 AppKey입니다.", 500)
    BAD_SECRET: Final = SimReject("EGW00105", "유효하지 않은 AppSecret입니다.", 500)
    NO_TR_ID: Final = SimReject("EGW00205", "tr_id 헤더가 없습니다.", 500)
    # business (HTTP 200, rt_cd 1)
    MARKET_CLOSED: Final = SimReject("APBK0919", "장운영시간이 아닙니다.(주문불가)")  # seen
    OVERSEAS_CLOSED: Final = SimReject("APBK1664", "해외주식 주문가능시간이 아닙니다.")  # seen code
    NO_SYMBOL: Final = SimReject("APBK0656", "해당종목정보가 없습니다.")  # seen code
    NO_ORDER: Final = SimReject("APBK0656", "원주문번호가 존재하지 않습니다.")  # seen code
    NO_CASH: Final = SimReject("APBK0952", "주문가능금액을 초과 했습니다")  # seen
    NO_QTY: Final = SimReject("APBK0400", "주문가능수량을 초과했습니다.")  # seen
    OFF_TICK: Final = SimReject("APBK0506", "호가단위에 맞지 않는 주문가격입니다.")  # sim
    OFF_LIMIT: Final = SimReject("APBK0507", "상한가 또는 하한가를 벗어난 주문가격입니다.")  # sim
    BAD_QTY: Final = SimReject("APBK0510", "주문수량이 올바르지 않습니다.")  # sim
    BAD_ORD_DVSN: Final = SimReject("APBK0511", "주문구분이 올바르지 않습니다.")  # sim
    NOT_MODIFIABLE: Final = SimReject("APBK0512", "정정/취소 가능수량이 없습니다.")  # sim
    NO_ACCOUNT: Final = SimReject("OPSQ0013", "계좌번호가 올바르지 않습니다.")  # sim

    @staticmethod
    def missing_field(name: str) -> SimReject:
        """A required request field was absent or empty (sim code)."""
        return SimReject("OPSQ2001", f"ERROR : INPUT_FIELD_NOT_FOUND [{name}]")

    @staticmethod
    def bad_field(name: str) -> SimReject:
        """A request field had a value the endpoint does not take (sim code)."""
        return SimReject("OPSQ2002", f"ERROR : INPUT INVALID_CHECK [{name}]")
