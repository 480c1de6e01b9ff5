"""Benchmark the suggestions at 100k cached tickets and print the table.

    .venv/bin/python bench/bench_suggest.py [--tickets 100000] [--path FILE] [--reuse]

The cache holds the demo workspace's departments and canned replies (English, translations and
fragments), 30k customers with account facts, ``--tickets`` tickets whose first comment is one of
the demo's customer openings (plus four more comments each) and 3,000 sent outbox entries that came
from canned replies (the usage history). Budgets: ranking the replies for one ticket <= 50 ms p95
(read from the cache as the GUI and ``support-console suggest`` do, with the reply catalog and the
usage read once per refresh); department suggestion <= 5 ms p95. The "Probably misrouted" queue
(the GUI's, off its thread) has no budget: its time is printed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_store import make_event  # noqa: E402

from console.demo.catalog import canned_reply_definitions, group_restriction, macro_actions  # noqa: E402
from console.demo.data import USER_FIELD_KEYS, load  # noqa: E402
from console.domain.languages import detect_language  # noqa: E402
from console.domain.triage import suggest_department  # noqa: E402
from console.store import CacheReader, CacheWriter  # noqa: E402
from console.suggest import TicketSuggestions, build_catalog, misrouted_ticket_ids, read_usage  # noqa: E402

GROUPS = {"Ask Before Buying": 101, "Billing": 102, "Affiliate Program": 103, "Technical Support": 104}
CUSTOMERS = range(100_000, 130_000)
NOW = datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def fill(path: Path, tickets: int) -> None:
    rng = random.Random(3)
    texts = load("ticket_texts")["departments"]
    pools = [(GROUPS[d], t) for d, topics in texts.items() for t in topics]
    with CacheWriter(path) as writer:
        writer.replace_groups([{"id": g, "name": n, "deleted": False} for n, g in GROUPS.items()])
        macros = []
        for n, reply in enumerate(canned_reply_definitions(), start=1):
            department = reply.get("department")
            macros.append({"id": n, "title": reply["title"], "description": reply["description"],
                           "active": not reply.get("fragment"), "position": n,
                           "restriction": group_restriction(GROUPS[department]) if department else None,
                           "actions": macro_actions(reply, GROUPS, greeting=reply.get("greeting", ""),
                                                    sign_off=reply.get("sign_off", ""))})
        writer.replace_macros(macros)
        for first in range(CUSTOMERS.start, CUSTOMERS.stop, 1000):
            users = []
            for uid in range(first, first + 1000):
                fields = dict.fromkeys(USER_FIELD_KEYS)
                if uid % 10:
                    fields.update(account_email=f"c{uid}@example.com", account_status="active", plan="pro_monthly",
                                  purchase_date=_iso(NOW - timedelta(days=uid % 400)),
                                  next_invoice_date=_iso(NOW + timedelta(days=uid % 30)),
                                  checkout_language=rng.choice(["German", "French", None, None]))
                users.append({"id": uid, "name": f"Customer {uid}", "email": f"c{uid}@example.com",
                              "role": "end-user", "active": True, "user_fields": fields})
            writer.apply_user_page(users, None)
        comment_id = 1
        for first in range(1, tickets + 1, 1000):
            page, events = [], []
            for tid in range(first, min(first + 1000, tickets + 1)):
                group, topic = rng.choice(pools)
                requester = rng.choice(CUSTOMERS)
                created = NOW - timedelta(minutes=tid)
                page.append({"id": tid, "subject": rng.choice(topic["subjects"]), "status": "open", "priority": "normal",
                             "requester_id": requester, "assignee_id": None, "group_id": group,
                             "tags": topic["tags"], "created_at": _iso(created), "updated_at": _iso(created),
                             "generated_timestamp": 1_750_000_000 + tid, "custom_fields": [], "description": ""})
                opening = {"id": comment_id, "event_type": "Comment", "type": "Comment", "author_id": requester,
                           "body": rng.choice(topic["openings"]), "html_body": None, "public": True,
                           "attachments": [], "audit_id": comment_id, "created_at": _iso(created)}
                events.append({"id": comment_id * 10, "ticket_id": tid, "timestamp": int(created.timestamp()),
                               "event_type": "Audit", "child_events": [opening]})
                comment_id += 1
                for _ in range(4):
                    events.append(make_event(rng, comment_id, tid))
                    comment_id += 1
            writer.apply_ticket_page(page, f"cursor-{first}", end_of_stream=False)
            writer.apply_comment_events(events, 1_700_000_000 + first)
        replies = [m["id"] for m in macros if m["active"]]
        for _ in range(3000):
            tid = rng.randrange(1, tickets + 1)
            change = writer.enqueue("reply", tid, {"body": "sent", "canned_reply_id": rng.choice(replies)}, None)
            writer.mark_sent(change.op_id, {"ticket_id": tid})
        writer.checkpoint()


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def row(name: str, samples: list[float], budget: float | None) -> None:
    p95 = pct(samples, 95)
    verdict = f"{budget:>8.1f} {p95 / budget:>6.2f}  {'ok' if p95 <= budget else 'OVER'}" if budget else \
        f"{'-':>8} {'-':>6}"
    print(f"{name:<52} {statistics.median(samples):>8.2f} {p95:>8.2f} {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--path", help="cache file (default: a temp file)")
    parser.add_argument("--reuse", action="store_true", help="with --path: skip filling an existing cache")
    args = parser.parse_args()
    path = Path(args.path) if args.path else Path(tempfile.mkdtemp(prefix="bench-suggest-")) / "cache.sqlite"
    if not (args.reuse and path.exists()):
        started = time.perf_counter()
        fill(path, args.tickets)
        print(f"filled {path} with {args.tickets:,} tickets in {time.perf_counter() - started:.0f} s")
    rng = random.Random(11)
    reader = CacheReader(path)
    ids = [rng.randrange(1, args.tickets + 1) for _ in range(300)]
    catalog, usage = build_catalog(reader), read_usage(reader)
    print(f"\ncache: {path} ({len(catalog.families)} reply families, {len(usage)} usage rows)\n")
    print(f"{'operation':<52} {'median':>8} {'p95':>8} {'budget':>8} {'ratio':>6}  (ms; budget on p95)")
    queue = iter(ids * 2)
    row("rank the replies for one ticket (read + rank)",
        timed(lambda: TicketSuggestions.for_ticket(reader, next(queue), now=NOW, catalog=catalog, usage=usage), 300), 50)
    queue = iter(ids)
    row("  same, catalog and usage re-read too (the CLI)",
        timed(lambda: TicketSuggestions.for_ticket(reader, next(queue), now=NOW), 100), None)
    samples = []
    for tid in ids:
        ticket = reader.ticket(tid)
        requester = reader.user(ticket["requester_id"])
        text = reader.comments_for_ticket(tid)[0]["body"]
        samples += timed(lambda t=ticket, r=requester, x=text: suggest_department(t["subject"], x, r), 1)
    row("department suggestion (one ticket)", samples, 5)
    texts = [reader.comments_for_ticket(tid)[0]["body"] for tid in ids]
    it = iter(texts * 3)
    row("  language detection (one ticket)", timed(lambda: detect_language(next(it)), 300), None)
    row("  canned_reply_usage query", timed(lambda: reader.canned_reply_usage(), 30), None)
    row("  build the reply catalog", timed(lambda: build_catalog(reader), 30), None)
    from console import suggest

    def misrouted_cold() -> None:
        suggest._SUGGESTED.clear()
        misrouted_ticket_ids(reader)
    row("'Probably misrouted' queue, first (2,000 latest unsolved)", timed(misrouted_cold, 5), None)
    row("  same, reloaded (the tickets unchanged)", timed(lambda: misrouted_ticket_ids(reader), 5), None)
    reader.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
