"""The local cache: one SQLite file per helpdesk account.

Open it with ``CacheWriter(path)`` (the single writer: sync pages, drafts, outbox) and
any number of ``CacheReader(path)`` (GUI queries, search). Both run pending migrations on
open. ``default_cache_path(base_url, email)`` gives the per-account file location.
See the module docstrings of ``writer``, ``local_writes`` and ``reader`` for the API.
"""

from .outgoing import OutgoingFile
from .paths import default_cache_path
from .reader import SORT_KEYS, UNSOLVED, CacheReader
from .records import (
    BadPayloadError,
    Change,
    Conflict,
    Draft,
    Kind,
    OutboxEntry,
    QuarantinedRecord,
    QueueCounts,
    QueueSpec,
    SearchHit,
    SearchSyntaxError,
    StoreError,
    UnknownEntryError,
    UnsupportedViewError,
)
from .schema import SCHEMA_VERSION
from .writer import (
    SYNC_KEYS,
    CacheWriter,
    Prepared,
    prepare_comment_events,
    prepare_tickets,
    prepare_users,
)

__all__ = [
    "SCHEMA_VERSION", "SORT_KEYS", "Prepared", "prepare_comment_events", "prepare_tickets", "prepare_users",
    "SYNC_KEYS", "UNSOLVED", "BadPayloadError", "CacheReader", "CacheWriter",
    "Change", "Conflict", "Kind", "Draft", "OutboxEntry", "OutgoingFile", "QuarantinedRecord", "QueueCounts", "QueueSpec",
    "SearchHit", "SearchSyntaxError",
    "StoreError", "UnknownEntryError", "UnsupportedViewError", "default_cache_path",
]
