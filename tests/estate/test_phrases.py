"""Standard and forbidden phrases of seed 002."""

from __future__ import annotations

from estate.tickets.phrases import STANDARD_PHRASES, find_forbidden, forbidden_phrases, standard_phrases


def test_twenty_standard_phrases_in_every_language():
    assert len(STANDARD_PHRASES) == 20
    zh = standard_phrases("zh_CN", estate="星城花园")
    assert zh[1] == "您好！星城花园物业客服中心，请问有什么可以帮助您？"
    assert "对于您反映的问题我们会马上处理" in zh[-1]
    assert standard_phrases("en", estate="Star City")[6] == "One moment, please!"
    assert standard_phrases("zh_TW", estate="x")[6] == "請稍等！"


def test_thirteen_forbidden_phrases_from_the_seed():
    # 13 of the seed, plus 急什么 on its own, which both 急什么 phrases start with.
    assert len(forbidden_phrases()) == 14


def test_found_in_either_script_and_despite_punctuation():
    assert [m.phrase for m in find_forbidden("我不知道。")] == ["不知道"]
    assert [m.phrase for m in find_forbidden("急什麼,煩死人了")] == ["急什麼，煩死人了"]
    assert [m.phrase for m in find_forbidden("急 什 么")] == ["急什么"]
    m = find_forbidden("您好，急什么呢", locale="en")[0]
    assert (m.start, m.end) == (3, 6)
    assert m.alternative == "Please do not worry"


def test_wei_only_as_a_rude_greeting():
    assert [m.phrase for m in find_forbidden("喂！你家漏水了")] == ["喂"]
    assert find_forbidden("请记得喂猫") == []
    assert find_forbidden("您好，维修师傅下午到") == []
