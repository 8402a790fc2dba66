"""`yuqing init`: a starter yuqing.toml and scheme.yaml for a region."""

from __future__ import annotations

import csv
import gzip
from functools import cache
from importlib import resources
from pathlib import Path


@cache
def divisions() -> dict[str, tuple[str, str]]:
    """Return {code: (name, parent code)} for provinces, cities and counties (shipped with the package)."""
    with resources.files("yuqing").joinpath("data/divisions.csv.gz").open("rb") as raw:
        with gzip.open(raw, "rt", encoding="utf-8") as f:
            return {r["code"]: (r["name"], r["parent"]) for r in csv.DictReader(f)}


def region_path(code: str) -> list[str]:
    """Return the names from province down to the region, e.g. ['河北省', '廊坊市', '广阳区']."""
    table = divisions()
    code = code.strip()
    if code not in table:
        raise KeyError(f"unknown region code {code!r}: use a province, city or county division code "
                       f"such as 13 (河北省), 1310 (廊坊市) or 131003 (广阳区)")
    names = []
    while code:
        name, parent = table[code]
        if name != "市辖区":  # the placeholder level of municipalities
            names.append(name)
        code = parent
    return names[::-1]


CONFIG = """\
# yuqing settings. Every setting, its default and its environment variable: docs/settings.md
database_url = "sqlite:///yuqing.db"
scheme = "scheme.yaml"

# Sources, polled by `yuqing collect`. Kinds:
#   feed    RSS/Atom (RSSHub routes too)          url, interval
#   pages   a list page and its article links     url, link_pattern (regex, optional)
#   replay  a timed JSON Lines stream             path, speed (0 = all at once), retime
#   files   a drop folder of JSONL/CSV/Excel      path, map = ["text=正文", …]
#
# [[sources]]
# name = "某某新闻网"
# kind = "feed"
# url = "https://news.example.cn/rss.xml"
# platform = "news"
# authority = 0.8
# interval = "15m"

[[sources]]
name = "inbox"
kind = "files"
path = "inbox"
platform = "other"
interval = "5m"
"""

SCHEME = """\
# Monitoring scheme: what to watch (DESIGN §4).
name: {name}综合监测
region: "{code}"            # {path}
require_region: true        # items must involve the region to be relevant
rule: ""                    # optional boolean rule over words: & | ! ( ) "phrases"
exclude: ["广告", "招聘"]
alert:
  min_risk: high
  channels: [inbox]
"""


def write_starter(directory: Path, region: str, force: bool = False) -> list[Path]:
    """Write yuqing.toml, scheme.yaml and an inbox folder; return the files written."""
    path = region_path(region)
    directory.mkdir(parents=True, exist_ok=True)
    targets = {directory / "yuqing.toml": CONFIG,
               directory / "scheme.yaml": SCHEME.format(name=path[-1], code=region.strip(), path=" ".join(path))}
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        raise FileExistsError(f"{', '.join(map(str, existing))} exists; use --force to overwrite")
    for p, body in targets.items():
        p.write_text(body, encoding="utf-8")
    (directory / "inbox").mkdir(exist_ok=True)
    return list(targets)
