"""The model's frozen dataclasses as JSON text and back (for the library index).

Generic over the model's field types: dataclasses, `X | None`, `tuple[X, ...]`,
fixed tuples, `Mapping[str, Any]` (JSON as it is), str, int, float and bool. A
`tuple[tuple[float, float], ...]` (an HR series: thousands of pairs) is packed as
little-endian float64 bytes in base64, which reads back ~20× faster than JSON pairs.
Decoding checks every value's type and raises `ValueError` on anything unexpected, so
a damaged or foreign index row is recomputed, never trusted.
"""

from __future__ import annotations

import base64
import dataclasses
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
    return value


def encode(obj: object) -> str:
    """A model dataclass as JSON text."""
    return json.dumps(_encode(obj, type(obj)), separators=(",", ":"), ensure_ascii=False)


@cache
def _hints(cls: type) -> dict[str, Any]:  # type: ignore[explicit-any]
    return typing.get_type_hints(cls)


def _decode(value: object, hint: Any) -> object:  # type: ignore[explicit-any]
    if hint == _PAIRS:
        return _unpack_pairs(value)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1:
            raise ValueError(f"unsupported union {hint}")
        return _decode(value, rest[0])
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        if not isinstance(value, dict):
            raise ValueError(f"{hint.__name__}: expected an object")
        hints = _hints(hint)
        kwargs = {}
        for f in dataclasses.fields(hint):
            if f.name in value:
                kwargs[f.name] = _decode(value[f.name], hints[f.name])
        return hint(**kwargs)
    if origin is tuple:
        if not isinstance(value, list):
            raise ValueError(f"expected a list for {hint}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(v, args[0]) for v in value)
        if len(args) != len(value):
            raise ValueError(f"expected {len(args)} items for {hint}")
        return tuple(_decode(v, a) for v, a in zip(value, args, strict=True))
    if origin is not None and issubclass(origin, Mapping):
        if not isinstance(value, dict):
            raise ValueError("expected an object")
        return value
    if hint is Any:
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("expected a number")
        return float(value)
    if hint is bool:
        if not isinstance(value, bool):
            raise ValueError("expected true or false")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("expected an integer")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise ValueError("expected text")
        return value
    raise ValueError(f"unsupported type {hint}")


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
        out = _decode(data, cls)
    except TypeError as exc:  # a dataclass refused its arguments
        raise ValueError(str(exc)) from exc
    return out  # type: ignore[return-value]
