"""The trained model: character and word n-gram TF-IDF features with linear classifiers, backed by rules.

One vectoriser feeds three heads: the intent, the category (one head per intent that has categories) and
the urgency. Prediction does the linear algebra itself (one sparse row times a dense matrix) because the
scikit-learn wrappers cost more than the arithmetic for a single message.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from understanding import rules
from understanding.corpus import Example, fingerprint_lines, training_examples
from understanding.labels import CATEGORIES
from understanding.normalize import normalize

__all__ = ["Example", "Model", "Understanding", "load_model", "train_model"]

MODEL_VERSION = "5"  # bump when features or heads change, so that cached models are rebuilt
CORRECTION_WEIGHT = 5.0  # a staff correction outweighs one corpus line: staff saw the real case
URGENT_THRESHOLD = 0.4  # recall first: an emergency missed costs more than one checked for nothing
# The urgent-category safety net only trusts a repair the model is fairly sure of ("bind my flat" is no leak).
CATEGORY_NET_CONFIDENCE = 0.6
# A stated emergency turns these intents into an urgent repair; the others (a progress question, paying,
# booking, cancelling) keep their intent. Questions about planned outages are ruled out by the rules.
_EMERGENCY_OVERRIDES = frozenset({"repair", "complaint", "human", "unknown", "greeting", "inquiry"})


@dataclass(frozen=True)
class Understanding:
    """What a message most likely means."""

    text: str
    intent: str
    category: str | None
    urgent: bool
    confidence: float
    ranked: tuple[tuple[str, float], ...] = ()  # every intent with its probability, likeliest first

    def as_dict(self) -> dict[str, Any]:
        """The stable JSON shape of `desk understand --json`."""
        return {
            "text": self.text,
            "intent": self.intent,
            "category": self.category,
            "urgent": self.urgent,
            "confidence": round(self.confidence, 4),
        }


@dataclass
class _Head:
    classes: tuple[str, ...]
    coef: np.ndarray  # (n_classes, n_features), or (1, n_features) for a binary head
    intercept: np.ndarray

    @classmethod
    def fit(cls, x: sparse.csr_matrix, y: Sequence[Any], weights: np.ndarray, c: float) -> _Head:
        # One-vs-rest with liblinear: a second per head on 2,000 messages where the multinomial L-BFGS
        # solver takes tens of seconds on this kind of sparse, wide problem.
        labels = sorted(set(y))
        target = np.array(list(y))
        if len(labels) == 2:
            clf = LogisticRegression(C=c, solver="liblinear", class_weight="balanced", random_state=0)
            clf.fit(x, target, sample_weight=weights)
            return cls(tuple(str(v) for v in clf.classes_), np.asarray(clf.coef_).T.copy(), clf.intercept_)
        coefs, intercepts = [], []
        for label in labels:
            clf = LogisticRegression(C=c, solver="liblinear", class_weight="balanced", random_state=0)
            clf.fit(x, target == label, sample_weight=weights)
            coefs.append(np.asarray(clf.coef_).ravel())
            intercepts.append(float(clf.intercept_[0]))
        return cls(tuple(str(v) for v in labels), np.vstack(coefs).T.copy(), np.array(intercepts))

    def probabilities(self, row: sparse.csr_matrix) -> np.ndarray:
        scores = np.asarray(row @ self.coef).ravel() + self.intercept
        p = 1.0 / (1.0 + np.exp(-scores))
        if len(self.classes) == 2 and scores.shape[0] == 1:  # binary: one score for the second class
            return np.array([1.0 - p[0], p[0]])
        return p / p.sum()


@dataclass
class Model:
    """A trained classifier; `classify` maps one message to an `Understanding`."""

    char_vec: TfidfVectorizer
    word_vec: TfidfVectorizer
    intent: _Head
    categories: dict[str, _Head]
    urgent: _Head
    memory: dict[str, Example] = field(default_factory=dict)  # staff corrections, by normalised text
    fingerprint: str = ""

    def _features(self, texts: Iterable[str]) -> sparse.csr_matrix:
        texts = list(texts)
        return sparse.hstack([self.char_vec.transform(texts), self.word_vec.transform(texts)], format="csr")

    def classify(self, text: str) -> Understanding:
        """The intent, category, urgency and confidence of one message."""
        norm = normalize(text)
        if not norm:
            return Understanding(text, "unknown", None, False, 1.0, (("unknown", 1.0),))
        row = self._features([norm])
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
        return self._category(intent, self._features([norm])) if norm else None

    def _category(self, intent: str, row: sparse.csr_matrix) -> str | None:
        head = self.categories.get(intent)
        if head is None:
            return None
        return head.classes[int(np.argmax(head.probabilities(row)))]


_URGENT_CATEGORIES = frozenset({"water_leak", "power_cut", "gas_smell", "lift_entrapment"})


def train_model(examples: Sequence[Example], corrections: Sequence[Example] = ()) -> Model:
    """Train every head from the examples, with staff corrections weighted up and remembered exactly."""
    rows = list(examples) + list(corrections)
    weights = np.array([1.0] * len(examples) + [CORRECTION_WEIGHT] * len(corrections))
    texts = [normalize(ex.text) for ex in rows]
    char_vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
    word_vec = TfidfVectorizer(
        analyzer="word", token_pattern=r"(?u)\b[a-z][a-z0-9']+\b", ngram_range=(1, 2), sublinear_tf=True
    )
    x = sparse.hstack([char_vec.fit_transform(texts), word_vec.fit_transform(texts)], format="csr")
    intent = _Head.fit(x, [ex.intent for ex in rows], weights, c=20.0)
    categories = {}
    for name in CATEGORIES:
        idx = [i for i, ex in enumerate(rows) if ex.intent == name and ex.category]
        if len({rows[i].category for i in idx}) >= 2:
            categories[name] = _Head.fit(x[idx], [rows[i].category for i in idx], weights[idx], c=20.0)
    urgent = _Head.fit(x, [ex.urgent for ex in rows], weights, c=10.0)
    memory = {normalize(ex.text): ex for ex in corrections}
    return Model(char_vec, word_vec, intent, categories, urgent, memory)


def fingerprint(examples: Iterable[Example], corrections: Iterable[Example] = ()) -> str:
    """The hash a trained model is cached under: its data, its code version and scikit-learn's."""
    h = hashlib.sha256(f"{MODEL_VERSION}|{sklearn.__version__}".encode())
    for line in fingerprint_lines(examples):
        h.update(line.encode("utf-8"))
    h.update(b"|corrections|")
    for line in fingerprint_lines(corrections):
        h.update(line.encode("utf-8"))
    return h.hexdigest()


_LOADED: dict[str, Model] = {}
_LOCK = threading.Lock()


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "wuye-desk" / "understanding"


def load_model(cache_dir: Path | None = None, corrections: Sequence[Example] = ()) -> Model:
    """The model for the shipped corpus plus these corrections: from memory, from the disk cache, or trained."""
    examples = training_examples()
    key = fingerprint(examples, corrections)
    with _LOCK:
        model = _LOADED.get(key)
        if model is not None:
            return model
        folder = cache_dir or default_cache_dir()
        path = folder / f"model-{key[:24]}.pickle"
        model = _read(path)
        if model is None:
            model = train_model(examples, corrections)
            model.fingerprint = key
            _write(path, model)
        _LOADED[key] = model
        return model


def _read(path: Path) -> Model | None:
    try:
        with path.open("rb") as f:
            model = pickle.load(f)  # written by this package into the operator's own data folder
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    return model if isinstance(model, Model) else None


def _write(path: Path, model: Model) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False, suffix=".tmp") as f:
            pickle.dump(model, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(f.name, path)
    except OSError:
        pass  # a read-only folder only costs training again next time
