"""Benchmark sanitizing and flattening big comment bodies (domain/html.py) and print a table.

    .venv/bin/python bench/bench_html.py [--mb 6] [--runs 5]

A 6 MB HTML comment took 8.9 s to clean on the GUI thread (issue 10); the helpdesk now refuses
comments over 64 KB, but old ones from a real account can be that big. Budget: 1 s for 6 MB
(the GUI renders off its thread; this keeps that thread's work and the wait bounded).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from console.domain.html import html_to_text, sanitize_comment_html  # noqa: E402

PARAGRAPH = ('<p dir="auto">Hello <b>customer</b>, see <a href="https://example.com/x?y=1">this link</a> '
             'and <img src="https://t.example/p.gif" alt="pixel"> thanks &amp; regards.</p>\n'
             '<table><tr><td>order</td><td>1182</td></tr></table><ul><li>one</li><li>two</li></ul>\n')
BUDGET = 1.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=6.0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    body = PARAGRAPH * int(args.mb * 1_000_000 / len(PARAGRAPH))
    print(f"{'figure':<34} {'median s':>9} {'budget s':>9} {'ratio':>6}")
    for name, fn in (("sanitize_comment_html", sanitize_comment_html), ("html_to_text", html_to_text)):
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            fn(body)
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        print(f"{name + f' ({len(body) / 1e6:.1f} MB)':<34} {median:>9.2f} {BUDGET:>9.2f} {median / BUDGET:>6.2f}")


if __name__ == "__main__":
    main()
