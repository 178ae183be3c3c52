"""A model keeps its answers to recent messages: the same answer again, and none of them in its pickle."""

from __future__ import annotations

import pickle

from understanding import load_model
from understanding import model as model_module


def test_a_message_seen_before_gets_the_same_answer_from_memory():
    model = pickle.loads(pickle.dumps(load_model()))
    first = model.classify("我家厨房漏水")
    assert model.classify("我家厨房漏水") is first
    assert first == model._classify("我家厨房漏水")
    assert "_recent" not in pickle.loads(pickle.dumps(model)).__dict__


def test_the_oldest_answer_goes_first(monkeypatch):
    monkeypatch.setattr(model_module, "RECENT_ANSWERS", 2)
    model = pickle.loads(pickle.dumps(load_model()))
    for text in ("你好", "谢谢", "电梯坏了"):
        model.classify(text)
    assert list(model.__dict__["_recent"]) == ["谢谢", "电梯坏了"]
