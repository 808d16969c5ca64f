"""The sources tables keep times as fixed-width UTC text, read back timezone-aware."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from index.store import Database
from index.store.sources import SourceStore

KYIV_SUMMER = timezone(timedelta(hours=3))


def test_source_times_are_fixed_width_utc_text_and_read_back_aware(db: Database) -> None:
    added = datetime(2024, 8, 4, 17, 25, tzinfo=KYIV_SUMMER)
    source = SourceStore(db).add(
        name="gazette", url="https://example.org/feed", outlet="Gazette", interval_s=900, now=added
    )
    raw = db.conn.execute("SELECT added_at FROM sources").fetchone()[0]
    assert raw == "2024-08-04T14:25:00.000000+00:00"
    assert source.added_at == added
    assert source.added_at.utcoffset() == timedelta(0)
