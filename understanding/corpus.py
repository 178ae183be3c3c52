"""The labelled corpus: JSONL files in `corpus/` for training, and `corpus/heldout/` that is never trained on."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from understanding.labels import CATEGORIES, INTENTS

CORPUS_DIR = Path(__file__).parent / "corpus"
HELDOUT_DIR = CORPUS_DIR / "heldout"


@dataclass(frozen=True)
class Example:
    """One labelled message."""

    text: str
    intent: str
    category: str | None = None
    urgent: bool = False
    locale: str = "zh_CN"


class CorpusError(ValueError):
    """A corpus line is malformed or carries an unknown label."""


def check(example: Example, where: str = "") -> Example:
    """The example itself, or CorpusError naming what is wrong with it."""
    if not example.text.strip():
        raise CorpusError(f"{where}: empty text")
    if example.intent not in INTENTS:
        raise CorpusError(f"{where}: unknown intent {example.intent!r}")
    allowed = CATEGORIES.get(example.intent)
    if allowed is None and example.category is not None:
        raise CorpusError(f"{where}: intent {example.intent} takes no category")
    if allowed is not None and example.category not in allowed:
        raise CorpusError(f"{where}: unknown {example.intent} category {example.category!r}")
    return example


def read_jsonl(path: Path) -> Iterator[Example]:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        yield check(
            Example(
                text=row["text"],
                intent=row["intent"],
                category=row.get("category"),
                urgent=bool(row.get("urgent", False)),
                locale=row.get("locale", "zh_CN"),
            ),
            f"{path.name}:{n}",
        )


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.jsonl"))


def training_examples() -> list[Example]:
    """Every training example shipped with the package."""
    return [ex for path in _files(CORPUS_DIR) for ex in read_jsonl(path)]


def heldout_examples() -> list[Example]:
    """The held-out split: for measuring only, never for training."""
    return [ex for path in _files(HELDOUT_DIR) for ex in read_jsonl(path)]


def fingerprint_lines(examples: Iterable[Example]) -> Iterator[str]:
    for ex in examples:
        yield json.dumps([ex.text, ex.intent, ex.category, ex.urgent], ensure_ascii=False)
