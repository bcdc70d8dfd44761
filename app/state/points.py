"""The Boundaries page's own points: the uploaded set, the clicked points, and what became of the
last file; kept for the whole session (a visit to another page keeps them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from nncore.points import Points, PointsDataset, PointsError, empty

from app.state.slots import slot


@dataclass
class YourPoints:
    base: Points | None = None  # the uploaded points, in their own units
    clicks: list[tuple[float, float, str]] = field(default_factory=list)  # (x1, x2, class), in order
    error: tuple[str, PointsError] | None = None  # (file name, why) of the last file that could not be used
    seen_file: str | None = None  # the uploader's last file id (a file is read once)
    edits: int = 0  # the editor chart's generation: a new one after each click leaves no selection over
    prepared: tuple[tuple, PointsDataset] | None = None  # (what it was made from, the split, standardised)

    def held(self) -> Points:
        """The uploaded points (or none) and the clicked ones, together, in their original units."""
        points = self.base or empty()
        for x1, x2, name in self.clicks:
            points = points.add(x1, x2, name)
        return points


def your_points() -> YourPoints:
    return slot(YourPoints)
