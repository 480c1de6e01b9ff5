"""Fixtures: the hand-built desk of dataset.py in a real cache file."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import dataset  # noqa: E402

from console.domain.sla import SlaPolicy  # noqa: E402
from console.store import CacheReader, CacheWriter  # noqa: E402
from console.store.dashboard import dashboard_snapshot  # noqa: E402


@pytest.fixture
def desk_cache(tmp_path):
    path = tmp_path / "desk.sqlite"
    with CacheWriter(path) as writer:
        dataset.write_desk(writer)
    return path


@pytest.fixture
def desk_reader(desk_cache):
    reader = CacheReader(desk_cache)
    yield reader
    reader.close()


@pytest.fixture
def policy():
    return SlaPolicy(dataset.SLA_TARGETS, 0.25)


@pytest.fixture
def snapshot(desk_reader, policy):
    return dashboard_snapshot(desk_reader, policy, now=dataset.NOW, tz=dataset.NEW_YORK)
