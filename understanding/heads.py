"""One linear classifier over the features (`Head`): fitted with scikit-learn, applied with plain numpy.

Prediction does the linear algebra itself (one sparse row times a dense matrix) because the scikit-learn
wrappers cost more than the arithmetic for a single message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse


@dataclass
class Head:
    """A one-vs-rest logistic regression: its classes, weights and intercepts."""

    classes: tuple[str, ...]
    coef: np.ndarray  # (n_classes, n_features), or (1, n_features) for a binary head
    intercept: np.ndarray

    @classmethod
    def fit(cls, x: sparse.csr_matrix, y: Sequence[Any], weights: np.ndarray, c: float) -> Head:
        from sklearn.linear_model import LogisticRegression  # only to train: not imported at start-up

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
