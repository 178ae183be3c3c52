"""What the benchmarks share: one trained understanding model for every temporary data folder."""

from __future__ import annotations

import tempfile
from pathlib import Path


def share_model_cache(data_dir: Path) -> None:
    """Let the data folder's trained-model cache (keyed by a hash of the training data) be shared by bench
    runs, so a fresh temporary folder does not train the understanding model again (minutes on 2 cores)."""
    shared = Path(tempfile.gettempdir()) / "wuye-desk-bench-understanding"
    shared.mkdir(exist_ok=True)
    link = Path(data_dir) / "understanding"
    if not link.exists():
        link.symlink_to(shared, target_is_directory=True)
