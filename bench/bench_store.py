"""Benchmark the local cache at realistic scale and print tables.

    .venv/bin/python bench/bench_store.py [--tickets 100000] [--comments-per-ticket 5] [--path FILE]

Measures: applying 1000-ticket export pages and 1000-comment ticket_events pages (FTS
included), the GUI's read queries (budget: well under 16 ms) and search (p95 <= 50 ms).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from console.store import CacheReader, CacheWriter, QueueSpec  # noqa: E402

STATUSES = ["new", "open", "open", "pending", "hold", "solved", "solved", "closed", "closed", "closed"]
PRIORITIES = [None, "low", "normal", "normal", "high", "urgent"]
GROUPS = [101, 102, 103, 104]
AGENTS = list(range(7000, 7040))
_VOCABULARY = ("invoice refund cancel subscription password reset login domain currency checkout trial plan "
         "upgrade card billing tax freeze account email username security question language page course "
         "membership affiliate payout commission expert profile save error please help thanks urgent "
         "renewal receipt charge twice wrong missing access locked browser cache cookie mobile app "
         "payment method paypal visa mastercard debit bank transfer invoice number order seller")
WORDS = _VOCABULARY.split()


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """Domain words plus 5000 made-up ones, with Zipf-like frequencies as in real text."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    made_up = {"".join(rng.choice(letters) for _ in range(rng.randint(3, 10))) for _ in range(5000)}
    words = WORDS + sorted(made_up - set(WORDS))
    rng.shuffle(words)
    weights, total = [], 0.0
    for rank in range(1, len(words) + 1):
        total += 1.0 / rank
        weights.append(total)
    return words, weights


_VOCAB: tuple[list[str], list[float]] | None = None


