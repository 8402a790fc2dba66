"""Charts for reports, drawn with matplotlib (Agg, no pyplot state) in Noto Sans CJK. The same
data gives the same PNG bytes (no timestamp or software tag in the file)."""

from __future__ import annotations

import io
from typing import Any

from .fonts import matplotlib_family

COLOURS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f"]
SENTIMENT_COLOURS = {"负面": "#c23531", "中性": "#8c9aa8", "正面": "#2f9e44"}


def render_word_cloud(chart: dict[str, Any], width_px: int = 960, height_px: int = 450) -> bytes:
    """A word cloud (the wordcloud package, in Noto Sans CJK): the same words give the same PNG."""
    from wordcloud import WordCloud

    from .fonts import SANS, font_path

    words = {str(w): float(n) for w, n in chart["words"] if n}
    ranks = {w: i for i, w in enumerate(sorted(words, key=lambda w: (-words[w], w)))}
    cloud = WordCloud(font_path=str(font_path(SANS)), width=width_px, height=height_px, background_color="white",
                      prefer_horizontal=1.0, random_state=7, max_words=len(words) or 1, margin=4, relative_scaling=0.5,
                      color_func=lambda word, **_: COLOURS[ranks.get(word, 0) % len(COLOURS)])
    pixels = cloud.generate_from_frequencies(words or {"无数据": 1.0}).to_array()
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # framed like the other charts: the title above, in the same font and size
    with matplotlib.rc_context({"font.family": [matplotlib_family()], "font.size": 9}):
        fig = Figure(figsize=(6.4, 3.3), dpi=150)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.imshow(pixels, interpolation="bilinear")
        ax.set_axis_off()
        ax.set_title(chart.get("title", ""))
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
        return buf.getvalue()


def render_chart(chart: dict[str, Any], width_in: float = 6.4, height_in: float = 3.0) -> bytes:
    if chart["kind"] == "wordcloud":
        return render_word_cloud(chart)
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"font.family": [matplotlib_family()], "axes.unicode_minus": False,
                                "font.size": 9, "svg.hashsalt": "yuqing"}):
        fig = Figure(figsize=(width_in, height_in), dpi=150)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        kind = chart["kind"]
        if kind in ("stacked_bar", "bar"):
            xs = list(range(len(chart["x"])))
            bottom = [0] * len(xs)
            for i, (name, values) in enumerate(chart["series"].items()):
                ax.bar(xs, values, bottom=bottom, label=name, color=COLOURS[i % len(COLOURS)], width=0.75)
                bottom = [b + v for b, v in zip(bottom, values)]
            step = max(1, len(xs) // 12)
            ax.set_xticks(xs[::step], [chart["x"][i] for i in xs[::step]])
            ax.spines[["top", "right"]].set_visible(False)
            if len(chart["series"]) > 1:
                ax.legend(ncol=min(4, len(chart["series"])), fontsize=8, frameon=False)
        elif kind == "pie":
            if sum(chart["values"]):
                ax.pie(chart["values"], labels=[f"{label} {v}" for label, v in zip(chart["labels"], chart["values"])],
                       colors=[SENTIMENT_COLOURS.get(label, COLOURS[i % len(COLOURS)]) for i, label in enumerate(chart["labels"])],
                       startangle=90, counterclock=False, wedgeprops={"width": 0.45})
                ax.set_aspect("equal")
            else:
                ax.text(0.5, 0.5, "无数据", ha="center", va="center")
                ax.set_axis_off()
        else:
            raise ValueError(f"unknown chart kind {kind!r}")
        ax.set_title(chart.get("title", ""))
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
        return buf.getvalue()
