"""Training a model from labelled examples and staff corrections, and the hash a trained model is known by."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import numpy as np

from understanding.corpus import Example, fingerprint_lines
from understanding.features import fit_vectorisers
from understanding.heads import Head
from understanding.labels import CATEGORIES
from understanding.model import Model
from understanding.normalize import normalize

MODEL_VERSION = "6"  # bump when features or heads change (or move), so that cached models are rebuilt
CORRECTION_WEIGHT = 5.0  # a staff correction outweighs one corpus line: staff saw the real case


def train_model(examples: Sequence[Example], corrections: Sequence[Example] = ()) -> Model:
    """Train every head from the examples, with staff corrections weighted up and remembered exactly."""
    rows = list(examples) + list(corrections)
    weights = np.array([1.0] * len(examples) + [CORRECTION_WEIGHT] * len(corrections))
    char_vec, word_vec, x = fit_vectorisers([normalize(ex.text) for ex in rows])
    intent = Head.fit(x, [ex.intent for ex in rows], weights, c=20.0)
    categories = {}
    for name in CATEGORIES:
        idx = [i for i, ex in enumerate(rows) if ex.intent == name and ex.category]
        if len({rows[i].category for i in idx}) >= 2:
            categories[name] = Head.fit(x[idx], [rows[i].category for i in idx], weights[idx], c=20.0)
    urgent = Head.fit(x, [ex.urgent for ex in rows], weights, c=10.0)
    memory = {normalize(ex.text): ex for ex in corrections}
    return Model(char_vec, word_vec, intent, categories, urgent, memory)


def fingerprint(examples: Iterable[Example], corrections: Iterable[Example] = ()) -> str:
    """The hash a trained model is cached under: its data, its code version and scikit-learn's."""
    import sklearn  # here, not at the top: the package is imported at start-up, scikit-learn takes a while

    h = hashlib.sha256(f"{MODEL_VERSION}|{sklearn.__version__}".encode())
    for line in fingerprint_lines(examples):
        h.update(line.encode("utf-8"))
    h.update(b"|corrections|")
    for line in fingerprint_lines(corrections):
        h.update(line.encode("utf-8"))
    return h.hexdigest()
