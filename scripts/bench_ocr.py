"""How long a scanned page takes to read through OCR, in the parsing sandbox.

    python scripts/bench_ocr.py [--rows 25] [--runs 3]

Renders a one-page A4 list at 200 dpi (a title, a header, --rows honorees, a
signature; turned 1.2 degrees, with specks, saved as JPEG as a scanner does), then
parses it --runs times through the same sandbox as `archive import` (its default
limits: PARSE_SECONDS, PARSE_MEMORY_MB), each in a fresh sandbox process (the OCR
engine loads every time, as it does per import). Prints seconds per run, the entries
read right.
"""

import argparse
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from archive import sandbox  # noqa: E402
from archive.config import SETTINGS  # noqa: E402

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["玉柱", "晓雯", "建国", "海燕", "志强", "丽娜", "文斌", "秀英", "国庆", "静怡"]
UNITS = ["中国电信股份有限公司九江分公司", "中国移动通信集团浙江有限公司杭州分公司",
         "中国联合网络通信有限公司北京市分公司", "中国铁塔股份有限公司江苏省分公司"]


def page(rows):
    """The rendered scan (JPEG bytes) and the (name, unit) pairs it shows."""
    import rendered
    people = [(str(i + 1), SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)],
               UNITS[i % len(UNITS)], "客户经理") for i in range(rows)]
    image = rendered.page_image([rendered.HEADER] + people, angle=1.2, noise=2000, size=30)
    buf = io.BytesIO()
    image.convert("L").save(buf, "JPEG", quality=85)
    return buf.getvalue(), [(p[1], p[2]) for p in people]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=25)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    data, expected = page(args.rows)
    limits = {"seconds": SETTINGS["PARSE_SECONDS"][0], "cpu_seconds": SETTINGS["PARSE_CPU_SECONDS"][0],
              "memory_mb": SETTINGS["PARSE_MEMORY_MB"][0]}
    print(f"one A4 page at 200 dpi, {args.rows} rows, {len(data) // 1024} KB JPEG; "
          f"sandbox limits {limits}")
    times = []
    for run in range(args.runs):
        start = time.perf_counter()
        result, = sandbox.parse_all([(("scan.jpg", data), [], None)], limits)
        times.append(time.perf_counter() - start)
        if isinstance(result, Exception):
            print(f"run {run + 1}: refused: {result}")
            continue
        read = [(e["name"], e["unit"]) for e in result.entries]
        right = sum(1 for pair in read if pair in expected)
        print(f"run {run + 1}: {times[-1]:.2f} s, {right}/{len(expected)} entries read right, "
              f"{len(result.doubts)} cells marked")
    print(f"median {sorted(times)[len(times) // 2]:.2f} s per page (target ≤ 10 s), "
          f"within the sandbox's {limits['memory_mb']} MB address-space limit")


if __name__ == "__main__":
    main()
