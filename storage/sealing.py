"""Sealing of personal data (a reporter's account and contact, a dialogue's state) with one key
per deployment.

Fernet (AES-128-CBC + HMAC) from `cryptography`, which wechatpy already brings. The key comes from
`LIAISON_SEAL_KEY`, or else from `<instance path>/seal.key`. The database keeps a fingerprint of
the key (an HMAC, which does not reveal it), so that every process sharing the database proves it
holds the same key before it starts: a process with a missing or different key refuses with one
Chinese line instead of generating a new one, which would seal data nobody else could open. A key
is generated only for a fresh deployment, whose database has no fingerprint and no sealed data.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Engine, String, Text, inspect, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.db import Base
from storage.documents import private_dir

log = logging.getLogger(__name__)
KEY_FILE = "seal.key"
CHECK_NAME = "seal_key_check"
_CHECK_MESSAGE = b"liaison-seal-check"


class SealError(Exception):
    pass


class DeploymentSetting(Base):
    """Facts every process of one deployment must agree on, such as the seal key's fingerprint."""

    __tablename__ = "deployment_setting"
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


def key_fingerprint(key: bytes) -> str:
    """An HMAC under the key: equal keys give equal fingerprints, and it cannot open anything."""
    return hmac.new(key, _CHECK_MESSAGE, hashlib.sha256).hexdigest()


def _valid(key: bytes, origin: str) -> bytes:
    try:
        Fernet(key)
    except ValueError:
        raise SealError(
            f"{origin}格式错误：应为 Fernet 密钥（可用 liaison seal-key 生成）"
        ) from None
    return key


def read_seal_key(configured: str | None, instance_path: Path) -> bytes | None:
    """The configured key, or the instance folder's key file, or None; SealError if malformed."""
    if configured:
        return _valid(configured.strip().encode(), "环境变量 LIAISON_SEAL_KEY ")
    path = Path(instance_path) / KEY_FILE
    if path.exists():
        return _valid(path.read_bytes().strip(), f"密钥文件 {path} ")
    return None


def _generate_key_file(instance_path: Path) -> bytes:
    """A new key in `<instance>/seal.key`, 0600 in a 0700 folder; a concurrent start that wrote
    it first wins, and its key is the one used."""
    path = Path(instance_path) / KEY_FILE
    private_dir(path.parent, tighten=False)
    key = Fernet.generate_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _valid(path.read_bytes().strip(), f"密钥文件 {path} ")
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    log.warning(
        "未设置 LIAISON_SEAL_KEY，已生成密钥文件 %s：请妥善保管，丢失即无法打开举报人信息", path
    )
    return key


def load_seal_key(configured: str | None, instance_path: Path) -> bytes:
    """The configured key, or the instance folder's (generated if absent), without the database
    check: for callers that pass no key to Services (tests with LIAISON_SEAL_KEY set)."""
    return read_seal_key(configured, instance_path) or _generate_key_file(instance_path)


def _where_to_put(configured: str | None, instance_path: Path) -> str:
    origin = "环境变量 LIAISON_SEAL_KEY" if configured else f"{Path(instance_path) / KEY_FILE}"
    return (
        f"当前密钥来自{origin}。请把 LIAISON_SEAL_KEY 设为本部署的密钥，或把本部署的 seal.key "
        f"放到 {Path(instance_path) / KEY_FILE}（所有进程须用同一把密钥），切勿生成新密钥。"
    )


def _missing(instance_path: Path) -> SealError:
    return SealError(
        "找不到封存密钥：该数据库已有用密钥加密的数据。请设置环境变量 LIAISON_SEAL_KEY，"
        f"或把本部署的 seal.key 放到 {Path(instance_path) / KEY_FILE}，切勿生成新密钥。"
    )


def _sealed_sample(session: Session, tables: set[str]) -> str | None:
    """One value sealed by this deployment, if any: a database that holds one is not fresh."""
    if "referral_reporter" not in tables:
        return None
    from storage.referrals import ReferralReporter

    return session.scalar(select(ReferralReporter.sealed_account).limit(1))


def _opens(key: bytes, token: str) -> bool:
    try:
        Fernet(key).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def _check_once(session: Session, key: bytes | None, configured: str | None, path: Path) -> bytes:
    tables = set(inspect(session.connection()).get_table_names())
    has_table = DeploymentSetting.__tablename__ in tables
    stored = session.get(DeploymentSetting, CHECK_NAME) if has_table else None
    if stored is not None:
        if key is None:
            raise _missing(path)
        if not hmac.compare_digest(stored.value, key_fingerprint(key)):
            raise SealError("封存密钥与数据库不符。" + _where_to_put(configured, path))
        return key
    sample = _sealed_sample(session, tables)
    if key is None:
        if sample is not None:
            raise _missing(path)
        key = _generate_key_file(path)
    elif sample is not None and not _opens(key, sample):
        raise SealError("封存密钥打不开数据库中已加密的数据。" + _where_to_put(configured, path))
    if has_table:  # before migration 0007 the fingerprint is recorded at the next start
        session.add(DeploymentSetting(name=CHECK_NAME, value=key_fingerprint(key)))
    return key


def deployment_seal_key(engine: Engine, configured: str | None, instance_path: Path) -> bytes:
    """The deployment's key, checked against the database's fingerprint; SealError (one Chinese
    line) when the key is missing or differs. A database that cannot be reached is left to the
    start-up's own database step to report, provided a key is at hand; none is ever generated."""
    path = Path(instance_path)
    key = read_seal_key(configured, path)
    for _attempt in range(3):
        try:
            with Session(engine) as session, session.begin():
                return _check_once(session, key, configured, path)
        except IntegrityError:  # a concurrent start recorded its fingerprint first: compare
            key = read_seal_key(configured, path)
            continue
        except DBAPIError:
            if key is None:
                raise SealError(
                    "无法核对封存密钥：数据库无法连接，且未设置 LIAISON_SEAL_KEY、"
                    f"{path / KEY_FILE} 也不存在。请先检查数据库连接。"
                ) from None
            return key
    raise SealError("无法记录封存密钥的指纹，请稍后重试。")


@functools.lru_cache(maxsize=8)
def _fernet(key: bytes) -> Fernet:
    return Fernet(key)  # decoding and checking the key once, not per message


def seal(key: bytes, plaintext: str) -> str:
    return _fernet(key).encrypt(plaintext.encode()).decode()


def unseal(key: bytes, token: str) -> str:
    try:
        return _fernet(key).decrypt(token.encode()).decode()
    except InvalidToken as err:
        raise SealError("sealed value cannot be opened with this key") from err
