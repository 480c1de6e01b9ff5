"""The sync engine: keeps one cache in step with one helpdesk account, on asyncio (qasync-friendly).

Blocking HTTP and SQLite always run in executor threads, never on the event loop.

    engine = SyncEngine(client, writer, interval=60, lanes=lanes)   # lanes: console.lanes.Lanes (optional)
    unsubscribe = engine.subscribe(callback)     # callback(SyncEvent), called on the loop thread
    task = asyncio.ensure_future(engine.run())  # background loop; resumes by itself after outages
    await engine.sync_once()                     # one round now: push, then pull -> SyncReport
    await engine.push_now()                      # deliver the outbox now
    await engine.refresh_ticket(ticket_id)       # fresh fields + thread of one ticket
    path = await engine.download_attachment(attachment, folder)   # into the cache folder
    # typed requests for the GUI (plain calls; they schedule the work on the engine's loop):
    engine.request_push(); engine.request_ticket(ticket_id); engine.request_sync()
    engine.request_view(view_id)                 # a view the cache cannot evaluate: its tickets from the helpdesk
    engine.set_work_offline(True)                # no network calls at all until switched back
    engine.set_interval(seconds)
    engine.status                                # the latest SyncStatus snapshot
    engine.stop(); await engine.close()          # stop the loop; close() also shuts the lanes it made

Events (``console.sync.status``): ``status`` (online/offline, phase + done/total progress,
last synced at (server time), pending outbox count, conflicts, entries failing and the next
retry, unreadable records), ``change`` (a store ``Change``: refresh those models), ``error``,
``conflict`` and ``sent`` (with ``op_id``).

Failures: an outbox entry the helpdesk keeps refusing waits its own backoff (``retry.py``)
while the rest of the outbox and the pulls go on; a long ``Retry-After`` is waited on the loop
(shown as ``retry_in``); ``stop()`` ends any wait at once and ``run()`` returns even while a
request hangs. A record the cache cannot read is quarantined and named, never a failed round.

Pull mode: the first round asks ``users/me`` (kept in sync_state ``me``, ``role``, ``pull_mode``).
Admins pull through the incremental exports (``pull.py``); anyone else, or an admin whose export
answers 403, pulls through the ticket lists (``pull_agent.py``).

Outbox entries the GUI enqueues (``CacheWriter.enqueue`` through ``console.ops``; payload
shapes in ``console.sync.push``) are delivered on the next ``push_now()`` or round. Interactive
work (``push_now``, ``refresh_ticket``) runs on the interactive lane, so it never waits behind
a background page; page writes run on the db lane.

Liveness: while ``run()`` runs, a watch task asks ``users/me`` (one quick request, no retries)
whenever nothing has answered for ``liveness_seconds``; a helpdesk that stopped answering
(frozen process, network black hole) shows as offline within about twice that, and the first
answer after it brings the status back and starts a round.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from console.lanes import Lanes
from console.store import BadPayloadError, CacheReader, CacheWriter, Change, Kind, OutboxEntry, quarantine

from . import status as ev
from .attachments import download_attachment
from .client import AuthError, HelpdeskClient, HelpdeskError, MalformedAnswer, RateLimited, Unreachable
from .pull import Page, Puller, Stream
from .pull_agent import COMMENT_BUDGET, HISTORY_DAYS, PAGE_SIZE, RECONCILE_SECONDS, AgentPuller
from .push import Delivery, OutboxSender
from .retry import RetryPolicy

log = logging.getLogger(__name__)


@dataclass
class SyncReport:
    """What one ``sync_once`` did: items received per stream, outbox deliveries, requests, seconds."""

    tickets: int = 0
    users: int = 0
    comments: int = 0
    sent: int = 0
    conflicts: int = 0
    failed: int = 0
    waiting: int = 0  # outbox entries put back to wait for their next attempt
    unreadable: int = 0  # records in the cache's quarantine after the round
    requests: int = 0
    seconds: float = 0.0


class SyncEngine:
    """Pull (exports, per-ticket threads, slow resources) and push (the outbox) for one account."""

    def __init__(self, client: HelpdeskClient, writer: CacheWriter, *, interval: float = 60.0,
                 resource_interval: float = 900.0, max_backoff: float = 120.0, work_offline: bool = False,
                 list_page_size: int = PAGE_SIZE, comment_budget: int = COMMENT_BUDGET,
                 thread_history_days: int = HISTORY_DAYS, retry: RetryPolicy | None = None,
                 lanes: Lanes | None = None, liveness_seconds: float = 6.0,
                 reconcile_seconds: float = RECONCILE_SECONDS):
        self.client = client
        self.writer = writer
        self.interval = interval
        self.resource_interval = resource_interval
        self.max_backoff = max_backoff
        self.puller = Puller(client, writer)
        self.sender = OutboxSender(client, writer, self.puller, retry)
        self._reader = CacheReader(writer.path)
        self.agent_puller = AgentPuller(client, writer, self._reader, page_size=list_page_size,
                                        comment_budget=comment_budget, history_days=thread_history_days,
                                        reconcile_seconds=reconcile_seconds)
        self.pull_mode: str | None = None  # "export" (admin) or "list" (agent), learned per engine
        self._own_lanes = lanes is None
        self.lanes = lanes or Lanes(writer.path, writer)
        self._probe_pool = ThreadPoolExecutor(1, thread_name_prefix="sync-probe")
        self.liveness_seconds = liveness_seconds
        self._subscribers = ev.Subscribers()
        self._status = ev.SyncStatus(work_offline=work_offline,
                                     last_synced_at=self._reader.sync_state("last_synced_at") or None)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._running = False
        self._not_answering = False
        self._unverified: set[str] = set()
        # asyncio primitives: None until _locks() makes them, in the first round, on the engine's loop
        self._round_lock: asyncio.Lock = None  # type: ignore[assignment]
        self._push_lock: asyncio.Lock = None  # type: ignore[assignment]
        self._wake: asyncio.Event = None  # type: ignore[assignment]
        self._stop_requested: asyncio.Event = None  # type: ignore[assignment]
        self._stopping = False
        self._resources_at = 0.0
        self._tasks: set[asyncio.Future] = set()
        self._due_timer: asyncio.TimerHandle | None = None

    # -- subscribers and status ----------------------------------------------------------
    def subscribe(self, callback: ev.Subscriber):
        """Call ``callback(SyncEvent)`` on every event; returns a function that unsubscribes."""
        return self._subscribers.add(callback)

    @property
    def status(self) -> ev.SyncStatus:
        return self._status

    @property
    def work_offline(self) -> bool:
        return self._status.work_offline

    def _emit(self, kind: str = ev.STATUS, *, change: Change | None = None, message: str | None = None,
              op_id: str | None = None, **status_changes: object) -> None:
        if status_changes:
            self._status = self._status.but(**status_changes)
        self._subscribers.emit(ev.SyncEvent(kind, self._status, change or Change(), message, op_id))

    def _changed(self, change: Change) -> None:
        if change:
            self._emit(ev.CHANGE, change=change)

    async def _applied(self, change: Change) -> None:
        """A pulled page is in the cache; records it could not read are named once, in the log and the status."""
        self._changed(change)
        if not change.touches(Kind.QUARANTINE):
            return
        held = await self._bg(self._reader.quarantined)
        if len(held) > self._status.unreadable:
            text = quarantine.summary(held)
            log.warning("%s; the rest synced", text)
            self._emit(ev.ERROR, message=f"{text}; the rest synced.", unreadable=len(held))
        elif len(held) != self._status.unreadable:
            self._emit(unreadable=len(held))

    # -- executors -----------------------------------------------------------------------
    def _locks(self) -> None:
        if self._round_lock is None:
            self._round_lock, self._push_lock, self._wake = asyncio.Lock(), asyncio.Lock(), asyncio.Event()
            self._stop_requested = asyncio.Event()

    async def _bg(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self.lanes.net, fn, *args)

    async def _fg(self, fn, *args):
        """Interactive work (the agent waits for it): its requests may use the rate limit's reserve."""
        def run():
            with self.client.interactive():
                return fn(*args)
        return await asyncio.get_running_loop().run_in_executor(self.lanes.interactive, run)

    def _note_pacing(self) -> None:
        """Tell the status bar when the rate limit starts or stops slowing the sync down."""
        paced = self.client.paced
        if paced != self._status.paced:
            log.info("sync %s", "paced under the helpdesk's rate limit" if paced else "no longer paced")
            self._emit(paced=paced)

    async def _db(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self.lanes.db, fn, *args)

    async def _refresh_counts(self) -> None:
        counts = await self._fg(self._counts)
        s = self._status
        if counts != (s.pending, s.conflicts, s.failing, s.next_retry_at):
            self._emit(pending=counts[0], conflicts=counts[1], failing=counts[2], next_retry_at=counts[3])
        self._push_when_due(counts[3])

    def _push_when_due(self, due: float | None) -> None:
        """An entry waits until ``due`` (a retry, the undo-send grace, "send later"): push then, not
        at the next round (up to ``interval`` later). One timer, re-armed whenever the counts change."""
        if self._due_timer is not None:
            self._due_timer.cancel()
            self._due_timer = None
        if due is None or self._stopping:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return

        def fire() -> None:
            self._due_timer = None
            if loop.is_running() and not self._stopping:   # a stopped loop: the next round sends it
                self.request_push()
        self._due_timer = loop.call_later(max(0.05, due - time.time() + 0.05), fire)

    def _counts(self) -> tuple[int, int, int, float | None]:
        failing, next_retry_at = self.writer.retry_summary()
        return self.writer.pending_count(), len(self.writer.list_conflicts()), failing, next_retry_at

    # -- public API ----------------------------------------------------------------------
    def set_work_offline(self, offline: bool) -> None:
        """The manual switch: while set, the engine makes no network calls at all."""
        if bool(offline) != self.work_offline:
            log.info("work offline %s", "on" if offline else "off")
        self._emit(work_offline=bool(offline), retry_in=None)
        if self._wake is not None:
            self._wake.set()

    def set_interval(self, seconds: float) -> None:
        """Seconds between background rounds (takes effect from the next wait)."""
        self.interval = max(1.0, float(seconds))
        if self._wake is not None:
            self._wake.set()

    can_download = True

    def download(self, attachment: dict, folder) -> Future:
        """Fetch one attachment into ``folder`` on the interactive lane (a concurrent Future of its Path)."""
        if self.work_offline:
            future: Future = Future()
            future.set_exception(Unreachable("working offline: nothing is downloaded"))
            return future
        return self.lanes.interactive.submit(download_attachment, self.client, self.writer, attachment, Path(folder))

    # -- typed requests (plain calls from the GUI thread; the work runs on the engine's loop) --
    def request_push(self) -> None:
        """The agent queued something: deliver the outbox now."""
        self._schedule(self.push_now())

    def request_ticket(self, ticket_id: int) -> None:
        """The agent opened a ticket: re-read its fields and thread."""
        self._schedule(self.refresh_ticket(int(ticket_id)))

    def request_view(self, view_id: int) -> None:
        """A view the cache cannot evaluate is shown: ask the helpdesk for its tickets."""
        self._schedule(self.fetch_view(int(view_id)))

    async def fetch_view(self, view_id: int) -> Change:
        """``views/{id}/tickets`` into the cache, its ids kept (sync_state ``view_result:<id>``) with
        the helpdesk's time, for offline use. Offline or failing: nothing changes."""
        if self.work_offline:
            return Change()
        try:
            tickets = await self._fg(self.puller.fetch_all, f"views/{view_id}/tickets.json", "tickets")
        except (Unreachable, MalformedAnswer) as exc:
            log.info("view %s: the helpdesk did not answer (%s)", view_id, exc)
            return Change()
        except HelpdeskError as exc:
            log.warning("view %s: the helpdesk refused its tickets: %s", view_id, exc)
            return Change()
        tickets = [t for t in tickets if isinstance(t, dict)]
        result = {"ids": [t["id"] for t in tickets if isinstance(t.get("id"), int)],
                  "at": _server_iso(self.client.last_server_date)}
        change = await self._db(self.writer.upsert_tickets, tickets)
        change |= await self._db(self.writer.set_sync_state, f"view_result:{view_id}", json.dumps(result))
        change |= Change(Kind.VIEWS)
        self._changed(change)
        return change

    def request_sync(self) -> None:
        """A round now (F5): wakes ``run()``, or runs one round when no loop is running."""
        if self._wake is not None and self._running:
            self._wake.set()
        else:
            self._schedule(self.sync_once())

    def _schedule(self, coro) -> None:
        """Run ``coro`` on the engine's loop (the one ``run()`` runs on, else the running one);
        with no loop at all the request is dropped: the next round does the work anyway."""
        loop = self._loop
        if loop is None or loop.is_closed():
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = None
        if loop is None or loop.is_closed() or self._stopping:
            coro.close()
            return
        task = asyncio.ensure_future(coro, loop=loop)
        self._tasks.add(task)
        task.add_done_callback(self._request_done)

    def _request_done(self, task: asyncio.Future) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("sync request failed: %s", task.exception())

    def stop(self) -> None:
        """Ask ``run()`` to return after the current step; waits in progress (backoff, Retry-After) end now."""
        self._stopping = True
        self.client.interrupt()
        if self._due_timer is not None:
            self._due_timer.cancel()
            self._due_timer = None
        if self._wake is not None:
            self._wake.set()
            self._stop_requested.set()

    async def close(self) -> None:
        """Stop, let in-flight deliveries finish, and shut the executors (the writer stays open)."""
        self.stop()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._probe_pool.shutdown(wait=False, cancel_futures=True)
        self.puller.decoder.close()
        if self._own_lanes:
            self.lanes.close()
        self._reader.close()

    async def sync_once(self, *, resources: bool | None = None) -> SyncReport:
        """One round: push the outbox, pull everything new, push again. Raises HelpdeskError on failure.

        ``resources`` forces (True) or skips (False) the slow-period refresh of groups, macros...
        """
        self._locks()
        report = SyncReport()
        if self.work_offline:
            await self._refresh_counts()
            return report
        started, requests = time.monotonic(), self.client.requests_made
        async with self._round_lock:
            self._emit(syncing=True, phase="", done=0, total=None)
            try:
                await self._push(report)
                if self.pull_mode is None:
                    self.pull_mode = await self._bg(self._learn_pull_mode)
                due = time.monotonic() - self._resources_at > self.resource_interval if self._resources_at else True
                if resources or (resources is None and due):
                    self._emit(phase="resources", done=0, total=len(self.puller.streams()))
                    await self._applied(await self._bg(self.puller.refresh_resources))
                    self._resources_at = time.monotonic()
                await self._pull_all(report)
                await self._push(report)
            except BadPayloadError as exc:  # a whole answer of the wrong shape (single records are quarantined)
                problem = MalformedAnswer(f"the helpdesk sent data the cache cannot read: {exc}")
                if not self._stopping:
                    await self._round_failed(problem)
                raise problem from exc
            except HelpdeskError as exc:
                log.warning("sync round failed after %.1f s: %s", time.monotonic() - started, exc)
                if not self._stopping:
                    await self._round_failed(exc)
                raise
            finally:
                report.requests = self.client.requests_made - requests
                report.seconds = time.monotonic() - started
                self.puller.decoder.close()   # the round's big pages are in: no helper process while idle
                if self._status.syncing:
                    self._emit(syncing=False, phase="", done=0, total=None, paced=self.client.paced)
            synced_at = _server_iso(self.client.last_server_date)
            await self._db(self._round_ok, synced_at)
            report.unreadable = len(await self._bg(self._reader.quarantined))
            self._not_answering = False
            self._emit(online=True, error=None, retry_in=None, unreadable=report.unreadable,
                       last_synced_at=synced_at)
            await self._refresh_counts()
        log.info("sync round ok in %.1f s: %d tickets, %d users, %d comments received; %d sent, %d conflicts, "
                 "%d failed; %d requests", report.seconds, report.tickets, report.users, report.comments,
                 report.sent, report.conflicts, report.failed, report.requests)
        return report

    async def push_now(self) -> SyncReport:
        """Deliver the outbox now (an agent hit Send); runs beside any background pull."""
        self._locks()
        report = SyncReport()
        if self.work_offline:
            await self._refresh_counts()
            return report
        try:
            problem = await self._push(report)
        except HelpdeskError as exc:
            problem = exc
        if problem is not None and not self._stopping:
            await self._round_failed(problem)
        return report

    async def refresh_ticket(self, ticket_id: int) -> Change:
        """Re-read one ticket and its whole thread (an agent opened it). Offline: no-op."""
        if self.work_offline:
            return Change()
        try:
            change = await self._fg(self.puller.refresh_ticket, ticket_id)
        except (Unreachable, MalformedAnswer) as exc:
            await self._round_failed(exc)
            return Change()
        self._changed(change)
        return change

    async def run(self) -> None:
        """Sync every ``interval`` seconds; while offline, retry with backoff; returns after ``stop()``."""
        self._locks()
        self._stopping = False
        self._stop_requested.clear()
        self.client.resume()
        self._loop = asyncio.get_running_loop()
        self._running = True
        watch = asyncio.ensure_future(self._watch())
        try:
            await self._rounds()
        finally:
            self._running = False
            watch.cancel()

    async def _rounds(self) -> None:
        failures = 0
        while not self._stopping:
            if self.work_offline:
                await self._refresh_counts()
                await self._sleep(None)
                continue
            try:
                if not await self._unless_stopped(self.sync_once()):
                    break
                failures, wait = 0, self._until_next_retry(self.interval)
            except AuthError:
                failures += 1
                wait = self.max_backoff
            except HelpdeskError as exc:
                if self._stopping:
                    break
                failures += 1
                wait = min(self.max_backoff, 2.0 * 2 ** (failures - 1))
                wait = random.uniform(wait / 2, wait)
                if isinstance(exc, RateLimited):
                    wait = max(wait, exc.retry_after)
                self._emit(retry_in=wait)
            except Exception as exc:  # noqa: BLE001 - keep the loop alive; report it
                log.exception("sync round failed")
                failures += 1
                wait = min(self.max_backoff, 5.0 * failures)
                self._emit(ev.ERROR, message=f"Sync failed unexpectedly: {exc}", error=str(exc))
            await self._sleep(wait)

    async def _unless_stopped(self, coro) -> bool:
        """Run ``coro``; if ``stop()`` comes first, leave it (False). A request hanging on a frozen
        helpdesk then ends in its thread and records its own outcome; ``close()`` waits for it."""
        task = asyncio.ensure_future(coro)
        stopper = asyncio.ensure_future(self._stop_requested.wait())
        try:
            await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
        if task.done():
            task.result()
            return True
        task.cancel()
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return False

    def _until_next_retry(self, interval: float) -> float:
        """The next round comes after ``interval``, or sooner when an outbox entry's retry falls due."""
        due = self._status.next_retry_at
        if due is None:
            return interval
        return min(interval, max(0.2, due - time.time()))

    async def _watch(self) -> None:
        """Liveness: probe the helpdesk when nothing answered for ``liveness_seconds`` (see the docstring)."""
        loop = asyncio.get_running_loop()
        while not self._stopping:
            await asyncio.sleep(self.liveness_seconds / 3)
            self._note_pacing()
            last = self.client.last_answer_at
            if self.client.paced:   # held back by the rate limit: it answered, we are the ones waiting
                continue
            if self.work_offline or self._stopping or (
                    last is not None and time.monotonic() - last < self.liveness_seconds):
                continue
            timeout = (min(3.0, self.liveness_seconds / 2), self.liveness_seconds * 2 / 3)
            try:
                await loop.run_in_executor(self._probe_pool, self.client.probe, timeout)
            except HelpdeskError as exc:
                if isinstance(exc, Unreachable) and not self._not_answering and not self.work_offline:
                    self._not_answering = True
                    message = f"The helpdesk is not answering ({exc})"
                    log.warning("%s", message)
                    self._emit(ev.ERROR, message=message, online=False, error=message)
                continue
            except RuntimeError:   # the probe thread pool shut down: the engine is closing
                return
            if self._not_answering:
                self._not_answering = False
                log.info("the helpdesk answers again")
                self._emit(online=True, error=None, retry_in=None)
                if self._wake is not None:
                    self._wake.set()

    async def _sleep(self, seconds: float | None) -> None:
        """Wait ``seconds`` (None: until woken) unless a wake came in since the last one was taken.

        The wake is a latch, taken (cleared) here after the wait, never before it: a switch or
        "Sync now" that lands while a round or the offline count is still running is not lost (it
        was, and "Work offline" off then left the engine asleep for good)."""
        if self._stopping:
            return
        try:
            await asyncio.wait_for(self._wake.wait(), seconds)
        except TimeoutError:
            pass
        self._wake.clear()

    # -- rounds --------------------------------------------------------------------------
    def _round_ok(self, synced_at: str | None) -> None:
        self.writer.record_sync_result(None)
        if synced_at:
            self.writer.set_sync_state("last_synced_at", synced_at)
        self.writer.checkpoint()

    async def _round_failed(self, exc: HelpdeskError) -> None:
        message = str(exc)
        offline = isinstance(exc, Unreachable) and not isinstance(exc, RateLimited)
        try:
            await self._db(self.writer.record_sync_result, message)
        except Exception:  # noqa: BLE001 - the cache may be closing; the event still goes out
            log.debug("could not record the sync error", exc_info=True)
        self._emit(ev.ERROR, message=message, online=not offline, error=message, syncing=False, phase="")

    def _learn_pull_mode(self) -> str:
        """Who we are: admins can read the exports; everyone else pulls the ticket lists."""
        me = self.client.get("users/me.json").get("user")
        if not isinstance(me, dict):
            raise MalformedAnswer("the helpdesk's users/me answer has no user object")
        role = str(me.get("role") or "")
        mode = "export" if role == "admin" else "list"
        self.writer.set_sync_state("me", str(me.get("id") or ""))
        self.writer.set_sync_state("role", role)
        self.writer.set_sync_state("pull_mode", mode)
        return mode

    async def _pull_all(self, report: SyncReport) -> None:
        """Every stream of the current mode; a 403 on an export switches to the list streams."""
        try:
            await self._pull_streams(self.puller if self.pull_mode == "export" else self.agent_puller, report)
        except AuthError as exc:
            if self.pull_mode != "export" or exc.status != 403:
                raise
            log.warning("incremental export refused (%s); pulling through ticket lists instead", exc)
            self.pull_mode = "list"
            await self._bg(self.writer.set_sync_state, "pull_mode", "list")
            await self._pull_streams(self.agent_puller, report)

    async def _pull_streams(self, puller: Puller, report: SyncReport) -> None:
        for stream in await self._bg(puller.streams):   # the agent puller reads its state: off the loop
            if self.work_offline or self._stopping:
                break
            received = await self._pull(stream)
            if hasattr(report, stream.name):   # a stream may run twice a round (agent threads)
                setattr(report, stream.name, getattr(report, stream.name) + received)

    async def _pull(self, stream: Stream) -> int:
        """Pull one export stream to its end, fetching page N+1 while page N is applied."""
        bookmark = await self._bg(self._reader.sync_state, stream.state_key) if stream.state_key else None
        page: Page = await self._fetch(stream, bookmark)
        first_position, received = page.position, 0
        while True:
            nxt = None
            if not page.end_of_stream and not self.work_offline and not self._stopping:
                nxt = asyncio.ensure_future(self._fetch(stream, str(page.bookmark)))
            change = await self._db(stream.apply, page)
            received += page.size
            await self._applied(change)
            done, total = page.progress or (received, self._estimate(received, first_position, page))
            self._emit(phase=stream.name, done=done, total=total, paced=self.client.paced)
            if nxt is None:
                return received
            page = await nxt

    async def _fetch(self, stream: Stream, bookmark: str | None) -> Page:
        """One page. A helpdesk asking for a long wait (429, e.g. the export's 10 a minute) is waited
        for here, on the loop: shown as ``retry_in``, and cut short by ``stop()`` or going offline."""
        while True:
            try:
                return await self._bg(stream.fetch, bookmark)
            except RateLimited as exc:
                if self._stopping or self.work_offline:
                    raise
                log.info("%s: rate limited; waiting %.0f s", stream.name, exc.retry_after)
                self._emit(retry_in=exc.retry_after)
                self._wake.clear()   # only stop() or going offline cut this wait short: both checked below
                await self._sleep(exc.retry_after)
                self._emit(retry_in=None)
                if self._stopping or self.work_offline:
                    raise

    def _estimate(self, done: int, first: int | None, page: Page) -> int | None:
        """Items in this stream: extrapolated from how far through server time the pages have got."""
        if page.end_of_stream:
            return done
        now = _server_epoch(self.client.last_server_date)
        if first is None or page.position is None or now is None or now <= first or page.position <= first:
            return None
        fraction = (page.position - first) / (now - first)
        return max(done, int(done / fraction)) if fraction > 0 else None

    async def _push(self, report: SyncReport) -> HelpdeskError | None:
        """Verify unknown outcomes, then deliver every sendable entry in order.

        An entry that fails for a passing reason waits its own backoff (``retry.RetryPolicy``)
        while the others go on; a helpdesk that cannot be reached, or an outcome that cannot be
        checked, ends this pass and is returned (pulls still run). Raises ``AuthError``."""
        self._locks()
        async with self._push_lock:
            self._emit(phase="pushing")
            try:
                unknown = await self._fg(self._unknown_entries)
                for entry in unknown:
                    if self._stopping:
                        return None
                    try:
                        delivery = await self._fg(self.sender.verify, entry)
                    except AuthError:
                        raise
                    except HelpdeskError as exc:
                        return exc  # still unknown: checked again before anything is sent
                    self._record(delivery, report)
                    self._unverified.discard(entry.op_id)
                while not self.work_offline and not self._stopping:
                    entry = await self._fg(self.writer.next_sendable)
                    if entry is None:
                        break
                    try:
                        delivery = await self._fg(self.sender.deliver, entry)
                    except HelpdeskError as exc:
                        current = await self._fg(self.writer.get_entry, entry.op_id)
                        if current is not None and current.state == "sending":
                            self._unverified.add(entry.op_id)
                        if isinstance(exc, AuthError):
                            raise
                        return exc
                    self._record(delivery, report)
                    if not delivery.go_on:
                        return delivery.error
                return None
            finally:
                self._emit(phase="" if not self._status.syncing else self._status.phase)
                await self._refresh_counts()

    def _unknown_entries(self) -> list[OutboxEntry]:
        entries = {e.op_id: e for e in self.writer.unknown_outcome_entries()}
        for op_id in list(self._unverified):
            entry = self.writer.get_entry(op_id)
            if entry is not None and entry.state == "sending":
                entries[op_id] = entry
            else:
                self._unverified.discard(op_id)
        return sorted(entries.values(), key=lambda e: e.seq)

    def _record(self, delivery: Delivery, report: SyncReport) -> None:
        self._changed(delivery.change)
        tickets = ", ".join(f"#{t}" for t in sorted(delivery.change.ticket_ids)) or "a new ticket"
        log.log(logging.INFO if delivery.outcome in ("sent", "rebased", "requeued") else logging.WARNING,
                "outbox %s for %s: %s%s", delivery.op_id, tickets, delivery.outcome,
                f" ({delivery.message})" if delivery.message else "")   # never the body: only ids and outcome
        if delivery.outcome == "sent":
            report.sent += 1
            self._emit(ev.SENT, op_id=delivery.op_id)
        elif delivery.outcome == "conflict":
            report.conflicts += 1
            self._emit(ev.CONFLICT, message=delivery.message, op_id=delivery.op_id)
        elif delivery.outcome == "failed":
            report.failed += 1
            self._emit(ev.ERROR, message=delivery.message, op_id=delivery.op_id)
        elif delivery.outcome == "retry":
            report.waiting += 1
            if delivery.message:  # failed often enough to show: "failed — retrying at HH:MM"
                self._emit(ev.ERROR, message=delivery.message, op_id=delivery.op_id)


def _server_iso(http_date: str | None) -> str | None:
    """The helpdesk's HTTP Date as the API's timestamp form (``2026-11-25T14:44:39Z``)."""
    epoch = _server_epoch(http_date)
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch)) if epoch is not None else None


def _server_epoch(http_date: str | None) -> int | None:
    if not http_date:
        return None
    from email.utils import parsedate_to_datetime

    try:
        return int(parsedate_to_datetime(http_date).timestamp())
    except (TypeError, ValueError):
        return None
