"""The session report's plots: heart rate against the band, jumps on a timeline, impacts.

Each function returns an inline `<svg>` (see `figures.svg_of`). Times are seconds from
the session start drawn as clock time (m:ss, h:mm:ss); jump landings are drawn apart
from the other acceleration peaks (steps, walking), so a walk's thousand small peaks
never squash the few landings that load bone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from osteomonitor.analysis.thresholds import OSTEOGENIC_PEAK_G, is_osteogenic
from osteomonitor.model import HeartRateSummary, Impact, ImpactSummary, Jump
from osteomonitor.report.figures import (
    COLORS,
    clock_axis,
    empty_note,
    integer_axis,
    new_figure,
    report_style,
    round_axis,
    svg_of,
)
from osteomonitor.session.acc_track import JUMP_STEP_MARGIN_S
from osteomonitor.session.coaching import band_under_ceiling


@dataclass(frozen=True, slots=True)
class HeartBand:
    """The prescribed HR band and ceiling in bpm, as drawn.

    Attributes:
        band_bpm: (lo, hi) of the prescribed %HRR band in bpm, cut at the ceiling; None
            without a band or when it lies wholly above the ceiling.
        band_pct: the band in %HRR as prescribed (for the legend), or None.
        ceiling_bpm: the HR safety ceiling, bpm, or None.
    """

    band_bpm: tuple[float, float] | None
    band_pct: tuple[float, float] | None
    ceiling_bpm: float | None


def heart_band(heart: HeartRateSummary, ceiling_bpm: float | None) -> HeartBand:
    """The band the session was judged with (Karvonen from the summary's HRrest/HRmax)."""
    lo, hi = heart.target_lo_pct, heart.target_hi_pct
    rest, hrmax = heart.hrrest_bpm, heart.hrmax_bpm
    if lo is None or hi is None or rest is None or hrmax is None:
        return HeartBand(None, None, ceiling_bpm)
    bpm = (rest + lo / 100.0 * (hrmax - rest), rest + hi / 100.0 * (hrmax - rest))
    shown, _ = band_under_ceiling(bpm, ceiling_bpm)
    return HeartBand(shown, (lo, hi), ceiling_bpm)


def heart_rate_svg(
    points: Sequence[tuple[float, float]], band: HeartBand, duration_s: float
) -> str:
    """Heart rate over the session, the prescribed band shaded, the ceiling as a line.

    Args:
        points: (s from start, bpm), every valid value (`SessionSummary.hr_points`).
        band: the band and ceiling to draw.
        duration_s: session length, s (the time axis).
    """
    with report_style():
        fig, (ax,) = new_figure(2.6)
        clock_axis(ax, duration_s)
        ax.set_ylabel("heart rate (bpm)")
        values = [b for _, b in points]
        if band.band_bpm is not None:
            lo, hi = band.band_bpm
            pct = band.band_pct or (0.0, 0.0)
            ax.axhspan(
                lo,
                hi,
                color=COLORS["band"],
                alpha=0.18,
                lw=0,
                label=f"prescribed band {pct[0]:g}–{pct[1]:g} %HRR ({lo:.0f}–{hi:.0f} bpm)",
            )
        if band.ceiling_bpm is not None:
            ax.axhline(
                band.ceiling_bpm,
                color=COLORS["ceiling"],
                ls="--",
                lw=1.2,
                label=f"HR ceiling {band.ceiling_bpm:.0f} bpm",
            )
        if points:
            ax.plot(
                [t for t, _ in points],
                values,
                color=COLORS["hr"],
                lw=1.0,
                label="heart rate",
            )
        else:
            empty_note(ax, "no valid heart rate in this session")
        guides = [v for v in (band.ceiling_bpm, *(band.band_bpm or ())) if v is not None]
        span = values + guides
        if span:
            ax.set_ylim(min(span) - 8, max(span) + 8)
        round_axis(ax)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper left", ncols=3, bbox_to_anchor=(0, 1.02, 1, 0.2), mode="expand")
        return svg_of(fig, "hr", "heart rate over the session with the prescribed band")


def split_peaks(
    peaks: Sequence[Impact], jumps: Sequence[Jump]
) -> tuple[list[Impact], list[Impact]]:
    """(peaks that belong to a jump, the other peaks: steps, walking, anything else).

    A peak belongs to a jump when it lies within `JUMP_STEP_MARGIN_S` of the jump's
    take-off to landing (the step counter's own rule for the hops themselves).
    """
    windows = sorted(
        (j.takeoff_s - JUMP_STEP_MARGIN_S, j.landing_s + JUMP_STEP_MARGIN_S) for j in jumps
    )
    inside: list[Impact] = []
    other: list[Impact] = []
    k = 0
    for p in sorted(peaks, key=lambda p: p.t_s):
        while k < len(windows) and windows[k][1] < p.t_s:
            k += 1
        (inside if k < len(windows) and windows[k][0] <= p.t_s else other).append(p)
    return inside, other


def jump_timeline_svg(
    jumps: Sequence[Jump],
    other_peaks: Sequence[Impact],
    duration_s: float,
    ceiling_g: float | None,
    ceiling_name: str = "",
) -> str:
    """Every jump at its landing time with its landing peak (g), the osteogenic
    threshold and the impact ceiling as lines, other peaks (steps …) as small grey dots.

    Args:
        jumps: the session's jumps (`landing_s`, `peak_g`).
        other_peaks: peaks outside any jump (see `split_peaks`).
        duration_s: session length, s.
        ceiling_g: the prescription's landing-peak ceiling, g, or None.
        ceiling_name: the ceiling's mode ("moderate", "brisk-walk"), for the legend.
    """
    with report_style():
        fig, (ax,) = new_figure(2.6)
        clock_axis(ax, duration_s)
        ax.set_ylabel("landing peak (g)")
        if other_peaks:
            ax.scatter(
                [p.t_s for p in other_peaks],
                [p.peak_g for p in other_peaks],
                s=9,
                color=COLORS["other"],
                alpha=0.6,
                lw=0,
                label=f"other peaks: steps, walking ({len(other_peaks)})",
            )
        high = [j for j in jumps if is_osteogenic(j.peak_g)]
        low = [j for j in jumps if not is_osteogenic(j.peak_g)]
        for group, colour, marker, size, words in (
            (high, COLORS["jump"], "^", 28, f"≥ {OSTEOGENIC_PEAK_G:g} g"),
            (low, COLORS["jump_low"], "o", 22, f"< {OSTEOGENIC_PEAK_G:g} g"),
        ):
            if not group:
                continue
            ax.vlines([j.landing_s for j in group], 1.0, [j.peak_g for j in group],
                      color=colour, lw=0.8)  # fmt: skip
            ax.scatter(
                [j.landing_s for j in group],
                [j.peak_g for j in group],
                marker=marker,
                s=size,
                color=colour,
                edgecolor="black",
                lw=0.4,
                zorder=3,
                label=f"jump landing {words} ({len(group)})",
            )
        ax.axhline(
            OSTEOGENIC_PEAK_G,
            color=COLORS["threshold"],
            ls=":",
            lw=1.3,
            label=f"osteogenic threshold {OSTEOGENIC_PEAK_G:g} g",
        )
        if ceiling_g is not None:
            name = f" '{ceiling_name}'" if ceiling_name else ""
            ax.axhline(
                ceiling_g,
                color=COLORS["ceiling"],
                ls="--",
                lw=1.2,
                label=f"impact ceiling{name} {ceiling_g:g} g",
            )
        if not jumps and not other_peaks:
            empty_note(ax, "no jump and no impact peak (no accelerometer data?)")
        tops = [j.peak_g for j in jumps] + [p.peak_g for p in other_peaks]
        top = max([*tops, OSTEOGENIC_PEAK_G, ceiling_g or 0.0])
        ax.set_ylim(0, top * 1.12 + 0.3)
        round_axis(ax)
        ax.legend(loc="upper left", ncols=3, bbox_to_anchor=(0, 1.02, 1, 0.2), mode="expand")
        return svg_of(fig, "jumps", "jumps on the session timeline with their landing peaks")


def band_labels(edges_g: Sequence[float]) -> list[str]:
    """Band names from lower edges: "0.3–1.1 g", …, "≥ 9.2 g" for the last."""
    out = []
    for i, lo in enumerate(edges_g):
        hi = edges_g[i + 1] if i + 1 < len(edges_g) else None
        out.append(f"{lo:g}–{hi:g} g" if hi is not None else f"≥ {lo:g} g")
    return out


def band_count(values: Sequence[float], edges_g: Sequence[float]) -> list[int]:
    """Values per band [edge_k, edge_k+1), the last open-ended; below the first uncounted."""
    counts = [0] * len(edges_g)
    for v in values:
        k = max((i for i, e in enumerate(edges_g) if v >= e), default=None)
        if k is not None:
            counts[k] += 1
    return counts


def impact_bands_svg(
    impacts: ImpactSummary, jumps: Sequence[Jump], other_peaks: Sequence[Impact]
) -> str:
    """Two panels on their own scales: jump landings per band, other peaks per band.

    The bands are the summary's (`ImpactSummary.band_edges_g`); bands at or above the
    osteogenic threshold are hatched.
    """
    edges = list(impacts.band_edges_g)
    with report_style():
        fig, axes = new_figure(2.4, 1, 2, sharey=True)
        if not edges:
            for ax in axes:
                empty_note(ax, "no accelerometer data")
            return svg_of(fig, "impacts", "impact peaks per acceleration band")
        labels = band_labels(edges)
        series = (
            ("jump landings", band_count([j.peak_g for j in jumps], edges), COLORS["jump"]),
            (
                "other peaks (steps, walking …)",
                band_count([p.peak_g for p in other_peaks], edges),
                COLORS["other"],
            ),
        )
        for ax, (title, counts, color) in zip(axes, series, strict=True):
            hatch = ["//" if e >= OSTEOGENIC_PEAK_G else "" for e in edges]
            bars = ax.barh(labels, counts, color=color, edgecolor="black", lw=0.4)
            for bar, h in zip(bars, hatch, strict=True):
                bar.set_hatch(h)
            ax.bar_label(bars, fontsize=7.5, padding=2)
            ax.set_title(f"{title}: {sum(counts)}")
            ax.set_xlim(0, max([*counts, 1]) * 1.2)
            integer_axis(ax, "x")
            ax.set_xlabel("count")
            ax.grid(axis="y", visible=False)
        axes[0].set_ylabel(f"peak band ({impacts.placement}-equivalent)")
        return svg_of(fig, "impacts", "impact peaks per band, jump landings apart from steps")
