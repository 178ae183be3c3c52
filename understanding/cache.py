"""Where trained models are kept: in memory per process, and pickled on disk under the hash of their data."""

from __future__ import annotations

import os
import pickle
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

from understanding.corpus import Example, training_examples
from understanding.model import Model
from understanding.training import fingerprint, train_model

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
