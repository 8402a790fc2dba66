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


def resolve_region(text: str) -> str:
    """The gazetteer's code for what people write: 131003, 131000 (six digits, zeros padded),
    131003000000 (the twelve-digit statistical code), 131003101, 广阳区, 廊坊市广阳区, 河北省廊坊市.
    KeyError, with the candidates, when it names nothing or more than one place."""
    text = "".join(str(text).split())
    g = _gazetteer()
    if text.isdigit():
        code = text
        if len(code) == 12:                       # 2 + 2 + 2 + 3 (+ 3 for the village, not a region)
            code = code[:9]
            if code.endswith("000"):
                code = code[:6]
        if len(code) == 6:
            while len(code) > 2 and code.endswith("00"):
                code = code[:-2]
        if code in g.places:
            return code
        raise KeyError(f"未知的行政区划代码 {text!r}：可用省、市、县区、乡镇代码，如 13（河北省）、1310 或 131000（廊坊市）、"
                       f"131003 或 131003000000（广阳区）")
    matches = [p.code for p in g.lookup(text)]
    if not matches:                               # 廊坊市广阳区: the last name that is a place, under the others
        for cut in range(len(text) - 1, 0, -1):
            head, tail = text[:cut], text[cut:]
            under = [p.code for p in g.lookup(tail) if "".join(g.path(p.code)).endswith(text)
                     or head in "".join(g.path(p.code))]
            if under:
                matches = under
                break
    matches = [c for c in dict.fromkeys(matches) if g.places[c].level <= 4]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise KeyError(f"找不到地名 {text!r}：请写全称（如 广阳区、廊坊市广阳区）或行政区划代码（如 131003）")
    options = "、".join(f"{''.join(g.path(c))}（{c}）" for c in matches[:8])
    raise KeyError(f"{text!r} 有多个地方：{options}；请加上上级地名（如 廊坊市广阳区）或用代码")


def region_path(code: str) -> list[str]:
    """Return the names from province down to the region, e.g. ['河北省', '廊坊市', '广阳区']."""
    code = code.strip()
    if not known_region(code):
        raise KeyError(f"unknown region code {code!r}: use a province, city, county or town division code "
                       f"such as 13 (河北省), 1310 (廊坊市) or 131003 (广阳区)")
    return _gazetteer().path(code)


CONFIG = """\
# yuqing 配置文件。每项设置的含义、默认值和对应的环境变量：yuqing settings（或 docs/settings.md）
database_url = "sqlite:///yuqing.db"     # 数据存在哪里：本目录下的 SQLite 文件
scheme = "scheme.yaml"                   # 监测方案：监测哪个地区、哪些词，何时预警
# 内网地址默认不抓取；确需抓取时在此逐个列出（主机:端口）：
# fetch_allow_hosts = ["10.0.0.5:8080", "intranet.example.gov.cn:443"]
# 早于此时长的信息（导入历史、补采）不发实时预警，只在导入小结中说明：
# alert_max_age_hours = 48

# 简报版头（红头）：每份日报、周报、月报、专报、简报都带；期号按类别逐年自动编号
# report_masthead = "某某网信舆情"            # 红头标题；不填则为“网络舆情日报”等
# report_office = "中共某某区委网信办"          # 编发单位
# report_signer = ""                         # 签发人（报告在系统中签发后以签发人为准）
# report_cc = "区委办、区政府办"               # 抄送

# 信息来源，由 yuqing collect 定时采集。种类（kind）：
#   feed     RSS/Atom/JSON Feed（含 RSSHub 路由）      url, interval
#   pages    列表页及其文章链接                        url, link_pattern（正则，可选）
#   hotlist  热榜（微博热搜、newsnow）                 url, format = "weibo" 或 "newsnow"
#   replay   按时间回放的 JSON Lines（演示、演练）      path, speed（0 = 一次全部）, retime
#   files    投放目录：JSONL/CSV/Excel/网页文件         path, map = ["text=正文", …]
# local = true 表示本区自己的来源（区融媒、12345 导出）：其信息默认涉及本区。
#
# [[sources]]
# name = "某某新闻网"
# kind = "feed"
# url = "https://news.example.cn/rss.xml"
# platform = "news"          # news weibo wechat forum video complaint blog other
# authority = 0.8            # 来源权威度 0–1，影响热度
# interval = "15m"           # 采集间隔：90s、15m、2h、1d

[[sources]]
name = "inbox"               # 投放目录：把导出文件放进 inbox/ 即自动导入
kind = "files"
path = "inbox"
platform = "other"
interval = "5m"
"""

SCHEME = """\
# 监测方案：监测哪里、哪些词、何时预警。修改后 yuqing reanalyze 可按新方案重新研判已采信息。
name: {name}综合监测
region: "{code}"            # {path}（行政区划代码）
require_region: true        # true：信息须涉及本地区才算相关
rule: ""                    # 可选的关键词规则：& 且、| 或、! 非、( ) 分组、"短语"，如 (积水 | 内涝) & !演练
exclude: ["广告", "招聘"]    # 含这些词的信息不算相关
# landmarks:                # 本地的路名、小区、学校、医院等及其所属地（代码），帮助识别只写短名的信息
#   新华路: "{code}"
alert:
  min_risk: high            # 风险为“高”的事件立即预警
  # rules:                  # 更多预警规则，见 docs/alerts.md
  #   - {{name: 爆发, burst: true}}
  #   - {{name: 上榜, hotlist: true}}
  channels: [inbox]         # 预警发往哪里：inbox 为系统内预警列表；其他通道在 yuqing.toml 的 [[channels]] 中配置
"""


def write_starter(directory: Path, region: str, force: bool = False) -> list[Path]:
    """Write yuqing.toml, scheme.yaml and an inbox folder; return the files written."""
    region = resolve_region(region)
    path = region_path(region)
    directory.mkdir(parents=True, exist_ok=True)
    targets = {directory / "yuqing.toml": CONFIG,
               directory / "scheme.yaml": SCHEME.format(name=path[-1], code=region, path=" ".join(path))}
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        raise FileExistsError(f"{', '.join(map(str, existing))} exists; use --force to overwrite")
    for p, body in targets.items():
        p.write_text(body, encoding="utf-8")
    (directory / "inbox").mkdir(exist_ok=True)
    return list(targets)
