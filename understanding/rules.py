"""Explicit, negation-aware emergency rules that back up the model: an emergency must never be missed.

The rules run on normalised text (simplified characters, lower case). A hit names the emergency's category;
a negation ("不急", "已经不漏了", "no longer", "not urgent") or words about a past, planned or imagined event
cancel the urgency, never the category.
"""

from __future__ import annotations

import re

# (category, pattern). Order matters: the first hit names the category.
_STOP = r"[^,.!?;，。！？；]"  # within one clause
_EMERGENCIES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (cat, re.compile(pattern))
    for cat, pattern in (
        (
            "lift_entrapment",
            rf"(困|关|卡|锁)(在|住)?{_STOP}{{0,6}}(电梯|电体|升降机|lift|elevator)"
            rf"|(电梯|电体|升降机|lift|elevator){_STOP}{{0,8}}(困住|困了|困人|关住|关了人|卡住了人|被困|被关)"
            rf"|(电梯|电体|升降机|lift|elevator){_STOP}{{0,12}}(人|小孩|孩子|小朋友|老人|我妈|我爸|我){_STOP}{{0,8}}(出不来|出唔到|开不了|打不开|开唔到|困)"
            r"|(trapped|stuck|locked)\s+(in|inside)\s+(the\s+|a\s+|our\s+|an\s+)?(lift|elevator)"
            r"|(someone|somebody|people|kid|child|son|daughter|mum|mom|dad|man|woman|lady|person|i am|i'm|im)\b[^,.!?]{0,25}\b(trapped|stuck|cant get out|can't get out)"
            r"[^,.!?]{0,20}(lift|elevator)"
            r"|(lift|elevator)[^,.!?]{0,25}(someone|somebody|people|kid|child|person)\b[^,.!?]{0,12}(trapped|stuck|inside|cant get out|can't get out)"
            r"|困人|kun\s*(zai|ren|zhu)|bei\s*kun|dian\s*ti\s*ka\s*(zai|zhu)|dian\s*ti.{0,30}(chu\s*bu\s*lai|(kai|da)\s*bu\s*(kai|liao))",
        ),
        (
            "gas_smell",
            rf"(煤气|燃气|然气|天然气|瓦斯|液化气|石油气|煤汽){_STOP}{{0,8}}(味|漏|泄|臭|嗅到|闻到)"
            rf"|(闻到|好大|一股|有|好浓|浓){_STOP}{{0,6}}(煤气|燃气|然气|天然气|瓦斯|煤汽)"
            r"|(smell|smells|smelling|leak|leaking|leaks)\s+(of\s+|like\s+)?(gas)\b|\bgas\s+(smell|leak|leaking|odou?r)"
            r"|rotten eggs?|(ran|mei|wa\s*si|tian\s*ran)\s*qi\s*(wei|xie|lou)",
        ),
        (
            "other",  # fire and smoke: the model names the category, the rule the urgency
            r"着火|起火|失火|火灾|火警(?!演习|演练)|冒烟|冒火|烧起来|浓烟|火花|打火花|电线烧|短路起火|烧焦|焦味|起烟|好多烟|全是烟|成屋烟"
            r"|\bon fire\b|\bcaught fire\b|\bcatch(es|ing)? fire\b|\bthere'?s (a )?fire\b|\bthere is (a )?fire\b|^fire\W*$|\bfire!"
            r"|\bfire (in|at|on) (the|my|our|a|building|block|unit|flat|kitchen|corridor)"
            r"|smoke (is )?(coming|pouring|from|in the|everywhere|filling)|full of smoke|\bsmoking (socket|outlet|plug|wire)"
            r"|(socket|outlet|plug|wire|wires|meter|switch|panel)[^,.!?]{0,15}(smok|spark|burn)|\bsparks?\b|\bsparking\b|burning smell|smells? (of |like )?burning|\bflames?\b"
            r"|zhao\s*huo|mao\s*(yan|huo)|qi\s*huo",
        ),
        (
            "water_leak",
            r"爆管|水管爆|管子爆|管爆了|爆了水管|水漫|淹水|水淹|淹了|进水了|入水|水浸|浸咗|漫出来|涌出|湧|喷水|一直在流|一直流水|哗哗|漏得很厉害|漏得好厉害|水越来越多|越漏越"
            rf"|(天花板|天花|楼上|屋顶|墙|灯|吊顶){_STOP}{{0,8}}(漏水|渗水|滴水|往下流|流水|漏落|灌)"
            rf"|(漏水|渗水){_STOP}{{0,6}}(很大|好大|严重|厉害|不停|止不住|越来越)|(水|滴|漏|渗){_STOP}{{0,8}}越来越(多|大|快)"
            r"|\bleak(ing|s)? (bad|badly|a lot|everywhere|fast)\b"
            r"|\bflood(ing|ed)?\b|\bburst\b|\bgushing\b|\bpouring\b|\bstreaming\b|water everywhere|\bsoaked\b"
            r"|water (is |was )?(coming|pouring|leaking|running|streaming) (in|into|through|from|down|out)"
            r"|(ceiling|roof)[^,.!?]{0,15}(leak|leaking|dripping)|lou\s*shui|jin\s*shui|yan\s*le|bao\s*guan|shui\s*guan\s*bao",
        ),
        (
            "power_cut",
            rf"停电|断电|没电了|没有电|木有电|冇电|全黑|突然黑了|(家里|屋里|屋企|全屋|整栋|整个楼|房间|楼道){_STOP}{{0,4}}黑了|灯全灭|全灭了|跳闸{_STOP}{{0,6}}(推不上|合不上|上不去|一直跳)|整栋{_STOP}{{0,4}}没电|跳电"
            r"|power (cut|outage|is out|went out|failure)|no (power|electricity)|blackout|blacked out|lost (power|electricity)"
            r"|lights (all )?went out|ting\s*dian|mei\s*(you\s*)?dian|duan\s*dian|tiao\s*zha",
        ),
        (
            "other",  # someone hurt by a facility: the model names the facility, the rule the urgency
            r"流血|受伤了|受傷|砸伤|砸到人|夹伤|摔伤|跌伤|跌親|骨折|昏倒|晕倒"
            r"|\bbleeding\b|\binjured\b|\bhurt (his|her|my|their)\b|\bfell (in|into|on)\b|\bhit (a|an|my|his|her) (lady|man|child|kid|son|daughter|wife|person)",
        ),
    )
)

