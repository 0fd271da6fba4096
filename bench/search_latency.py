"""Search cost per query: over the 1,787-procedure catalogue and over 100,000 procedures.

Usage:
    .venv/bin/python bench/search_latency.py [--size 100000] [--national PATH]

The large catalogue replicates the bundled one per province (56 copies of 1,787, names
suffixed with the province so copies stay distinct), or the national listing when
``--national`` points at ``national_catalogue.csv.gz``. Queries are the development
questions (``bench/data/search_dev.jsonl``). Prints p50/p95/p99 in milliseconds,
and the index build time and memory.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from procedures_catalog.search import IndexEntry, SearchIndex  # noqa: E402
from procedures_catalog.settings import DEFAULT_SAMPLE  # noqa: E402

PROVINCES = [
    "An Giang", "Bà Rịa - Vũng Tàu", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh", "Bến Tre",
    "Bình Dương", "Bình Định", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Cần Thơ",
    "Đà Nẵng", "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang",
    "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương", "Hải Phòng", "Hậu Giang", "Hòa Bình", "Hưng Yên",
    "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An",
    "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình",
    "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh",
    "Thái Bình", "Thái Nguyên", "Thanh Hóa", "Huế", "Tiền Giang", "TP Hồ Chí Minh", "Trà Vinh",
    "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
]


def load_rows(path: Path) -> list[dict[str, str]]:
    csv.field_size_limit(1 << 28)
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def entries_for(rows: list[dict[str, str]], size: int) -> list[IndexEntry]:
    out: list[IndexEntry] = []
    copy = 0
    while len(out) < size:
        province = PROVINCES[copy % len(PROVINCES)]
        for row in rows:
            if len(out) >= size:
                break
            suffix = "" if copy == 0 else f" ({province})"
            out.append(IndexEntry(
                code=f"{row['code']}-{copy}", name=row["name"] + suffix,
                level=row.get("level") or "tinh", online_level=row.get("online_level") or "thong_tin",
                field=row.get("field", ""),
            ))
        copy += 1
    return out


def measure(index: SearchIndex, queries: list[str], rounds: int = 3) -> list[float]:
    for q in queries[:20]:  # warm caches
        index.search(q, 5)
    times = []
    for _ in range(rounds):
        for q in queries:
            t = time.perf_counter()
            index.search(q, 5)
            times.append((time.perf_counter() - t) * 1000)
    return times


def report(label: str, times: list[float]) -> None:
    qs = statistics.quantiles(times, n=100)
    print(f"{label:<34} n={len(times):>5}  p50 {qs[49]:6.2f} ms  p95 {qs[94]:6.2f} ms  "
          f"p99 {qs[98]:6.2f} ms  max {max(times):6.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--national", type=Path, help="national_catalogue.csv.gz to replicate instead")
    args = parser.parse_args()
    queries = [json.loads(line)["q"] for line in (ROOT / "bench/data/search_dev.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]

    import tempfile

    from procedures_catalog.service import Catalog

    with tempfile.TemporaryDirectory() as tmp:
        catalog = Catalog.open(f"sqlite:///{tmp}/bench.sqlite3")
        t = time.perf_counter()
        index = catalog.index()
        print(f"index of {len(index.entries):,} procedures (with aliases) built in {time.perf_counter() - t:.2f} s")
        report(f"search, {len(index.entries):,} procedures", measure(index, queries))

    rows = load_rows(args.national or DEFAULT_SAMPLE)
    entries = entries_for(rows, args.size)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    big = SearchIndex(entries)
    build = time.perf_counter() - t
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"index of {len(entries):,} procedures built in {build:.1f} s, +{(rss1 - rss0) / 1024:.0f} MB peak RSS")
    report(f"search, {len(entries):,} procedures", measure(big, queries, rounds=1))


if __name__ == "__main__":
    main()
