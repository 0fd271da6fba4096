"""Dossier lookups through the http adapter, and checklist-card render times.

Usage:
    .venv/bin/python bench/dossier_card.py [--lookups 500]

Lookups go through :class:`procedures_catalog.dossier.http.HttpSource` (the national
portal's mapping) to the fake lookup service on loopback (``tests/fakes``), one at a
time, half of them known codes; prints p50/p95/p99 in milliseconds. The service's own
time is not in it (the fake answers at once): this is the adapter's cost.
Cards: every procedure of a sample of 20 from the bundled catalogue (and the one with
the most documents) rendered into an empty cache (first), then asked again (cached);
prints p50/p95/max in milliseconds and pages per card.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from procedures_catalog.card import CardCache, Edition  # noqa: E402
from procedures_catalog.dossier.http import FieldMapping, HttpSource  # noqa: E402
from procedures_catalog.service import Catalog, procedure_to_dict  # noqa: E402
from procedures_catalog.settings import CardSettings, get_card_settings  # noqa: E402
from tests.fakes.dossier_portal import SAMPLE, FakeDossierPortal  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_lookups(n: int) -> None:
    with FakeDossierPortal() as portal:
        source = HttpSource(portal.url, FieldMapping.load("dvcqg"), timeout=5)
        known = next(iter(SAMPLE))
        source.lookup(known)  # connection set up
        times = []
        for i in range(n):
            code = known if i % 2 == 0 else f"H56.22-240315-{i:04d}"
            started = time.perf_counter()
            source.lookup(code)
            times.append((time.perf_counter() - started) * 1000)
    print(f"http lookup ({n}, fake service on loopback): p50 {statistics.median(times):.1f} ms, "
          f"p95 {pct(times, 0.95):.1f} ms, p99 {pct(times, 0.99):.1f} ms")


def bench_cards() -> None:
    catalog = Catalog.open()
    procedures = catalog.procedures()
    sample = procedures[:: max(len(procedures) // 20, 1)][:20]
    sample.append(max(procedures, key=lambda p: len(p.documents or [])))
    edition = Edition("Danh mục TTHC tỉnh Tiền Giang", date(2025, 7, 1))
    with tempfile.TemporaryDirectory() as tmp:
        cache = CardCache(CardSettings(Path(tmp), "http://x", get_card_settings().font_dir))
        first, cached, pages = [], [], []
        for p in sample:
            data = procedure_to_dict(p)
            started = time.perf_counter()
            urls, _ = cache.ensure(data, edition=edition)
            first.append((time.perf_counter() - started) * 1000)
            pages.append(len(urls))
            started = time.perf_counter()
            assert cache.ensure(data, edition=edition)[1]
            cached.append((time.perf_counter() - started) * 1000)
    longest = sample[-1]
    print(f"card render, first ({len(sample)} procedures): p50 {statistics.median(first):.0f} ms, "
          f"p95 {pct(first, 0.95):.0f} ms, max {max(first):.0f} ms; pages p50 "
          f"{statistics.median(pages):.0f}, max {max(pages)} ({longest.code}, "
          f"{len(longest.documents or [])} documents)")
    print(f"card, cached: p50 {statistics.median(cached):.2f} ms, p95 {pct(cached, 0.95):.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lookups", type=int, default=500)
    args = parser.parse_args()
    bench_lookups(args.lookups)
    bench_cards()


if __name__ == "__main__":
    main()
