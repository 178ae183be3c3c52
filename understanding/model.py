"""Prediction: a trained `Model` (vectorisers and three heads) maps one message to an `Understanding`.

One vectoriser pair feeds three heads: the intent, the category (one head per intent that has categories)
and the urgency. The rules (`understanding.rules`) back the model on emergencies, negations and other times.
Training is in `understanding.training`, the cache in `understanding.cache`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from understanding import rules
from understanding.corpus import Example
from understanding.features import feature_rows
from understanding.heads import Head
from understanding.normalize import normalize
from understanding.result import Understanding

if TYPE_CHECKING:  # imported by unpickling or training a model, not with the package (start-up time)
    from sklearn.feature_extraction.text import TfidfVectorizer

URGENT_THRESHOLD = 0.4  # recall first: an emergency missed costs more than one checked for nothing
# The urgent-category safety net only trusts a repair the model is fairly sure of ("bind my flat" is no leak).
CATEGORY_NET_CONFIDENCE = 0.6
# A stated emergency turns these intents into an urgent repair; the others (a progress question, paying,
# booking, cancelling) keep their intent. Questions about planned outages are ruled out by the rules.
_EMERGENCY_OVERRIDES = frozenset({"repair", "complaint", "human", "unknown", "greeting", "inquiry"})
_URGENT_CATEGORIES = frozenset({"water_leak", "power_cut", "gas_smell", "lift_entrapment"})
RECENT_ANSWERS = 4096  # distinct messages whose answer a model keeps


@dataclass
class Model:
    """A trained classifier; `classify` maps one message to an `Understanding`."""

    char_vec: TfidfVectorizer
    word_vec: TfidfVectorizer
    intent: Head
    categories: dict[str, Head]
    urgent: Head
    memory: dict[str, Example] = field(default_factory=dict)  # staff corrections, by normalised text
    fingerprint: str = ""

    def classify(self, text: str) -> Understanding:
        """The intent, category, urgency and confidence of one message.

        The answers to the last few thousand distinct messages are kept with the model ("你好", "谢谢",
        "取消" come again and again): the features of one message cost milliseconds, on the event loop."""
        recent: dict[str, Understanding] = self.__dict__.setdefault("_recent", {})
        found = recent.get(text)
        if found is None:
            found = self._classify(text)
            if len(recent) >= RECENT_ANSWERS:
                recent.pop(next(iter(recent)), None)  # the oldest first
            recent[text] = found
        return found

    def __getstate__(self) -> dict:
        """What is pickled into the cache: the model without the answers kept."""
        return {k: v for k, v in self.__dict__.items() if k != "_recent"}

    def _classify(self, text: str) -> Understanding:
        norm = normalize(text)
        if not norm:
            return Understanding(text, "unknown", None, False, 1.0, (("unknown", 1.0),))
        row = feature_rows(self.char_vec, self.word_vec, [norm])
        probs = self.intent.probabilities(row)
        order = np.argsort(-probs)
        ranked = tuple((self.intent.classes[i], float(probs[i])) for i in order)
        intent, confidence = ranked[0]
        remembered = self.memory.get(norm)
        if remembered is not None:
            intent, confidence = remembered.intent, 1.0
        category = self._category(intent, row)
        if remembered is not None and remembered.category is not None:
            category = remembered.category
        stated = rules.emergency(norm)
        not_urgent = rules.says_not_urgent(norm)
        another_time = rules.about_another_time(norm)
        urgent = False
        if stated is not None and not (not_urgent or another_time) and intent in _EMERGENCY_OVERRIDES:
            if intent != "repair":
                intent, confidence = "repair", max(confidence, 0.9)
                category = self._category("repair", row)
            urgent = True
            if stated in ("gas_smell", "lift_entrapment") or (
                stated != "other" and category not in _URGENT_CATEGORIES
            ):
                category = stated
        elif intent == "repair" and not not_urgent:
            # The model's urgency, backed by the service rules: a leak, a power cut, gas or an entrapment
            # happening now is urgent by category (DESIGN §3), whatever the words' tone.
            urgent = float(self.urgent.probabilities(row)[-1]) >= URGENT_THRESHOLD or (
                category in _URGENT_CATEGORIES and confidence >= CATEGORY_NET_CONFIDENCE and not another_time
            )
        return Understanding(text, intent, category, urgent, float(confidence), ranked)

    def category_of(self, text: str, intent: str) -> str | None:
        """The likeliest category of the message, taking the intent as given (e.g. chosen by the resident)."""
        norm = normalize(text)
        remembered = self.memory.get(norm)
        if remembered is not None and remembered.intent == intent and remembered.category:
            return remembered.category
        return self._category(intent, feature_rows(self.char_vec, self.word_vec, [norm])) if norm else None

    def _category(self, intent: str, row: sparse.csr_matrix) -> str | None:
        head = self.categories.get(intent)
        if head is None:
            return None
        return head.classes[int(np.argmax(head.probabilities(row)))]
