"""首发 (an event's first report) on the fj3 stream against annotations/events_dev.jsonl (issue 16,
part 7): for each predicted event with two or more labelled messages, is its first report (the
earliest item of the event) a message of the event the labelled messages mostly belong to?

Only labelled first reports can be scored from the annotation. The events whose first item is
unlabelled were read one by one (READ below, with the annotation's rule: one event is the same
place or actor AND the same problem): the earliest item there is most often another happening
the clusterer let in — a first report is only as right as the event around it.

Usage: python bench/first_report.py
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("YUQING_DATA", str(ROOT.parent / "shared" / "data"))

# Read by a person (2026-12-01), the earliest item against the event's labelled messages:
# wrong = another happening (another compound, school or firm with the same problem, or another
# problem at the same place); right = the same happening; unsure = the rule does not settle it.
READ = {   # by the message id of the event's earliest item (event ids move when clustering does)
    "360114": "wrong",    # 体育学院变相强制实习 vs 涉外经济学院强制实习: another school
    "243062": "wrong",    # 山水湾童话里幼儿园改公立 vs 恒大翡翠华庭幼儿园收费: another compound and problem
    "245851": "wrong",    # 星沙K9县郡小区幼儿园收费 vs 恒大翡翠华庭幼儿园收费: another compound
    "232892": "wrong",    # 万科魅力之城车位开盘 vs 中建梅溪湖安全通道车位: another compound
    "283732": "wrong",    # 五矿万境水岸垃圾站 vs 长房云时代垃圾站: another compound
    "224042": "wrong",    # 人才购房补贴办法 vs 网上办居住证: another matter
    "282248": "unsure",   # 咨询人才购房补贴 vs 夫妻购房申请补贴不通过: one policy, two askers
    "231127": "wrong",    # 珠江东方明珠停水 vs 同小区安全隐患: same place, another problem
    "247550": "wrong",    # 医保局推卸责任 vs 异地生育津贴: another matter
    "218590": "wrong",    # 松雅安置小区夜宵店扰民 vs 金麓小区噪音: another compound
    "201707": "unsure",   # 地铁3号线松雅西地省站: safety vs an entrance's place, same station
    "212540": "wrong",    # 金科时代中心物业乱收费 vs 金科山水洲房产证: another compound and problem
    "266818": "wrong",    # 广花大厦购房合同违约 vs 华广实业燃气管道: another firm
    "210425": "right",    # 才子佳郡 / 才子小区 低层无水: the same compound
    "259216": "wrong",    # 常规公交的建议 vs 公交站房建设: another proposal
    "210867": "wrong",    # 道路扩建房屋开裂 vs 国道距家3米拆迁: another matter
    "202788": "unsure",   # 临聘教师待遇 vs 编外合同制教师待遇: perhaps one cohort
    "273942": "wrong",    # 象山国际工地 vs 中海国际社区空地施工: another site
    "287918": "right",    # 保利大都汇学校用地调规: the same
    "205217": "wrong",    # 七中退休教师奖 vs 区属中学收回市教育局: another matter
    "283631": "wrong",    # 星沙联络线噪音 vs 荣盛花语城噪音: another place
    "229232": "right",    # 中山路改造升级: the same
}


def main() -> dict:
    from events_dev import labels, stream

    from yuqing.events.cluster import cluster_rows

    rows, gold = stream(), labels()
    pred = cluster_rows(rows)
    by = defaultdict(list)
    for r in rows:
        by[pred[r["id"]]].append(r)
    scored = Counter()
    unlabelled = []
    for eid, rs in sorted(by.items()):
        lab = [r for r in rs if r["id"] in gold]
        if len(lab) < 2:
            continue
        major = Counter(gold[r["id"]] for r in lab).most_common(1)[0][0]
        first = min(rs, key=lambda r: (r["ts"], r["id"]))
        if first["id"] in gold:
            scored["right" if gold[first["id"]] == major else "wrong"] += 1
        else:
            unlabelled.append({"event": eid, "first": first["title"][:40], "read": READ.get(first["id"], "not read")})
    read = Counter(u["read"] for u in unlabelled)
    n = sum(scored.values()) + len(unlabelled)
    out = {"events_scored": n, "labelled_first": dict(scored), "unlabelled_first": len(unlabelled),
           "unlabelled_first_read": dict(read),
           "first_report_right": round((scored["right"] + read["right"]) / n, 3),
           "first_report_wrong": round((scored["wrong"] + read["wrong"]) / n, 3)}
    print(json.dumps(out, ensure_ascii=False, indent=1))
    for u in unlabelled:
        print(f"  {u['event']}  {u['read']:8s}  {u['first']}")
    return out


if __name__ == "__main__":
    main()
