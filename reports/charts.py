"""Inline SVG charts: pictures where people would rather look than read numbers.

Plain SVG strings (no JavaScript, no library, nothing fetched), so they render offline, print
sharply and can be tested as text. Every label is escaped: domain names and stream names come
from the catalogue and the target file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reports.html import OUTCOME_COLOURS, OUTCOME_LABELS, OUTCOME_ORDER, e


def outcome_bars(
    counts_by_group: Mapping[str, Mapping[str, int]],
    width: int = 640,
    label_w: int = 190,
    aria: str = "Outcomes by domain",
) -> str:
    """One horizontal stacked bar per group (e.g. domain), segments coloured by outcome.

    ``label_w`` widens the label column for long group names (the comparison labels each bar
    with supplier, product and device, which must stay readable rather than cut short).
    """
    row_h, pad = 22, 4
    chars = max(8, label_w // 7)
    bar_w = width - label_w - 60
    groups = list(counts_by_group)
    height = (len(groups) + 1) * (row_h + pad) + 10
    parts = [
        f"<svg class=chart role='img' aria-label='{e(aria)}' "
        "xmlns='http://www.w3.org/2000/svg' "
        f"width='{width}' height='{height}' viewBox='0 0 {width} {height}'>"
    ]
    for i, group in enumerate(groups):
        counts = counts_by_group[group]
        total = sum(counts.values()) or 1
        y = i * (row_h + pad) + 4
        short = group if len(group) <= chars else group[: chars - 1] + "…"
        parts.append(
            f"<text x='0' y='{y + 15}' font-size='12' fill='#1d2330'>{e(short)}"
            f"<title>{e(group)}</title></text>"
        )
        x = float(label_w)
        for outcome in OUTCOME_ORDER:
            n = counts.get(outcome, 0)
            if not n:
                continue
            w = bar_w * n / total
            parts.append(
                f"<rect class='seg seg-{e(outcome)}' x='{x:.1f}' y='{y}' width='{w:.1f}' "
                f"height='{row_h}' fill='{OUTCOME_COLOURS[outcome]}'>"
                f"<title>{e(group)}: {n} {e(OUTCOME_LABELS[outcome])}</title></rect>"
            )
            if w > 18:
                parts.append(
                    f"<text x='{x + w / 2:.1f}' y='{y + 15}' font-size='11' fill='#fff' "
                    f"text-anchor='middle'>{n}</text>"
                )
            x += w
        parts.append(
            f"<text x='{label_w + bar_w + 6}' y='{y + 15}' font-size='11' fill='#566074'>"
            f"{sum(counts.values())}</text>"
        )
    # legend row
    y = len(groups) * (row_h + pad) + 8
    x = 0.0
    for outcome in OUTCOME_ORDER:
        parts.append(
            f"<rect x='{x:.0f}' y='{y}' width='10' height='10' fill='{OUTCOME_COLOURS[outcome]}'/>"
            f"<text x='{x + 13:.0f}' y='{y + 9}' font-size='10' fill='#3b4457'>"
            f"{e(OUTCOME_LABELS[outcome])}</text>"
        )
        x += 14 + 7 * len(OUTCOME_LABELS[outcome]) + 12
    parts.append("</svg>")
    return "".join(parts)


def fps_series(arrival_ms: Sequence[int], window_ms: int = 500) -> list[tuple[float, float]]:
    """Frames per second in consecutive windows of the capture, from per-frame arrival times.

    Windows, not frame-to-frame gaps: network jitter makes single gaps noisy, while a stall or a
    burst shows up clearly as a dip or a peak in a half-second window.
    """
    if len(arrival_ms) < 2:
        return []
    end = arrival_ms[-1]
    series = []
    start = 0
    while start + window_ms <= end or not series:
        stop = min(start + window_ms, end) or 1
        n = sum(1 for t in arrival_ms if start <= t < stop)
        series.append(((start + stop) / 2000, n * 1000 / (stop - start)))
        start += window_ms
    return series


def fps_chart(
    arrival_ms: Sequence[int],
    expected_fps: float | None = None,
    tolerance_pct: float | None = None,
    width: int = 420,
    height: int = 140,
    title: str = "Measured frame rate over time",
) -> str:
    """Line chart of measured fps per half second, with the expected rate and its tolerance band."""
    series = fps_series(arrival_ms)
    if not series:
        return "<span class=small>no frame timings recorded</span>"
    left, bottom, top, right = 34, 22, 8, 8
    plot_w, plot_h = width - left - right, height - top - bottom
    t_max = max(t for t, _ in series) * 1.05 or 1
    y_max = max([f for _, f in series] + [expected_fps or 0]) * 1.25 or 1

    def xy(t: float, f: float) -> tuple[float, float]:
        return left + plot_w * t / t_max, top + plot_h * (1 - f / y_max)

    parts = [
        f"<svg class='chart fps' role='img' aria-label='{e(title)}' "
        f"xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}'><title>{e(title)}</title>"
        f"<rect x='{left}' y='{top}' width='{plot_w}' height='{plot_h}' fill='#f7f8fb' "
        "stroke='#d9dee8'/>"
    ]
    if expected_fps:
        if tolerance_pct:
            lo, hi = (
                expected_fps * (1 - tolerance_pct / 100),
                expected_fps * (1 + tolerance_pct / 100),
            )
            _, y_hi = xy(0, min(hi, y_max))
            _, y_lo = xy(0, lo)
            parts.append(
                f"<rect x='{left}' y='{y_hi:.1f}' width='{plot_w}' height='{y_lo - y_hi:.1f}' "
                f"fill='#d6f5dd'><title>tolerance ±{tolerance_pct:g}%</title></rect>"
            )
        _, y = xy(0, expected_fps)
        parts.append(
            f"<line x1='{left}' x2='{left + plot_w}' y1='{y:.1f}' y2='{y:.1f}' stroke='#3fae5a' "
            f"stroke-dasharray='4 3'/><text x='{left + plot_w - 2}' y='{y - 3:.1f}' font-size='10' "
            f"text-anchor='end' fill='#11632a'>expected {expected_fps:g} fps</text>"
        )
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(t, f) for t, f in series))
    parts.append(f"<polyline points='{points}' fill='none' stroke='#2a5db0' stroke-width='2'/>")
    for tick in (0, y_max / 2, y_max):
        _, y = xy(0, tick)
        parts.append(
            f"<text x='{left - 3}' y='{y + 3:.1f}' font-size='10' text-anchor='end' "
            f"fill='#566074'>{tick:.0f}</text>"
        )
    parts.append(
        f"<text x='{left}' y='{height - 6}' font-size='10' fill='#566074'>0 s</text>"
        f"<text x='{left + plot_w}' y='{height - 6}' font-size='10' text-anchor='end' "
        f"fill='#566074'>{series[-1][0] + 0.25:.1f} s (fps per 0.5 s window)</text></svg>"
    )
    return "".join(parts)


def coverage_chart(
    requested: tuple[float, float],
    covered: Sequence[tuple[float, float]],
    width: int = 560,
    height: int = 54,
    title: str = "Export time-range coverage",
) -> str:
    """Requested export time range as a bar, with the ranges actually delivered filled in.

    Times are seconds (any epoch); gaps in the delivered footage show as empty stretches.
    """
    start, stop = requested
    span = (stop - start) or 1
    left, bar_w = 4, width - 8
    parts = [
        f"<svg class='chart coverage' role='img' aria-label='{e(title)}' "
        f"xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}'><title>{e(title)}</title>"
        f"<rect x='{left}' y='6' width='{bar_w}' height='22' fill='#fbd9d9' stroke='#d64545'/>"
    ]
    merged: list[list[float]] = []  # overlapping pieces must not count twice
    for a, b in sorted((max(a, start), min(b, stop)) for a, b in covered):
        if b <= a:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    got = 0.0
    for a, b in merged:
        got += b - a
        parts.append(
            f"<rect x='{left + bar_w * (a - start) / span:.1f}' y='6' "
            f"width='{bar_w * (b - a) / span:.1f}' height='22' fill='#3fae5a'/>"
        )
    parts.append(
        f"<text x='{left}' y='{height - 8}' font-size='11' fill='#3b4457'>requested "
        f"{span:g} s; delivered {100 * got / span:.1f}% (green); missing in red</text></svg>"
    )
    return "".join(parts)
