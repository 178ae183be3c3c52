"""How well the understanding model generalises: figures on the held-out split it never trained on.

Prints intent accuracy per locale and per intent, category accuracy, urgent recall and precision, the most
frequent confusions, and the latency of one message. `--errors` also lists every held-out mistake.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from understanding.cache import load_model  # noqa: E402
from understanding.corpus import heldout_examples, training_examples  # noqa: E402
from understanding.labels import INTENTS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--errors", action="store_true", help="list every held-out mistake")
    args = parser.parse_args()
    train, heldout = training_examples(), heldout_examples()
    started = time.perf_counter()
    model = load_model(cache_dir=Path(tempfile.mkdtemp()))
    print(
        f"trained on {len(train)} examples in {time.perf_counter() - started:.2f} s; held-out: {len(heldout)}"
    )

    by_locale: dict[str, list[bool]] = defaultdict(list)
    by_intent: dict[str, list[bool]] = defaultdict(list)
    cat_hits: list[bool] = []
    tp = fp = fn = 0
    confusions: Counter[tuple[str, str]] = Counter()
    errors = []
    timings = []
    for ex in heldout:
        t0 = time.perf_counter()
        got = model.classify(ex.text)
        timings.append(time.perf_counter() - t0)
        ok = got.intent == ex.intent
        by_locale[ex.locale].append(ok)
        by_intent[ex.intent].append(ok)
        if not ok:
            confusions[(ex.intent, got.intent)] += 1
        if ex.category is not None and ok:
            cat_hits.append(got.category == ex.category)
        if ex.urgent and got.urgent:
            tp += 1
        elif got.urgent and not ex.urgent:
            fp += 1
        elif ex.urgent and not got.urgent:
            fn += 1
        if not ok or (ex.category is not None and got.category != ex.category) or got.urgent != ex.urgent:
            errors.append((ex, got))

    def pct(xs: list[bool]) -> str:
        return f"{sum(xs) / len(xs):.3f} ({sum(xs)}/{len(xs)})" if xs else "-"

    everything = [ok for xs in by_locale.values() for ok in xs]
    print(f"intent accuracy: {pct(everything)}")
    for loc in sorted(by_locale):
        print(f"  {loc:6} {pct(by_locale[loc])}")
    for name in INTENTS:
        print(f"  {name:11} {pct(by_intent.get(name, []))}")
    print(f"category accuracy (where the intent is right): {pct(cat_hits)}")
    recall = tp / (tp + fn) if tp + fn else 1.0
    precision = tp / (tp + fp) if tp + fp else 1.0
    print(f"urgent recall {recall:.3f} ({tp}/{tp + fn}), precision {precision:.3f} ({tp}/{tp + fp})")
    print("most frequent confusions (expected -> got):")
    for (want, got_name), n in confusions.most_common(8):
        print(f"  {want} -> {got_name}: {n}")
    timings.sort()
    print(
        f"latency per message: median {statistics.median(timings) * 1000:.3f} ms, "
        f"p99 {timings[int(len(timings) * 0.99)] * 1000:.3f} ms"
    )
    if args.errors:
        for ex, got in errors:
            print(
                f"  [{ex.locale}] {ex.text!r}: want {ex.intent}/{ex.category}/{ex.urgent} "
                f"got {got.intent}/{got.category}/{got.urgent} ({got.confidence:.2f})"
            )


if __name__ == "__main__":
    main()
