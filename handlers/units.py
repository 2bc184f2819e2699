"""Which member unit a person means when they type a unit's name, however loosely.

One matcher for every domain (a referral's 转办, a report's 月报 查看, a meeting's invitation list), so
a name that works in one command works in all. Each caller decides what none or several means.
"""

from __future__ import annotations

from handlers.duties import UNIT_ALIASES
from storage.roster import Unit

_TAILS = ("街道办事处", "人民政府", "管委会")


def short_name(name: str) -> str:
    """The distinctive part of a unit's name: 淮河路 for 淮河路街道办事处, 马寨镇 for 马寨镇人民政府."""
    for tail in _TAILS:
        if name.endswith(tail) and len(name) > len(tail):
            return name[: -len(tail)]
    return name


def _is_subsequence(needle: str, hay: str) -> bool:
    chars = iter(hay)
    return all(c in chars for c in needle)


def _matching(units: list[Unit], name: str) -> list[Unit]:
    """The units a loose name fits, by the first test that fits any: the exact name; the name
    inside the unit's distinctive part (so «民政» is not 马寨镇人民政府) or that part inside the
    name; the name's characters in order (e.g. «市场监管局»)."""
    for test in (
        lambda u: u.name == name,
        lambda u: name in short_name(u.name) or short_name(u.name) in name,
        lambda u: _is_subsequence(name, u.name),
    ):
        found = [u for u in units if test(u)]
        if found:
            return found
    return []


def candidates(units: list[Unit], name: str) -> list[Unit]:
    """Every unit `name` may mean (exact first, then contained, in-order characters, then a common
    or former name such as 环保局 or 安监局); empty for a single character or nothing."""
    name = name.strip()
    exact = [u for u in units if u.name == name]
    if exact or len(name) < 2:
        return exact
    found = _matching(units, name)
    if not found:
        for alias, canonical in UNIT_ALIASES.items():
            if alias in name and (found := _matching(units, canonical)):
                break
    return found
