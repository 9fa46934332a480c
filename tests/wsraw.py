"""A deliberately dumb KIS websocket peer for simulator tests: the wire format by hand.

Like `kisraw.py`, it follows ../shared/kis-reference.md §6 and not kisbot's code: requests are
built as the reference shows them, frames split on `|` and `^`, notices decrypted with
AES-256-CBC (key and iv are the UTF-8 bytes of the ack's `output.key` / `output.iv`, PKCS#7).
"""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from websockets.asyncio.client import ClientConnection

WAIT = 5.0  # seconds any single receive may take


def request(approval_key: str, tr_id: str, tr_key: str, tr_type: str = "1") -> str:
    """A subscribe ("1") or unsubscribe ("2") request (§6.2)."""
    return json.dumps(
        {
            "header": {
                "approval_key": approval_key,
                "custtype": "P",
                "tr_type": tr_type,
                "content-type": "utf-8",
            },
            "body": {"input": {"tr_id": tr_id, "tr_key": tr_key}},
        }
    )


def decrypt(payload: str, key: str, iv: str) -> str:
    """base64 → AES-256-CBC decrypt → PKCS#7 unpad → UTF-8 (§6.5)."""
    decryptor = Cipher(
        algorithms.AES(key.encode("utf-8")), modes.CBC(iv.encode("utf-8"))
    ).decryptor()
    padded = decryptor.update(base64.b64decode(payload)) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return (unpadder.update(padded) + unpadder.finalize()).decode("utf-8")


@dataclass(frozen=True)
class Frame:
    """One realtime frame `flag|tr_id|count|payload`, payload not yet decrypted."""

    encrypted: bool
    tr_id: str
    count: str
    payload: str

    @classmethod
    def parse(cls, text: str) -> Frame:
        flag, tr_id, count, payload = text.split("|", 3)
        assert flag in ("0", "1"), text
        return cls(flag == "1", tr_id, count, payload)

    @property
    def fields(self) -> list[str]:
        assert not self.encrypted
        return self.payload.split("^")

    def records(self, per_record: int) -> list[list[str]]:
        """The payload cut into `count` records of `per_record` fields each."""
        fields = self.fields
        assert len(fields) == int(self.count) * per_record, (len(fields), self.count)
        return [fields[i : i + per_record] for i in range(0, len(fields), per_record)]

    def notice(self, key: str, iv: str) -> list[str]:
        assert self.encrypted
        return decrypt(self.payload, key, iv).split("^")


async def recv_text(ws: ClientConnection) -> str:
    async with asyncio.timeout(WAIT):
        message = await ws.recv()
    assert isinstance(message, str)
    return message


async def recv_json(ws: ClientConnection) -> dict[str, Any]:
    text = await recv_text(ws)
    assert text.startswith("{"), text[:80]
    data: dict[str, Any] = json.loads(text)
    return data


async def recv_frame(ws: ClientConnection) -> Frame:
    text = await recv_text(ws)
    assert not text.startswith("{"), text[:200]
    return Frame.parse(text)


async def ask(
    ws: ClientConnection, approval_key: str, tr_id: str, tr_key: str, tr_type: str = "1"
) -> dict[str, Any]:
    """Send one request and return the control reply."""
    await ws.send(request(approval_key, tr_id, tr_key, tr_type))
    return await recv_json(ws)


async def subscribe(
    ws: ClientConnection, approval_key: str, tr_id: str, tr_key: str
) -> tuple[str, str]:
    """Subscribe, insist on OPSP0000, and return the ack's (key, iv)."""
    reply = await ask(ws, approval_key, tr_id, tr_key)
    assert reply["body"]["msg_cd"] == "OPSP0000", reply
    output = reply["body"]["output"]
    return output["key"], output["iv"]
