"""The model's frozen dataclasses as JSON text and back (for the library index).

Generic over the model's field types: dataclasses, `X | None`, `tuple[X, ...]`,
fixed tuples, `Mapping[str, Any]` (JSON as it is), str, int, float, bool and
`datetime.date` (ISO text, for a kept compliance verdict). A
`tuple[tuple[float, float], ...]` (an HR series: thousands of pairs) is packed as
little-endian float64 bytes in base64, which reads back ~20× faster than JSON pairs.
Decoding checks every value's type and raises `ValueError` on anything unexpected, so
a damaged or foreign index row is recomputed, never trusted.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import sys
import types
import typing
from array import array
from collections.abc import Mapping
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")

_PAIRS = tuple[tuple[float, float], ...]


def _pack_pairs(pairs: tuple[tuple[float, float], ...]) -> dict[str, str]:
    flat = array("d", [v for pair in pairs for v in pair])
    if sys.byteorder != "little":  # pragma: no cover
        flat.byteswap()
    return {"f64": base64.b64encode(flat.tobytes()).decode("ascii")}


def _unpack_pairs(value: object) -> tuple[tuple[float, float], ...]:
    if not isinstance(value, dict) or not isinstance(value.get("f64"), str):
        raise ValueError("expected packed float pairs")
    flat = array("d")
    flat.frombytes(base64.b64decode(value["f64"]))
    if sys.byteorder != "little":  # pragma: no cover
        flat.byteswap()
    if len(flat) % 2:
        raise ValueError("packed float pairs of odd length")
    it = iter(flat.tolist())
    return tuple(zip(it, it, strict=True))


def _encode(value: object, hint: object) -> object:
    if hint == _PAIRS:
        return _pack_pairs(value)  # type: ignore[arg-type]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        hints = _hints(type(value))
        return {
            f.name: _encode(getattr(value, f.name), hints[f.name])
            for f in dataclasses.fields(value)
        }
    if isinstance(value, tuple | list):
        args = typing.get_args(hint) if hint is not None else ()
        if len(args) == 2 and args[1] is Ellipsis:
            return [_encode(v, args[0]) for v in value]
        return [_encode(v, None) for v in value]
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def encode(obj: object) -> str:
    """A model dataclass as JSON text."""
    return json.dumps(_encode(obj, type(obj)), separators=(",", ":"), ensure_ascii=False)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


Decoder = typing.Callable[[object], object]


def _check(kind: type | tuple[type, ...], what: str) -> Decoder:
    def dec(value: object) -> object:
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise ValueError(f"expected {what}")
        if not isinstance(value, kind):
            raise ValueError(f"expected {what}")
        return value

    return dec


_NUMBER = (int, float)


def _float(value: object) -> object:
    if value.__class__ is float:
        return value
    if isinstance(value, bool) or not isinstance(value, _NUMBER):
        raise ValueError("expected a number")
    return float(value)


def _date(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError("expected a date (YYYY-MM-DD)")
    return dt.date.fromisoformat(value)  # ValueError on anything else


def _mapping(value: object) -> object:
    if not isinstance(value, dict):
        raise ValueError("expected an object")
    return value


@cache
def _decoder(hint: Any) -> Decoder:
    """A function that checks and converts JSON data into `hint` (built once per type)."""
    if hint == _PAIRS:
        return _unpack_pairs
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1:
            raise ValueError(f"unsupported union {hint}")
        inner = _decoder(rest[0])
        return lambda v: None if v is None else inner(v)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        cls = hint
        hints = _hints(cls)
        parts = [(f.name, _decoder(hints[f.name])) for f in dataclasses.fields(cls)]

        def dataclass_(value: object) -> object:
            if not isinstance(value, dict):
                raise ValueError(f"{cls.__name__}: expected an object")
            return cls(**{name: dec(value[name]) for name, dec in parts if name in value})

        return _fast_dataclass(cls, hints, dataclass_)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _fast_many(args[0], hint)
        items = [_decoder(a) for a in args]

        def fixed(value: object) -> object:
            if not isinstance(value, list) or len(value) != len(items):
                raise ValueError(f"expected {len(items)} items for {hint}")
            return tuple(dec(v) for dec, v in zip(items, value, strict=True))

        return fixed
    if origin is not None and isinstance(origin, type) and issubclass(origin, Mapping):
        return _mapping
    if hint is Any:
        return lambda v: v
    if hint is float:
        return _float
    if hint is dt.date:
        return _date
    if hint is bool:
        return _check(bool, "true or false")
    if hint is int:
        return _check(int, "an integer")
    if hint is str:
        return _check(str, "text")
    raise ValueError(f"unsupported type {hint}")


# -- generated decoders ---------------------------------------------------------------
# The decoders above, written out as one Python function per dataclass (and per tuple
# of leaves): a field of a leaf type is checked inline instead of through a closure
# call each. A summary decodes ~2x faster; the checks are the same (tested against the
# generic path in tests/store/test_summary_codec_fast.py).


def _bad(what: str) -> typing.NoReturn:
    raise ValueError(f"expected {what}")


#: Leaf types checked inline: a statement template over the variable `{v}`.
_LEAF_CHECKS: dict[object, str] = {
    str: 'if {v}.__class__ is not str: _bad("text")',
    int: 'if {v}.__class__ is not int: _bad("an integer")',
    bool: 'if {v} is not True and {v} is not False: _bad("true or false")',
    float: "if {v}.__class__ is not float: {v} = _float({v})",
    dt.date: "{v} = _date({v})",
}


def _statements(hint: Any, v: str, ns: dict[str, object]) -> list[str]:
    """Statements that check `v` against `hint` and leave the decoded value in `v`."""
    leaf = _LEAF_CHECKS.get(hint)
    if leaf is not None:
        return [leaf.format(v=v)]
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        rest = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(rest) == 1 and rest[0] in _LEAF_CHECKS:
            return [f"if {v} is not None:", "    " + _LEAF_CHECKS[rest[0]].format(v=v)]
    name = f"_d{len(ns)}"
    ns[name] = _decoder(hint)
    return [f"{v} = {name}({v})"]


def _fast_dataclass(cls: type, hints: dict[str, Any], slow: Decoder) -> Decoder:
    """`cls` from a JSON object holding exactly its fields (what `encode` writes), with
    every field checked inline; anything else (missing or extra keys) takes `slow`."""
    fields = dataclasses.fields(cls)
    if not all(f.init for f in fields):
        return slow
    ns: dict[str, object] = {
        "_cls": cls, "_slow": slow, "_bad": _bad, "_float": _float, "_date": _date,
    }  # fmt: skip
    names = [f"f{k}" for k in range(len(fields))]
    body = [
        "def dataclass_(value):",
        "    if value.__class__ is not dict:",
        f"        raise ValueError({cls.__name__ + ': expected an object'!r})",
        f"    if len(value) != {len(fields)}:",
        "        return _slow(value)",
        "    try:",
        *(f"        {v} = value[{f.name!r}]" for v, f in zip(names, fields, strict=True)),
        "    except KeyError:",
        "        return _slow(value)",
    ]
    for v, f in zip(names, fields, strict=True):
        body += [f"    {line}" for line in _statements(hints[f.name], v, ns)]
    body.append(f"    return _cls({', '.join(names)})")
    exec("\n".join(body), ns)  # code built above from the class's own fields
    return typing.cast(Decoder, ns["dataclass_"])


def _fast_many(item: Any, hint: Any) -> Decoder:
    """`tuple[item, ...]` from a JSON list."""
    what = f"expected a list for {hint}"
    leaf = {
        str: '_v if _v.__class__ is str else _bad("text")',
        int: '_v if _v.__class__ is int else _bad("an integer")',
        float: "_v if _v.__class__ is float else _float(_v)",
    }.get(item)
    if leaf is not None:
        ns: dict[str, object] = {"_bad": _bad, "_float": _float}
        src = (
            "def many(value):\n"
            "    if value.__class__ is not list:\n"
            f"        raise ValueError({what!r})\n"
            f"    return tuple([{leaf} for _v in value])\n"
        )
        exec(src, ns)  # fixed code
        return typing.cast(Decoder, ns["many"])
    dec = _decoder(item)

    def many(value: object) -> object:
        if value.__class__ is not list:
            raise ValueError(what)
        return tuple(map(dec, value))

    return many


def decode(cls: type[T], text: str) -> T:
    """JSON text (from `encode`) back into `cls`.

    Raises:
        ValueError: the text is not JSON of that shape.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc}") from exc
    try:
        out = _decoder(typing.cast(Any, cls))(data)
    except (TypeError, KeyError) as exc:  # a dataclass refused its arguments
        raise ValueError(str(exc)) from exc
    return out  # type: ignore[return-value]
