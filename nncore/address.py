"""A spec as the page's address writes it: each field's text, the fields two specs differ in, and a
spec to and from query parameters (a link, a reload), with one message per bad parameter."""

from __future__ import annotations

import dataclasses
from typing import Any

from .layer import SpecError
from .registry import DATASETS, is_point_set
from .spec import ExperimentSpec

MAX_QUERY_VALUE = 200  # characters; a longer value in a link is an error naming its field
FIELD_NAMES = tuple(f.name for f in dataclasses.fields(ExperimentSpec))


def field_text(spec: ExperimentSpec, name: str) -> str:
    """One field's value as the CLI and the address write it (`hidden` as 25:relu,15:relu)."""
    value = getattr(spec, name)
    if name == "hidden":
        return spec.hidden_text or "none"
    if value is None:
        return "default"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def _value(spec: ExperimentSpec, name: str) -> Any:
    """A field's value as a training sees it: a point set's points and noise at the set's own
    defaults are the same as unset (noise=1.0 on the blobs is the blobs' noise: no difference)."""
    value = getattr(spec, name)
    if name in ("points", "noise") and value is not None and is_point_set(spec.dataset) \
            and value == getattr(DATASETS[spec.dataset], name):
        return None
    return value


def differences(before: ExperimentSpec, after: ExperimentSpec) -> list[tuple[str, str, str]]:
    """(field, before, after) for every field that differs, as text."""
    return [(name, field_text(before, name), field_text(after, name)) for name in FIELD_NAMES
            if _value(before, name) != _value(after, name)]


def same_settings(a: ExperimentSpec, b: ExperimentSpec) -> bool:
    """The same training, however written (a point set's default noise given or left unset)."""
    return not differences(a, b)


def to_query(spec: ExperimentSpec, base: ExperimentSpec | None = None) -> dict[str, str]:
    """The fields that differ from `base` (the page's default), as query parameters."""
    return {name: new for name, _, new in differences(base or ExperimentSpec(), spec)}


def from_query(params: dict[str, Any], base: ExperimentSpec | None = None,
               ignore: tuple[str, ...] = ()) -> tuple[ExperimentSpec, list[SpecError]]:
    """A spec from a page's query parameters, and one error per bad parameter (naming it and its
    value); a bad parameter keeps the default, the good ones are used. Never raises."""
    spec = base or ExperimentSpec()
    errors: list[SpecError] = []
    order = {name: i for i, name in enumerate(FIELD_NAMES)}
    for key in sorted(params, key=lambda k: order.get(k, len(order))):  # the dataset first
        if key in ignore:
            continue
        value = params[key]
        if isinstance(value, (list, tuple)):
            value = value[-1] if value else ""
        value = str(value)
        shown = value if len(value) <= 40 else value[:40] + f"... ({len(value):,} characters)"
        if key not in order:
            errors.append(SpecError(key[:40], f"unknown setting {shown!r}; allowed: {', '.join(FIELD_NAMES)}"))
            continue
        if len(value) > MAX_QUERY_VALUE:
            errors.append(SpecError(key, f"value too long ({len(value):,} characters, at most "
                                    f"{MAX_QUERY_VALUE}); the default is used"))
            continue
        changes = {key: value}
        if key == "dataset" and value in DATASETS and value != spec.dataset:
            # another set: its own number of points and noise, unless the address gives them (your own
            # points, or images: none); the address leaves out a point set's own defaults (differences)
            changes.update(points=None, noise=None)
        try:
            candidate = spec.replace(**changes)
        except SpecError as e:
            why = e.message if e.field == key else str(e)
            errors.append(SpecError(key, f"{shown!r} is not allowed ({why}); the default is used"))
            continue
        before = {str(p) for p in spec.problems()}
        new = [p.message if p.field == key else str(p) for p in candidate.problems() if str(p) not in before]
        if new:
            errors.append(SpecError(key, f"{shown!r} is not allowed ({'; '.join(new)}); the default is used"))
            continue
        spec = candidate
    return spec, errors
