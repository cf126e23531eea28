"""The generated decoders (`summary_codec._fast_dataclass`) check what the generic ones
check: every leaf of a real summary, metadata and verdict, given a value of the wrong
type, is refused; missing and extra keys take the generic path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from osteomonitor.app.kept_reviews import KeptVerdict
from osteomonitor.app.library import KeptAnalysis
from osteomonitor.app.review import review_session
from osteomonitor.model import SessionMeta
from osteomonitor.store import summary_codec

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"


@pytest.fixture(scope="module")
def encoded() -> list[tuple[type, object, str]]:
    out: list[tuple[type, object, str]] = []
    for name in ("demo-P01-alerts-sim.omrec", "demo-P00-impact-sim.omrec"):
        r = review_session(RECORDINGS / name)
        assert r.meta and r.summary and r.compliance, r.error
        for cls, obj in (
            (SessionMeta, r.meta),
            (KeptAnalysis, KeptAnalysis(r.summary, r.alerts)),
            (KeptVerdict, KeptVerdict(r.compliance, r.alerts)),
        ):
            out.append((cls, obj, summary_codec.encode(obj)))
    return out


def _leaves(data: Any, path: tuple[object, ...] = ()) -> Iterator[tuple[tuple[object, ...], Any]]:
    if isinstance(data, dict):
        if set(data) == {"f64"}:  # packed pairs: checked by their own decoder
            return
        for k, v in data.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(data, list):
        for k, v in enumerate(data):
            yield from _leaves(v, (*path, k))
    else:
        yield path, data


def _set(data: Any, path: tuple[object, ...], value: object) -> Any:
    data = json.loads(json.dumps(data))
    here = data
    for step in path[:-1]:
        here = here[step]
    here[path[-1]] = value
    return data


def _wrong(value: object) -> list[object]:
    if isinstance(value, bool):
        return ["yes", 1]
    if isinstance(value, int | float):
        return ["1", True, [1]]
    if isinstance(value, str):
        return [1, ["x"]]  # (not None: many text fields are optional)
    return [{"x": 1}]  # None: an object is never a leaf's value


def test_round_trip(encoded: list[tuple[type, object, str]]) -> None:
    for cls, obj, text in encoded:
        assert summary_codec.decode(cls, text) == obj


def test_every_leaf_of_the_wrong_type_is_refused(encoded: list[tuple[type, object, str]]) -> None:
    checked = 0
    for cls, _obj, text in encoded:
        data = json.loads(text)
        for path, value in _leaves(data):
            if "settings" in path or "data" in path:
                continue  # Mapping[str, Any] fields hold any JSON
            for bad in _wrong(value):
                if value is None and isinstance(bad, dict):
                    continue  # Optional dataclass fields may be objects
                with pytest.raises(ValueError):
                    summary_codec.decode(cls, json.dumps(_set(data, path, bad)))
                checked += 1
    assert checked > 500


def test_missing_and_extra_keys_take_the_generic_path(
    encoded: list[tuple[type[object], object, str]],
) -> None:
    cls, obj, text = encoded[0]
    data = json.loads(text)
    data["from a newer version"] = 1
    decoded: object = summary_codec.decode(cls, json.dumps(data))
    assert decoded == obj
    del data["from a newer version"]
    with pytest.raises(ValueError):
        summary_codec.decode(cls, json.dumps({k: v for k, v in data.items() if k != "patient"}))
