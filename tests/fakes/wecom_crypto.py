"""WeCom's callback crypto, written independently of wechatpy, so tests check our endpoint against
the platform's rules rather than against the library it uses (WW-91144 加解密方案说明).

- `WeComCrypto(token, aes_key, receive_id)`: `encrypt`/`decrypt` (AES-256-CBC, IV = key[:16],
  PKCS#7 to 32 bytes, plaintext = random16 + length + msg + receive id) and `sign`
  (sha1 of the sorted token, timestamp, nonce, encrypt).
- `seal(inner_xml, timestamp)` -> (query params, body): a POST exactly as WeCom sends it.
- `open_reply(body)` checks a passive reply's signature and returns its decrypted inner XML.
- `text_xml`, `event_xml`, `card_event_xml`, `file_xml` build the decrypted message bodies.

The official vectors (`tests/vectors/wecom_callback_crypto.json`) are checked against
this module in tests/bot/test_wecom_vectors.py.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32  # WeCom pads to 32 bytes, not the AES block size of 16


class ReplyError(Exception):
    """A passive reply that WeCom would reject (bad signature, wrong receive id)."""


@dataclass(frozen=True)
class WeComCrypto:
    token: str
    aes_key: str  # the 43-character EncodingAESKey
    receive_id: str  # the corp id for a self-built app

    @property
    def key(self) -> bytes:
        return base64.b64decode(self.aes_key + "=")

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def encrypt(self, plaintext: str, random16: bytes | None = None) -> str:
        msg = plaintext.encode()
        raw = (random16 or secrets.token_hex(8).encode()) + struct.pack(">I", len(msg))
        raw += msg + self.receive_id.encode()
        pad = BLOCK - len(raw) % BLOCK
        raw += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(raw) + encryptor.finalize()).decode()

    def decrypt(self, encrypted: str) -> str:
        decryptor = self._cipher().decryptor()
        raw = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
        raw = raw[: -raw[-1]]
        (length,) = struct.unpack(">I", raw[16:20])
        receive_id = raw[20 + length :].decode()
        if receive_id != self.receive_id:
            raise ReplyError(f"receive id {receive_id!r} is not {self.receive_id!r}")
        return raw[20 : 20 + length].decode()

    def sign(self, timestamp: str, nonce: str, encrypt: str) -> str:
        joined = "".join(sorted([self.token, timestamp, nonce, encrypt]))
        return hashlib.sha1(joined.encode()).hexdigest()

    def seal(
        self, inner_xml: str, timestamp: int, nonce: str | None = None, agent_id: int = 1000002
    ) -> tuple[dict[str, str], bytes]:
        """The query string and body of a callback POST carrying `inner_xml`."""
        nonce = nonce or str(secrets.randbelow(10**9))
        encrypt = self.encrypt(inner_xml)
        params = {
            "msg_signature": self.sign(str(timestamp), nonce, encrypt),
            "timestamp": str(timestamp),
            "nonce": nonce,
        }
        body = (
            f"<xml><ToUserName><![CDATA[{self.receive_id}]]></ToUserName>"
            f"<AgentID><![CDATA[{agent_id}]]></AgentID>"
            f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
        )
        return params, body.encode()

    def echo_params(self, plaintext: str, timestamp: int) -> dict[str, str]:
        """The query string of the URL-verification GET whose answer must be `plaintext`."""
        nonce = str(secrets.randbelow(10**9))
        echostr = self.encrypt(plaintext)
        return {
            "msg_signature": self.sign(str(timestamp), nonce, echostr),
            "timestamp": str(timestamp),
            "nonce": nonce,
            "echostr": echostr,
        }

    def open_reply(self, body: bytes | str) -> str:
        """Verify a passive reply envelope as WeCom would and return the inner XML."""
        root = ET.fromstring(body)
        encrypt = root.findtext("Encrypt") or ""
        signature = self.sign(
            root.findtext("TimeStamp") or "", root.findtext("Nonce") or "", encrypt
        )
        if signature != root.findtext("MsgSignature"):
            raise ReplyError("passive reply signature does not verify")
        return self.decrypt(encrypt)


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _xml(fields: dict[str, str | int]) -> str:
    parts = [
        f"<{k}>{v}</{k}>" if isinstance(v, int) else f"<{k}>{_cdata(v)}</{k}>"
        for k, v in fields.items()
    ]
    return "<xml>" + "".join(parts) + "</xml>"


def text_xml(corp_id: str, user: str, text: str, msg_id: int, create_time: int) -> str:
    return _xml(
        {
            "ToUserName": corp_id,
            "FromUserName": user,
            "CreateTime": create_time,
            "MsgType": "text",
            "Content": text,
            "MsgId": msg_id,
            "AgentID": 1000002,
        }
    )


def event_xml(corp_id: str, user: str, event: str, create_time: int, event_key: str = "") -> str:
    return _xml(
        {
            "ToUserName": corp_id,
            "FromUserName": user,
            "CreateTime": create_time,
            "MsgType": "event",
            "Event": event,
            "EventKey": event_key,
            "AgentID": 1000002,
        }
    )


def card_event_xml(
    corp_id: str,
    user: str,
    event_key: str,
    task_id: str,
    create_time: int,
    response_code: str = "",
    card_type: str = "button_interaction",
) -> str:
    """A template_card_event as in WW-90240 (vectors/wecom_payloads.json)."""
    return _xml(
        {
            "ToUserName": corp_id,
            "FromUserName": user,
            "CreateTime": create_time,
            "MsgType": "event",
            "Event": "template_card_event",
            "EventKey": event_key,
            "TaskId": task_id,
            "CardType": card_type,
            "ResponseCode": response_code or f"rc-{secrets.token_hex(6)}",
            "AgentID": 1000002,
        }
    )


def file_xml(corp_id: str, user: str, media_id: str, msg_id: int, create_time: int) -> str:
    return _xml(
        {
            "ToUserName": corp_id,
            "FromUserName": user,
            "CreateTime": create_time,
            "MsgType": "file",
            "MediaId": media_id,
            "MsgId": msg_id,
            "AgentID": 1000002,
        }
    )