_NEGATIONS = re.compile(
    r"不急|不着急|不用急|不是很急|没那么急|不紧急|不赶|有空(再|的时候)|慢慢|方便(的时候|时)|不是急事|抽空"
    r"|已经(不|没)|不漏了|没漏了|修好了|恢复了|来电了|好了没事|没事了|没有(煤气|燃气)味|没闻到"
    r"|no rush|not urgent|no hurry|not an emergency|whenever|when(ever)? (you|u) (have|got) time|not in a hurry"
    r"|no longer|stopped leaking|is back|came back|fixed now|all good now|false alarm"
)
# Asking about a past, planned or imagined event rather than reporting one happening now.
_NOT_NOW = re.compile(
    rf"(明天|后天|下周|几点|什么时候|何时|计划|通知|预计){_STOP}{{0,6}}(停电|停水|断电|停气)"
    rf"|(停电|停水|断电|停气){_STOP}{{0,6}}(通知|计划|几点|到几点|什么时候|多久|吗\?|吗？|吗$)"
    r"|昨天|昨晚|前天|上周|上个月|上次|上回|之前|万一|如果|要是|假如|真.?着火"
    r"|fire drill|fire extinguisher|fire hazard|scheduled|planned|tomorrow|yesterday|last (week|month|time|night)|in case|if there (is|was)"
)


def emergency(normalized: str) -> str | None:
    """The category of the emergency the words state, if any (whether it is happening now is asked apart)."""
    return next((category for category, pattern in _EMERGENCIES if pattern.search(normalized)), None)


def says_not_urgent(normalized: str) -> bool:
    """True when the writer says it can wait, or that the problem is over."""
    return bool(_NEGATIONS.search(normalized))


def about_another_time(normalized: str) -> bool:
    """True when the words place the problem in the past, the future or a "what if"."""
    return bool(_NOT_NOW.search(normalized))
