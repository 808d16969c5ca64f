"""The stats chart: articles per day, stacked by outlet, as a PNG (``/stats``, ``stats --chart``).

Drawn with matplotlib's object API on an Agg canvas (``Figure`` + ``FigureCanvasAgg``), not
``pyplot``: no display is needed, nothing global is touched, and the bot can draw from a
worker thread while another chart is being drawn. matplotlib is imported on first use, so
commands that never draw do not pay its ~0.3 s import.
"""

from __future__ import annotations

import io
from pathlib import Path

from index.models import DailyCounts

TOP_OUTLETS = 7  # outlets drawn by name; the rest are stacked as one "other" band
OTHER = "other"
_SIZE_IN = (9.0, 4.5)
_DPI = 110


def stacked_series(counts: DailyCounts, top: int = TOP_OUTLETS) -> list[tuple[str, list[int]]]:
    """The bands to stack: the ``top`` largest outlets, then the rest summed as "other"."""
    bands = [(name, list(values)) for name, values in counts.outlets[:top]]
    rest = counts.outlets[top:]
    if rest:
        other = [sum(values[i] for _, values in rest) for i in range(len(counts.days))]
        bands.append((f"{OTHER} ({len(rest)})", other))
    return bands


def render_daily_chart(counts: DailyCounts, *, top: int = TOP_OUTLETS) -> bytes:
    """The chart as PNG bytes.

    Raises:
        ValueError: ``counts`` is empty (there is nothing to draw; callers say so instead).
    """
    if not counts.days or counts.total == 0:
        raise ValueError("no dated articles to chart")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=_SIZE_IN, dpi=_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(counts.days)))
    bottom = [0] * len(counts.days)
    for name, values in stacked_series(counts, top):
        axes.bar(positions, values, bottom=bottom, label=_short(name), width=0.85)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    step = max(1, len(counts.days) // 10)
    axes.set_xticks(positions[::step], [d.strftime("%m-%d") for d in counts.days[::step]])
    axes.set_ylabel("articles")
    first, last = counts.days[0].isoformat(), counts.days[-1].isoformat()
    axes.set_title(f"Articles per day by outlet, {first} – {last} ({counts.total} in all)")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.grid(axis="y", alpha=0.3)
    axes.set_axisbelow(True)
    axes.legend(loc="upper left", fontsize="small", frameon=False, ncols=2)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def write_daily_chart(counts: DailyCounts, path: Path, *, top: int = TOP_OUTLETS) -> int:
    """Write the chart to ``path``; returns its size in bytes. Raises ValueError when empty."""
    data = render_daily_chart(counts, top=top)
    path.write_bytes(data)
    return len(data)


def _short(name: str, limit: int = 32) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"
