"""The replay source plays a timed stream at a chosen speed."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from yuqing.ingest import parse_time
from yuqing.sources.replay import ReplayState, due_records

T0 = datetime(2026, 11, 27, 0, 0, tzinfo=timezone.utc)


def stream(tmp_path, minutes=(0, 30, 60, 90, 120)):
    path = tmp_path / "s.jsonl"
    lines = [json.dumps({"id": f"r{m}", "text": f"第{m}分钟", "published_at": (T0 + timedelta(minutes=m)).isoformat()})
             for m in reversed(minutes)]                     # out of order on purpose
    path.write_text("\n".join(lines) + "\n{broken\n", encoding="utf-8")
    return path


def test_speed_plays_stream_time_against_wall_time(tmp_path):
    path, state = stream(tmp_path), ReplayState()
    wall = datetime(2026, 11, 28, 8, 0, tzinfo=timezone.utc)
    first = due_records(path, state, wall, speed=60, retime=False)       # 1 wall second = 1 stream minute
    assert [r.record["id"] for r in first if hasattr(r, "record")] == ["r0"]
    assert [q.reason for q in first if not hasattr(q, "record")] == ["bad-json"]   # reported once
    later = due_records(path, state, wall + timedelta(seconds=65), speed=60, retime=False)
    assert [r.record["id"] for r in later] == ["r30", "r60"]
    end = due_records(path, state, wall + timedelta(hours=1), speed=60, retime=False)
    assert [r.record["id"] for r in end] == ["r90", "r120"]
    assert due_records(path, state, wall + timedelta(hours=2), speed=60, retime=False) == []


def test_speed_zero_plays_all_and_retime_ends_the_stream_now(tmp_path):
    path, state = stream(tmp_path), ReplayState()
    wall = datetime(2026, 11, 28, 8, 0, tzinfo=timezone.utc)
    out = [r for r in due_records(path, state, wall, speed=0, retime=True) if hasattr(r, "record")]
    times = [parse_time(r.record["published_at"], wall) for r in out]
    assert len(out) == 5 and times[-1] == wall and times[0] == wall - timedelta(minutes=120)


def test_live_retime_follows_the_replay_clock(tmp_path):
    path, state = stream(tmp_path), ReplayState()
    wall = datetime(2026, 11, 28, 8, 0, tzinfo=timezone.utc)
    due_records(path, state, wall, speed=60, retime=True)
    out = due_records(path, state, wall + timedelta(seconds=31), speed=60, retime=True)
    assert [parse_time(r.record["published_at"], wall) for r in out] == [wall + timedelta(seconds=30)]


def test_shift_keeps_the_streams_spacing_and_ends_where_the_replay_began(tmp_path):
    path, state = stream(tmp_path), ReplayState()
    wall = datetime(2026, 11, 28, 8, 0, tzinfo=timezone.utc)
    first = [r for r in due_records(path, state, wall, speed=60, retime="shift") if hasattr(r, "record")]
    later = due_records(path, state, wall + timedelta(seconds=65), speed=60, retime="shift")
    rest = due_records(path, state, wall + timedelta(hours=1), speed=60, retime="shift")
    times = [parse_time(r.record["published_at"], wall) for r in first + later + rest]
    # delivered sped up (30 stream minutes per 30 wall seconds), dated with the stream's own
    # spacing, the last item at the moment the replay began: never in the future
    assert [r.record["id"] for r in later] == ["r30", "r60"]
    assert times == [wall - timedelta(minutes=120 - m) for m in (0, 30, 60, 90, 120)]


def test_a_wrong_retime_is_refused_when_the_config_is_read(tmp_path):
    import pytest

    from yuqing.collect import SourceConfig
    from yuqing.settings import SettingsError, load_settings

    s = load_settings(env={})
    with pytest.raises(SettingsError, match="retime"):
        SourceConfig.from_dict({"name": "r", "kind": "replay", "path": "x.jsonl", "retime": "sideways"}, s)