def _text(rng: random.Random, n: int) -> str:
    global _VOCAB
    if _VOCAB is None:
        _VOCAB = _vocabulary(random.Random(7))
    words = rng.choices(_VOCAB[0], cum_weights=_VOCAB[1], k=n)
    words += [str(rng.randrange(100_000)) for _ in range(max(1, n // 15))]  # order numbers, amounts
    rng.shuffle(words)
    return " ".join(words)


def _iso(ts: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def _cond(field: str, operator: str, value: str) -> dict:
    return {"field": field, "operator": operator, "value": value}


UNSOLVED_COND = _cond("status", "less_than", "solved")
VIEWS = [  # helpdesk views evaluated in the cache (console.store.viewsql)
    {"id": 1, "title": "department unsolved", "conditions": {"all": [UNSOLVED_COND, _cond("group_id", "is", "101")]}},
    {"id": 2, "title": "not my groups, unsolved",
     "conditions": {"all": [UNSOLVED_COND, _cond("group_id", "is_not", "current_groups")]}},
    {"id": 3, "title": "unassigned, not low", "conditions": {"all": [
        UNSOLVED_COND, _cond("assignee_id", "is", ""), _cond("priority", "is_not", "low")]}},
    {"id": 4, "title": "unsolved by email (raw)", "conditions": {"all": [UNSOLVED_COND, _cond("via_id", "is", "4")]}},
    {"id": 5, "title": "unsolved, custom field (raw)",
     "conditions": {"all": [UNSOLVED_COND, _cond("custom_fields_900", "is", "eur")]}},
    {"id": 6, "title": "all by email (raw)", "conditions": {"all": [_cond("via_id", "is", "4")]}},
    {"id": 7, "title": "tags, any", "conditions": {"any": [_cond("current_tags", "includes", "refund"),
                                                           _cond("assignee_id", "is", "current_user")]}},
]


def make_ticket(rng: random.Random, ticket_id: int, version: int) -> dict:
    created = 1_700_000_000 + ticket_id * 60
    return {"id": ticket_id, "subject": _text(rng, 6), "status": rng.choice(STATUSES),
            "priority": rng.choice(PRIORITIES), "type": "question", "requester_id": 100_000 + rng.randrange(30_000),
            "submitter_id": 1, "assignee_id": rng.choice(AGENTS + [None] * 10), "group_id": rng.choice(GROUPS),
            "tags": rng.sample(WORDS, 2), "created_at": _iso(created),
            "updated_at": _iso(created + rng.randrange(86_400 * 30)), "generated_timestamp": version,
            "custom_fields": [], "via": {"channel": "email"}, "description": ""}


def make_event(rng: random.Random, comment_id: int, ticket_id: int) -> dict:
    body = _text(rng, 45)
    return {"id": comment_id * 10, "ticket_id": ticket_id, "timestamp": 1_700_000_000 + comment_id,
            "event_type": "Audit", "child_events": [
                {"id": comment_id, "event_type": "Comment", "type": "Comment", "author_id": 7001, "body": body,
                 "html_body": f"<p>{body}</p>", "public": True, "attachments": [], "audit_id": comment_id * 10,
                 "created_at": _iso(1_700_000_000 + comment_id)}]}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


Samples = list[tuple[float, float]]  # (wall seconds, CPU seconds of this process)


def row(name: str, samples: Samples, budget: float) -> None:
    wall = [w * 1000 for w, _ in samples]
    cpu = [c * 1000 for _, c in samples]
    p95 = pct(wall, 95)
    print(f"{name:<44} {statistics.median(wall):>8.2f} {p95:>8.2f} {max(wall):>8.2f} "
          f"{statistics.median(cpu):>8.2f} {budget:>8.0f}  {'ok' if p95 <= budget else 'OVER'}")


def timed(fn: Callable[[], object], repeat: int = 1) -> Samples:
    out = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        out.append((time.perf_counter() - wall, time.process_time() - cpu))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--comments-per-ticket", type=int, default=5)
    parser.add_argument("--path", help="cache file (default: a temp file)")
    parser.add_argument("--reuse", action="store_true", help="with --path: skip filling an existing cache")
    args = parser.parse_args()
    rng = random.Random(1)
    path = Path(args.path) if args.path else Path(tempfile.mkdtemp(prefix="bench-store-")) / "cache.sqlite"
    reuse = args.reuse and path.exists()
    writer = CacheWriter(path)
    print(f"cache: {path}\n")
    print(f"{'operation':<44} {'median':>8} {'p95':>8} {'max':>8} {'cpu med':>8} {'budget':>8}  (ms; budget on p95)")
    if not reuse:
        fill(writer, rng, args)
    writer.replace_views(VIEWS)
    writer.replace_memberships([{"id": 1, "user_id": AGENTS[0], "group_id": GROUPS[0]},
                                {"id": 2, "user_id": AGENTS[0], "group_id": GROUPS[1]}])
    writer.close()
    read_queries(path, rng)
    return 0


def fill(writer: CacheWriter, rng: random.Random, args: argparse.Namespace) -> None:
    """Apply the generated export pages, timing each, as an initial sync would."""
    start_all = time.perf_counter()
    ticket_pages = []
    for first in range(1, args.tickets + 1, 1000):
        page = [make_ticket(rng, i, 1_750_000_000 + i) for i in range(first, min(first + 1000, args.tickets + 1))]
        ticket_pages += timed(lambda p=page, f=first: writer.apply_ticket_page(p, f"cursor-{f}", end_of_stream=False))
    row("apply_ticket_page (1000 tickets)", ticket_pages, 30)

    comment_pages, comment_id, total = [], 1, args.tickets * args.comments_per_ticket
    while comment_id <= total:
        events = [make_event(rng, c, rng.randrange(1, args.tickets + 1))
                  for c in range(comment_id, min(comment_id + 1000, total + 1))]
        comment_id += len(events)
        comment_pages += timed(lambda e=events, c=comment_id: writer.apply_comment_events(e, 1_700_000_000 + c))
    row("apply_comment_events (1000 comments)", comment_pages, 60)
    # polls after the initial sync: 1000 changed tickets per page. Typical: recent tickets
    # (the newest 30%) whose status/assignee/dates change but not the subject; worst case:
    # tickets anywhere in the cache, every subject rewritten (FTS delete + insert each).
    reader = CacheReader(writer.path)
    recent = range(max(1, args.tickets * 7 // 10), args.tickets + 1)
    for label, ids_from, keep_subject in (("typical", recent, True), ("worst case", range(1, args.tickets + 1), False)):
        updates = []
        for n in range(6):
            page = []
            for i in rng.sample(ids_from, 1000):
                ticket = make_ticket(rng, i, 1_800_000_000 + i + n + (0 if keep_subject else 10))
                if keep_subject:
                    ticket["subject"] = reader.ticket(i)["subject"]
                page.append(ticket)
            updates += timed(lambda p=page, n=n: writer.apply_ticket_page(p, f"poll-{n}", end_of_stream=True))
        row(f"apply_ticket_page (1000 updated, {label})", updates, 30)
    reader.close()
    print(f"{'  initial sync: total time in the writer (s)':<44} {sum(w for w, _ in ticket_pages + comment_pages):>8.1f}")
    print(f"{'  wall time incl. data generation (s)':<44} {time.perf_counter() - start_all:>8.1f}")


def read_queries(path: Path, rng: random.Random) -> None:
    """Time the GUI's queries and search on the filled cache."""
    reader = CacheReader(path)
    me = AGENTS[0]
    queues = {
        "queue: department unsolved by updated": (QueueSpec.department(101, ("new", "open", "pending", "hold")),
                                                  "updated_at"),
        "queue: department all by priority": (QueueSpec.department(102), "priority"),
        "queue: mine unsolved": (QueueSpec(mine=True, me=me, statuses=("new", "open", "pending", "hold")),
                                 "updated_at"),
        "queue: unassigned open": (QueueSpec(unassigned=True, statuses=("open",)), "created_at"),
    }
    queues |= {f"view: {v['title']}": (QueueSpec.view(v["id"], me=me), "updated_at") for v in VIEWS}
    for name, (spec, key) in queues.items():
        row(name, timed(lambda s=spec, k=key: reader.ticket_ids_for_queue(s, k), 20), 16)
    ids = reader.ticket_ids_for_queue(QueueSpec.department(101), "updated_at")
    row("tickets_by_ids (100 rows)", timed(lambda: reader.tickets_by_ids(ids[:100]), 50), 16)
    row("ticket (full object)", timed(lambda: reader.ticket(ids[7]), 50), 16)
    row("comments_for_ticket", timed(lambda: reader.comments_for_ticket(rng.choice(ids)), 50), 16)
    row("requester_tickets", timed(lambda: reader.requester_tickets(100_000 + rng.randrange(30_000)), 50), 16)
    row("queue_counts", timed(lambda: reader.queue_counts(me), 20), 16)

    queries = ["refund", "inv", "password reset", '"billing tax"', "card OR paypal", "locked -browser",
               "cancel subscription twice", "r", "zz", "invoice 12", "مرحبا", "(AND) *", "sel", "pay", "12",
               "checkout lang", "refund ", "a"]
    samples = []
    for _ in range(5):
        for text in queries:
            samples += timed(lambda t=text: reader.search(t))
    row("search (mixed queries)", samples, 50)


if __name__ == "__main__":
    raise SystemExit(main())
