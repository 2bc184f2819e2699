"""Sealing of personal data (a reporter's account and contact) with a key from the environment.

Fernet (AES-128-CBC + HMAC) from `cryptography`, which wechatpy already brings. Without
`LIAISON_SEAL_KEY` the embedded default keeps a generated key in the instance folder, readable by
its owner only, so a laptop install works and a deployment can still supply its own key.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

log = logging.getLogger(__name__)


class SealError(Exception):
    pass


def load_seal_key(configured: str | None, instance_path: Path) -> bytes:
    """The configured key, or the instance folder's generated one; SealError if malformed."""
    if configured:
        key = configured.encode()
        try:
            Fernet(key)
        except ValueError:
            raise SealError("环境变量 LIAISON_SEAL_KEY 格式错误：应为 Fernet 密钥") from None
        return key
    path = Path(instance_path) / "seal.key"
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    log.warning(
        "未设置 LIAISON_SEAL_KEY，已生成密钥文件 %s：请妥善保管，丢失即无法打开举报人信息", path
    )
    return key


def seal(key: bytes, plaintext: str) -> str:
    return Fernet(key).encrypt(plaintext.encode()).decode()


def unseal(key: bytes, token: str) -> str:
    try:
        return Fernet(key).decrypt(token.encode()).decode()
    except InvalidToken as err:
        raise SealError("sealed value cannot be opened with this key") from err
