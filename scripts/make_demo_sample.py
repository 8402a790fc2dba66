"""Write the demo sample: a timed stream of fictional items (every source marked 示例) and a GBK page.

Everything here is invented for the demo; no real post, person or outlet. Deterministic (seeded).
Run: python scripts/make_demo_sample.py  → src/yuqing/data/demo/{stream.jsonl,page_gbk.html}
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/yuqing/data/demo"
BJ = timezone(timedelta(hours=8))
END = datetime(2026, 11, 28, 18, 0, tzinfo=BJ)
START = END - timedelta(days=4)
rng = random.Random(20261128)

PLACES = ["银河北路街道", "爱民东道街道", "解放道街道", "新开路街道", "新源道街道", "南尖塔镇", "万庄镇",
          "九州镇", "北旺镇", "广阳经济开发区"]
ROADS = ["和平路", "新华路", "银河北路", "爱民东道", "解放道", "永兴路", "建设路", "光明道"]
COMMUNITIES = ["西后街社区", "丰盛路社区", "康宁街社区", "裕华路社区", "华苑社区", "群星里社区", "建华里社区"]
NEWS = ["【示例】廊坊新闻网(虚构)", "【示例】燕赵晚报(虚构)", "【示例】冀东都市报(虚构)", "【示例】广阳融媒(虚构)"]
OFFICIAL = "【示例】广阳区应急管理局(虚构)"
USERS = [f"示例用户{c}" for c in "甲乙丙丁戊己庚辛壬癸"] + [f"示例网友{i:02d}" for i in range(1, 21)]

ROUTINE = {
    "news": [
        "{place}启动冬季供暖保障专项行动，{n}个小区完成管网检修。",
        "{place}{road}道路改造工程进入收尾阶段，预计下月通车。",
        "广阳区举办{n}场冬季招聘会，提供岗位{m}个。",
        "{place}开展老旧小区改造，惠及居民{m}户。",
        "廊坊市广阳区{place}新建口袋公园{n}处，市民休闲有了新去处。",
    ],
    "weibo": [
        "{road}早高峰又堵了，{place}这边红绿灯能不能调一调？#廊坊#",
        "今天去{place}办事，窗口服务挺好，半小时就办完了👍",
        "广阳区{community}楼下的路灯坏了好几天了，晚上走路很黑。",
        "昨晚下雨，{road}和{place}交界处积水很深，电动车都过不去。",
        "周末带娃去{place}新开的公园转了转，环境不错。",
    ],
    "wechat": [
        "【便民】{place}{month}月社区服务时间表发布，事关你我！",
        "广阳区{place}：{n}项惠民实事进展情况通报。",
    ],
    "forum": [
        "【求助】{community}小区暖气不热，室温只有{t}度，找谁反映？",
        "{place}那边的菜市场什么时候能改造好？现在下雨天全是泥。",
        "有没有人知道{road}修路要修到什么时候？",
    ],
    "video": [
        "实拍：{place}{road}夜景，广阳区越来越漂亮了。",
        "{place}冬季第一场雪，孩子们玩疯了。",
    ],
    "complaint": [
        "我是广阳区{community}居民，小区暖气从供暖开始就不热，室温{t}度，多次联系物业无果，请有关部门督促解决。",
        "广阳区{road}一家餐馆油烟直排，楼上居民无法开窗，请环保部门查处。",
        "{place}一工地夜间施工噪音扰民，晚上十一点还在作业，请城管部门处理。",
        "广阳区{community}门口道路破损严重，坑洼积水，老人出行不便，请尽快修复。",
    ],
    "blog": [
        "在广阳区生活的第{n}年：说说{place}这些年的变化。",
        "廊坊广阳区美食探店：{road}上的老字号早点铺。",
    ],
    "other": [
        "广阳区{place}{month}月天气：最低气温零下{t}度，注意保暖。",
    ],
}

# Same-name places elsewhere: must not count as 广阳区 later (scheme disambiguation).
ELSEWHERE = [
    ("weibo", "重庆广阳岛今天的银杏太美了，周末去打卡！"),
    ("news", "【示例】重庆南岸区广阳镇推进乡村振兴，建成示范村{n}个。"),
    ("weibo", "北京房山区的广阳大街今天限行，绕行注意。"),
]

# A developing incident: a warehouse fire in 万庄镇 — first posts, spread, official notice, follow-ups.
INCIDENT = [
    (0, "weibo", USERS[0], "万庄镇这边冒起好大的黑烟！好像是一个仓库着火了，消防车一直在响 #廊坊广阳#"),
    (4, "weibo", USERS[1], "广阳区万庄镇仓库起火，烟很大，附近的人注意关窗。"),
    (9, "video", USERS[2], "实拍廊坊广阳区万庄镇一仓库起火，现场浓烟滚滚，多辆消防车赶到。"),
    (15, "forum", USERS[3], "【现场】万庄镇物流园那边着火了，有人知道什么情况吗？有没有人员受伤？"),
    (25, "weibo", USERS[4], "听说万庄镇着火的仓库里有人没跑出来？求证！"),
    (40, "news", NEWS[0], "廊坊市广阳区万庄镇一仓库发生火灾 消防救援力量已到场处置"),
    (55, "wechat", "【示例】广阳融媒(虚构)", "突发！广阳区万庄镇一仓库起火，消防正在全力扑救"),
    (70, "news", NEWS[1], "廊坊广阳区万庄镇一仓库突发火灾，消防部门正在全力扑救"),
    (95, "news", OFFICIAL, "关于万庄镇一仓库火灾的情况通报：11月27日14时许，广阳区万庄镇一物流仓库发生火灾，"
                          "明火已被扑灭，事故造成1人轻伤，已送医救治，无生命危险。起火原因正在调查中。"),
    (120, "weibo", USERS[5], "官方通报来了，万庄镇仓库火灾1人轻伤，还好没有更严重。希望查清原因，物流园的消防隐患该好好查查了。"),
    (180, "forum", USERS[6], "万庄镇那个物流园去年就有人反映过电线乱拉，这次着火不意外，监管去哪了？"),
    (300, "news", NEWS[2], "广阳区开展仓储物流场所消防安全大排查 万庄镇火灾后举一反三"),
    (600, "complaint", USERS[7], "万庄镇物流园还有好几家仓库电线私拉乱接、堆放易燃物，火灾后仍未整改，请消防和应急部门检查。"),
    (1300, "news", NEWS[3], "广阳区通报万庄镇仓库火灾调查进展：系电气线路故障引发，相关责任人已被依法处理。"),
]


def fill(template: str) -> str:
    return template.format(place=rng.choice(PLACES), road=rng.choice(ROADS), community=rng.choice(COMMUNITIES),
                           n=rng.randint(2, 30), m=rng.randint(100, 3000), t=rng.randint(10, 16), month=11)


def item(i: int, platform: str, when: datetime, text: str, source: str | None, author: str | None, **extra):
    rec = {"id": f"demo:{i:05d}", "platform": platform, "source": source, "author": author, "title": None,
           "text": text, "published_at": when.isoformat(),
           "metrics": {"reposts": rng.randint(0, 30), "comments": rng.randint(0, 40), "likes": rng.randint(0, 200),
                       "views": None},
           "repost_of": None, "url": f"https://demo.example/{platform}/{i}"}
    if platform in ("news", "wechat", "blog"):
        rec["title"], rec["text"] = text[:40], text + "（本条为示例数据，内容虚构。）"
    rec.update(extra)
    return rec


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rows, i = [], 0
    span = (END - START).total_seconds()
    for _ in range(230):
        platform = rng.choices(list(ROUTINE), weights=[5, 7, 2, 3, 2, 4, 1, 1])[0]
        when = START + timedelta(seconds=rng.random() * span)
        source = rng.choice(NEWS) if platform in ("news", "wechat") else f"【示例】{platform}(虚构)"
        author = None if platform == "news" else rng.choice(USERS)
        i += 1
        rows.append(item(i, platform, when, fill(rng.choice(ROUTINE[platform])), source, author))
    for platform, template in ELSEWHERE * 3:
        i += 1
        rows.append(item(i, platform, START + timedelta(seconds=rng.random() * span), fill(template),
                         f"【示例】{platform}(虚构)", rng.choice(USERS)))
    fire = END - timedelta(days=1, hours=4)
    firsts: list[str] = []
    posted: dict[str, datetime] = {}
    for minutes, platform, who, text in INCIDENT:
        i += 1
        is_outlet = who.startswith("【示例】")
        rec = item(i, platform, fire + timedelta(minutes=minutes), text,
                   who if is_outlet else f"【示例】{platform}(虚构)", None if is_outlet else who)
        rec["metrics"]["reposts"] = rng.randint(50, 900)
        rows.append(rec)
        firsts.append(rec["id"])
        posted[rec["id"]] = fire + timedelta(minutes=minutes)
    # reposts and near-duplicate reprints of the incident
    for k in range(45):
        i += 1
        parent = rng.choice(firsts[:5] + firsts[8:10])
        # a repost comes after what it reposts
        when = max(fire + timedelta(minutes=5 + k * 4 + rng.randint(0, 3)), posted[parent] + timedelta(minutes=1 + k % 7))
        text = rng.choice(["转发微博", "关注！希望没人受伤", "//@示例用户甲: 万庄镇着火了", "求后续", "注意安全"])
        rows.append(item(i, "weibo", when, text, "【示例】weibo(虚构)", rng.choice(USERS), repost_of=parent))
    for k, outlet in enumerate(["【示例】环京快讯(虚构)", "【示例】北方民生网(虚构)", "【示例】京津冀在线(虚构)"]):
        i += 1
        rows.append(item(i, "news", fire + timedelta(minutes=80 + 10 * k),
                         "廊坊广阳区万庄镇一仓库突发火灾，消防部门正在全力扑救。" + ["", "目前火势已得到控制。", "暂无人员伤亡报告。"][k],
                         outlet, None))
    # one post in traditional characters
    i += 1
    rows.append(item(i, "forum", fire + timedelta(hours=3), "廣陽區萬莊鎮倉庫火災後，希望政府加強消防檢查。",
                     "【示例】forum(虚构)", "示例網友"))
    rows.sort(key=lambda r: r["published_at"])
    with open(OUT / "stream.jsonl", "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    page = ("<!DOCTYPE html><html><head><meta http-equiv='Content-Type' content='text/html; charset=gbk'>"
            "<title>广阳区万庄镇仓库火灾后续：全区排查仓储场所</title>"
            "<meta name='author' content='【示例】广阳融媒(虚构)'>"
            "<meta property='article:published_time' content='2026-11-28T10:30:00+08:00'></head><body>"
            "<div class='nav'><a href='/'>首页</a></div><article><h1>广阳区万庄镇仓库火灾后续：全区排查仓储场所</h1>"
            "<p>【示例数据，内容虚构】记者从廊坊市广阳区获悉，万庄镇仓库火灾发生后，全区立即开展仓储物流场所消防安全排查，"
            "截至目前已检查场所一百余家，发现隐患三十余处，已督促整改。</p>"
            "<p>区应急管理局提醒，冬季是火灾高发期，仓储场所要规范用电，严禁私拉乱接电线，确保消防通道畅通。</p>"
            "</article><script>var tracker = 'this script must never reach the text';</script></body></html>")
    (OUT / "page_gbk.html").write_bytes(page.encode("gbk"))
    print(f"{len(rows)} items, {rows[0]['published_at']} … {rows[-1]['published_at']} -> {OUT}")


if __name__ == "__main__":
    main()
