"""`yuqing init`: a starter yuqing.toml and scheme.yaml for a region."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def _gazetteer():
    from .analysis.gazetteer import load_gazetteer

    return load_gazetteer(max_level=4)


def known_region(code: str) -> bool:
    """Return whether a code names a province, city, county or town (a scheme's possible region)."""
    return code.strip() in _gazetteer().places


def region_path(code: str) -> list[str]:
    """Return the names from province down to the region, e.g. ['河北省', '廊坊市', '广阳区']."""
    code = code.strip()
    if not known_region(code):
        raise KeyError(f"unknown region code {code!r}: use a province, city, county or town division code "
                       f"such as 13 (河北省), 1310 (廊坊市) or 131003 (广阳区)")
    return _gazetteer().path(code)


CONFIG = """\
# yuqing settings. Every setting, its default and its environment variable: docs/settings.md
database_url = "sqlite:///yuqing.db"
scheme = "scheme.yaml"
# Non-public addresses are never fetched unless allowed here, each with its port:
# fetch_allow_hosts = ["10.0.0.5:8080", "intranet.example.gov.cn:443"]

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
