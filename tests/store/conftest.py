"""Fixtures for the cache tests: a real SQLite file in tmp_path, API-shaped objects."""

from __future__ import annotations

import pytest

from console.store import CacheReader, CacheWriter


@pytest.fixture
def cache_path(tmp_path):
    return tmp_path / "cache.sqlite"


@pytest.fixture
def writer(cache_path):
    w = CacheWriter(cache_path)
    yield w
    w.close()


@pytest.fixture
def reader(writer, cache_path):
    r = CacheReader(cache_path)
    yield r
    r.close()
