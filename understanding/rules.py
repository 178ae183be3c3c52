"""Explicit, negation-aware emergency rules that back up the model: an emergency must never be missed.

The rules run on normalised text (simplified characters, lower case). A hit names the emergency's category;
a negation close to it ("不急", "已经不漏了", "no longer", "not urgent") or a question about a past or planned
event cancels the urgency, never the category.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# (category, pattern). Order matters: the first hit names the category.
_EMERGENCIES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (cat, re.compile(pattern))
    for cat, pattern in (
        (
            "lift_entrapment",
            r"(困|关|卡|锁)(在|住)?[^,.!?，。！？]{0,6}(电梯|电体|升降机|lift|elevator)"
            r"|(电梯|电体|升降机|lift|elevator)[^,.!?，。！？]{0,8}(困|关|卡)(住|了|人)"
            r"|(电梯|lift|elevator)[^,.!?，。！？]{0,10}(有人|有个人|有小孩|小朋友|老人|出不来)"
            r"|(trapped|stuck|locked)\s+(in|inside)\s+(the\s+|a\s+|our\s+)?(lift|elevator)"
            r"|(someone|somebody|people|kid|child|man|woman|lady|person)[^,.!?]{0,20}(trapped|stuck)[^,.!?]{0,15}(lift|elevator)"
            r"|(lift|elevator)[^,.!?]{0,20}(someone|somebody|people|kid|child|person)\s+(is\s+|are\s+)?(trapped|stuck|inside)"
            r"|困人|kun\s*(zai|ren)|bei\s*kun",
        ),
        (
            "gas_smell",
            r"(煤气|燃气|天然气|瓦斯|液化气|石油气)[^,.!?，。！？]{0,8}(味|漏|泄|臭|嗅到|闻到)"
            r"|(闻到|好大|一股|有)[^,.!?，。！？]{0,6}(煤气|燃气|天然气|瓦斯)"
            r"|(smell|smells|smelling|leak|leaking|leaks)\s+(of\s+|like\s+)?(gas)\b"
            r"|\bgas\s+(smell|leak|leaking|odou?r)"
            r"|(ranqi|meiqi|tianranqi)\s*(wei|xie|lou)",
        ),
        (
            "other",  # fire and smoke: the model names the category, the rule the urgency
            r"着火|起火|失火|火灾|火警|冒烟|冒火|烧起来|烧焦|浓烟|火花|打火花|电线烧|短路起火"
            r"|\bon fire\b|\bfire\b(?! (drill|exit|door|extinguisher|lane|escape|alarm test|safety))|\bsmoke\b|\bsmoking socket|\bsparks?\b|\bburning smell|\bflames?\b"
            r"|zhao\s*huo|mao\s*yan",
        ),
        (
            "water_leak",
            r"爆管|水管爆|管子爆|爆了水管|水漫|淹水|水淹|进水了|漫出来|涌出|喷水|一直在流|哗哗|漏得很厉害|漏得好厉害"
            r"|(天花板|天花|楼上|屋顶|墙|灯)[^,.!?，。！？]{0,6}(漏水|渗水|滴水|往下流|流水)"
            r"|(漏水|渗水)[^,.!?，。！？]{0,6}(很大|好大|严重|厉害|不停|止不住)"
            r"|\bflood(ing|ed)?\b|\bburst\b|\bgushing\b|\bpouring\b|water (is )?(coming|pouring|leaking) (in|through|from|down)"
            r"|(ceiling|roof)[^,.!?]{0,15}(leak|leaking|dripping)|lou\s*shui",
        ),
        (
            "power_cut",
            r"停电|断电|没电了|没有电|全黑|突然黑了|黑了|跳闸[^,.!?，。！？]{0,6}(推不上|合不上|上不去|一直跳)|整栋.{0,4}没电"
            r"|power (cut|outage|is out|went out|failure)|no (power|electricity)|blackout|lost power|ting\s*dian|mei\s*dian",
        ),
    )
)

_NEGATIONS = re.compile(
    r"不急|不着急|不用急|不是很急|没那么急|不紧急|不赶|有空(再|的时候)|慢慢|方便(的时候|时)|不是急事"
    r"|已经(不|没)|不漏了|没漏了|修好了|恢复了|来电了|好了没事|没事了|没有(煤气|燃气)味|没闻到"
    r"|no rush|not urgent|no hurry|not an emergency|whenever|when(ever)? (you|u) (have|got) time|not in a hurry"
    r"|no longer|stopped leaking|is back|came back|fixed now|all good now|false alarm"
)
# Asking about a past or planned event rather than reporting one happening now.
_NOT_NOW = re.compile(
    r"(明天|后天|下周|几点|什么时候|何时|计划|通知|预计)[^,.!?，。！？]{0,6}(停电|停水|断电)"
    r"|(停电|停水|断电)[^,.!?，。！？]{0,6}(通知|计划|几点|到几点|什么时候|多久|吗\?|吗？|吗$)"
    r"|昨天|上周|上个月|上次|之前|fire drill|fire extinguisher|scheduled|planned|tomorrow|last (week|month|time)"
)


@dataclass(frozen=True)
class RuleHit:
    category: str
    negated: bool


def emergency(normalized: str) -> RuleHit | None:
    """The emergency the words state, if any, and whether the writer says it is not urgent."""
    for category, pattern in _EMERGENCIES:
        if pattern.search(normalized):
            negated = bool(_NEGATIONS.search(normalized) or _NOT_NOW.search(normalized))
            return RuleHit(category=category, negated=negated)
    return None


def says_not_urgent(normalized: str) -> bool:
    """True when the writer says it can wait, or that the problem is over."""
    return bool(_NEGATIONS.search(normalized))
