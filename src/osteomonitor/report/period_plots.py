"""The period report's plots: days per modality against the weekly frequency target,
adherence and dose across the weeks.

Each function takes the weeks oldest first (`prescription.week.WeekReport`) and returns
an inline `<svg>` (see `figures.svg_of`). Weeks are ISO weeks in the patient's time zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes

from osteomonitor.analysis.thresholds import OSTEOGENIC_PEAK_G
from osteomonitor.prescription.fitt import MODALITY_LABELS
from osteomonitor.prescription.week import WeekReport
from osteomonitor.report.figures import (
    COLORS,
    MODALITY_COLORS,
    empty_note,
    integer_axis,
    new_figure,
    report_style,
    round_axis,
    svg_of,
    week_labels,
)


@dataclass(frozen=True, slots=True)
class ModalitySeries:
    """One modality across the weeks, oldest first (None where a week has no value).

    Attributes:
        modality: `Modality` value.
        days: distinct days trained per week. dose_days: days whose dose met the target.
        target_days: the frequency target's minimum in force that week (phases may change
            it), None without one.
        adherence_pct: `ModalityWeek.adherence_pct` per week.
        minutes: minutes credited per week. jumps_osteogenic: jumps ≥ 3.9 g (impact only).
    """

    modality: str
    days: tuple[int, ...]
    dose_days: tuple[int, ...]
    target_days: tuple[float | None, ...]
    adherence_pct: tuple[float | None, ...]
    minutes: tuple[float, ...]
    jumps_osteogenic: tuple[int | None, ...]


def _weeks_axis(weeks: Sequence[WeekReport]) -> tuple[list[int], list[str]]:
    return list(range(len(weeks))), week_labels([(w.iso_year, w.iso_week) for w in weeks])


def _label_weeks(ax: Axes, xs: list[int], labels: list[str]) -> None:
    step = max(1, len(xs) // 13 + 1)  # at most ~13 labels
    ax.set_xticks(xs[::step], labels[::step])
    ax.set_xlim(-0.6, len(xs) - 0.4)
    ax.grid(axis="x", visible=False)


def frequency_svg(weeks: Sequence[WeekReport], series: Sequence[ModalitySeries]) -> str:
    """Days trained and dose days per week, one panel per modality, against the target."""
    xs, labels = _weeks_axis(weeks)
    rows = max(1, len(series))
    with report_style():
        fig, axes = new_figure(1.15 + 1.05 * rows, rows, 1, sharex=True)
        if not series:
            empty_note(axes[0], "no modality with a days-per-week target")
        for ax, s in zip(axes, series, strict=False):
            color = MODALITY_COLORS.get(s.modality, COLORS["hr"])
            ax.bar(
                xs,
                s.days,
                width=0.7,
                color=color,
                alpha=0.35,
                edgecolor=color,
                label="days trained",
            )
            ax.bar(
                xs,
                s.dose_days,
                width=0.4,
                color=color,
                edgecolor="black",
                lw=0.4,
                label="dose days (target dose met)",
            )
            target = [t if t is not None else float("nan") for t in s.target_days]
            ax.step(
                [x - 0.5 for x in xs] + [xs[-1] + 0.5],
                [*target, target[-1]],
                where="post",
                color=COLORS["target"],
                ls="--",
                lw=1.1,
                label="frequency target (days/week, minimum)",
            )
            ax.set_ylim(0, 7.4)
            ax.set_yticks([0, 1, 2, 3, 4, 5, 6, 7])
            ax.set_ylabel("days")
            ax.set_title(MODALITY_LABELS.get(s.modality, s.modality), loc="left")
            _label_weeks(ax, xs, labels)
        if series:
            handles, labels_ = axes[0].get_legend_handles_labels()
            fig.legend(handles, labels_, loc="outside upper center", ncols=3)
        axes[-1].set_xlabel("ISO week")
        return svg_of(fig, "frequency", "days trained per week against the frequency targets")


def adherence_svg(weeks: Sequence[WeekReport], series: Sequence[ModalitySeries]) -> str:
    """Adherence per week (dose days ÷ the target's minimum, capped at 100 %) per modality."""
    xs, labels = _weeks_axis(weeks)
    markers = "osD^vP"
    with report_style():
        fig, (ax,) = new_figure(2.3)
        drawn = False
        for i, s in enumerate(series):
            pts = [(x, v) for x, v in zip(xs, s.adherence_pct, strict=True) if v is not None]
            if not pts:
                continue
            drawn = True
            ax.plot(
                [x for x, _ in pts],
                [v for _, v in pts],
                marker=markers[i % len(markers)],
                ms=4,
                lw=1.2,
                color=MODALITY_COLORS.get(s.modality, COLORS["hr"]),
                label=MODALITY_LABELS.get(s.modality, s.modality),
            )
        if not drawn:
            empty_note(ax, "no frequency target: adherence is not defined")
        ax.axhline(100, color=COLORS["target"], ls="--", lw=1.0, label="target met (100 %)")
        ax.set_ylim(-4, 108)
        ax.set_yticks([0, 25, 50, 75, 100])
        ax.set_ylabel("adherence (%)")
        ax.set_xlabel("ISO week")
        _label_weeks(ax, xs, labels)
        ax.legend(loc="lower left", ncols=4, bbox_to_anchor=(0, 1.02, 1, 0.2), mode="expand")
        return svg_of(fig, "adherence", "adherence per week and modality")


def dose_svg(weeks: Sequence[WeekReport], series: Sequence[ModalitySeries]) -> str:
    """Dose per week: minutes credited per modality and, for impact, jumps ≥ 3.9 g."""
    xs, labels = _weeks_axis(weeks)
    impact = next((s for s in series if s.modality == "impact"), None)
    timed = [s for s in series if s.modality != "impact"]
    rows = 1 + (impact is not None)
    with report_style():
        fig, axes = new_figure(1.3 + 1.2 * rows, rows, 1, sharex=True)
        ax = axes[0]
        n = max(1, len(timed))
        width = 0.8 / n
        for i, s in enumerate(timed):
            color = MODALITY_COLORS.get(s.modality, COLORS["hr"])
            ax.bar(
                [x - 0.4 + width * (i + 0.5) for x in xs],
                s.minutes,
                width=width,
                color=color,
                edgecolor="black",
                lw=0.3,
                label=MODALITY_LABELS.get(s.modality, s.modality),
            )
        if not timed:
            empty_note(ax, "no timed modality prescribed")
        ax.set_ylabel("minutes")
        ax.set_title("minutes credited per week", loc="left")
        round_axis(ax)
        _label_weeks(ax, xs, labels)
        if timed:
            fig.legend(loc="outside upper center", ncols=min(len(timed), 5))
        ax.set_ylim(0, max([*(v for t in timed for v in t.minutes), 1.0]) * 1.15)
        if impact is not None:
            ax2 = axes[1]
            jumps = [v or 0 for v in impact.jumps_osteogenic]
            bars = ax2.bar(
                xs, jumps, width=0.6, color=MODALITY_COLORS["impact"], edgecolor="black", lw=0.4
            )
            ax2.bar_label(bars, fontsize=7, padding=1)
            ax2.set_ylim(0, max([*jumps, 1]) * 1.25)
            ax2.set_ylabel("jumps")
            ax2.set_title(f"jumps with landing ≥ {OSTEOGENIC_PEAK_G:g} g per week", loc="left")
            integer_axis(ax2)
            _label_weeks(ax2, xs, labels)
        axes[-1].set_xlabel("ISO week")
        return svg_of(fig, "dose", "dose per week: minutes per modality and osteogenic jumps")
