"""The features every head reads: character 1-3-grams and word 1-2-grams, TF-IDF weighted, side by side."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from scipy import sparse

if TYPE_CHECKING:  # scikit-learn is imported when a model is trained or loaded, not with the package
    from sklearn.feature_extraction.text import TfidfVectorizer


def fit_vectorisers(texts: Sequence[str]) -> tuple[TfidfVectorizer, TfidfVectorizer, sparse.csr_matrix]:
    """The character and word vectorisers learnt from these (normalised) texts, and the texts' feature rows."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    char_vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
    word_vec = TfidfVectorizer(
        analyzer="word", token_pattern=r"(?u)\b[a-z][a-z0-9']+\b", ngram_range=(1, 2), sublinear_tf=True
    )
    x = sparse.hstack([char_vec.fit_transform(texts), word_vec.fit_transform(texts)], format="csr")
    return char_vec, word_vec, x


def feature_rows(
    char_vec: TfidfVectorizer, word_vec: TfidfVectorizer, texts: Iterable[str]
) -> sparse.csr_matrix:
    """The feature rows of (normalised) texts, one per text, with vectorisers learnt before."""
    texts = list(texts)
    return sparse.hstack([char_vec.transform(texts), word_vec.transform(texts)], format="csr")
