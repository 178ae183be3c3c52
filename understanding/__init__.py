"""Turns a resident's words into an intent, a category, an urgency flag and a confidence.

The package is self-contained: it imports nothing of the rest of the project, needs no network and downloads
nothing. The model is trained from the labelled corpus kept in `understanding/corpus/` on first use and
cached by the hash of its training data. Modules: `features` and `heads` (what a model is made of),
`training`, `model` (prediction), `cache` (loading), `rules` (the words the model is backed by).
"""

from understanding.cache import load_model
from understanding.corpus import Example
from understanding.labels import CATEGORIES, INTENTS
from understanding.model import Model
from understanding.result import Understanding
from understanding.training import train_model

__all__ = [
    "CATEGORIES",
    "INTENTS",
    "Example",
    "Model",
    "Understanding",
    "load_model",
    "train_model",
]
