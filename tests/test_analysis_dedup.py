"""Near-duplicates on pairs built from real Weibo posts (bench/dedup_dev.py), and the stream index."""

from __future__ import annotations

import sys

from conftest import ROOT
from yuqing.analysis import dedup
from yuqing.analysis.dedup import NearDuplicates, dedup_text

sys.path.insert(0, str(ROOT / "bench"))
import dedup_dev  # noqa: E402


def test_quality_floor_on_the_dev_set(data):
    result = dedup_dev.evaluate(dedup_dev.build(data), NearDuplicates)
    # floors just under the measured 1.000 / 0.984 (bench/RESULTS.md)
    assert result["precision"] >= 0.99, result
    assert result["recall"] >= 0.96, result
    assert result["accuracy_by_kind"]["same-topic"] >= 0.99 and result["accuracy_by_kind"]["different"] >= 0.99


def test_duplicate_of_is_the_earliest_and_reposts_are_not_copies():
    index = NearDuplicates()
    original = "廊坊市广阳区万庄镇一仓库发生火灾，消防部门正在全力扑救，暂无人员伤亡报告。"
    assert index.add("a", original) is None
    assert index.add("b", "【转】" + original + "（来源：网络）") == "a"
    assert index.add("c", "#廊坊# " + original + " http://t.cn/A6abc") == "a"      # the group's first, not b
    assert index.add("d", "转发微博") is None                                       # a bare repost
    assert index.add("e", "广阳区九州镇农村道路提升改造工程近日全部完工，惠及沿线八个村。") is None
    assert dedup_text("转发微博//@某人:说得好 #话题# [赞] http://x.cn/1") == ""


def test_signatures_and_lsh_bands_are_datasketchs():
    """The numpy MinHash must be datasketch's affine32 MinHash, and the bands its optimum."""
    import numpy as np
    from datasketch import MinHash, MinHashLSH

    from yuqing.analysis.dedup import LSH_BANDS, LSH_ROWS, permutations, shingles, signature

    grams = shingles(dedup_text("廊坊市广阳区万庄镇一仓库发生火灾，消防部门正在全力扑救"))
    theirs = MinHash(num_perm=56, seed=1, scheme="affine32", hashfunc=lambda x: x)
    theirs.update_batch(grams.tolist())
    a, b = permutations(56)
    assert np.array_equal(signature(grams, a, b), theirs.hashvalues)
    lsh = MinHashLSH(threshold=0.2, num_perm=128)
    assert (lsh.b, lsh.r) == (LSH_BANDS, LSH_ROWS)


def test_copies_prepared_in_another_process_are_found_the_same(data):
    """The analyse workers prepare each text's shingles and bands (`prepare`, sent over the bus as
    `pack`); the linking process only looks them up: the same copies are found as when it hashes."""
    from yuqing.analysis.dedup import pack, prepare, unpack

    texts = [t for a, b, _label, _kind in dedup_dev.build(data) for t in (a, b)]
    here, there = NearDuplicates(), NearDuplicates()
    found_here = [here.add(str(i), t) for i, t in enumerate(texts)]
    found_there = [there.add(str(i), t, prepared=unpack(pack(prepare(t)))) for i, t in enumerate(texts)]
    assert found_here == found_there and sum(x is not None for x in found_here) > 10
    assert prepare("短") is None and unpack(pack(None)) is None


def test_the_index_holds_at_most_its_bound_and_forgets_the_oldest_first(data):
    """Bounded state (issue 20): past `max_items` originals the oldest leaves the index — its
    buckets, shingles and places with it — and a copy of it is then an original; copies of the
    recent ones are still found. Real Weibo posts."""
    from yuqing.analysis.dedup import LSH_BANDS

    texts = [a for a, _b, _label, kind in dedup_dev.build(data) if kind == "different"][:300]
    index = NearDuplicates(max_items=100)
    originals = [f"p{i}" for i, t in enumerate(texts) if index.add(f"p{i}", t) is None]
    assert len(originals) > 150
    assert len(index) == 100
    buckets = index.buckets()
    assert {i for ids in buckets.values() for i in ids} == set(originals[-100:])
    assert sum(len(ids) for ids in buckets.values()) == 100 * LSH_BANDS
    first = texts[int(originals[0][1:])]
    recent = texts[int(originals[-1][1:])]
    assert index.add("copy-of-first", "【转】" + first) is None          # forgotten: an original now
    assert index.add("copy-of-recent", "【转】" + recent) == originals[-1]


def test_a_crowded_bucket_offers_its_most_recent_originals_only(data):
    """The same long preamble before different real posts (alike in their bands, not copies):
    a copy of a recent one is found among the bucket's most recent originals, and the exact
    comparisons an item costs stay bounded however many such originals the index holds."""
    from yuqing.analysis import dedup

    posts = [a for a, _b, _label, kind in dedup_dev.build(data) if kind == "different" and len(dedup_text(a)) >= 70]
    preamble = "关于开展冬季供暖设施安全检查的通知：各小区请于本周五前完成自查，发现隐患及时报告物业和社区居委会。"
    texts = [preamble + p for p in posts]
    index = NearDuplicates()
    originals = [n for n, t in enumerate(texts) if index.add(f"n{n}", t) is None]
    assert len(originals) >= 60
    crowded = max(index.buckets().values(), key=len)
    assert len(crowded) > dedup.BUCKET_OFFERS
    compared = []
    real = dedup.similarity
    dedup.similarity = lambda a, b, *rest: compared.append(1) or real(a, b, *rest)
    try:
        assert index.add("copy", "【转】" + texts[originals[-1]]) == f"n{originals[-1]}"
    finally:
        dedup.similarity = real
    assert len(compared) <= dedup.BUCKET_OFFERS * 2, len(compared)


def test_a_batch_finds_what_one_at_a_time_finds_across_merges_and_the_ring(data):
    """`add_many` (the sorted keys bisected once per batch) gives what `add` one item at a time
    gives, with copies inside one batch, of originals already merged into the sorted keys, and of
    originals forgotten as the ring wraps; a copy names the earliest of equally close originals."""
    pairs = [(a, b) for a, b, label, _kind in dedup_dev.build(data) if label][:150]
    others = [a for a, _b, _label, kind in dedup_dev.build(data) if kind == "different"][:300]
    texts = []
    for n, (a, b) in enumerate(pairs):   # a copy 0–3 posts after its original, or ~60 later
        texts += [a] + others[2 * n: 2 * n + 2] + ([b] if n % 3 else [])
        if n % 3 == 0 and n >= 20:
            texts.append(pairs[n - 20][1])
    one, many = NearDuplicates(max_items=120), NearDuplicates(max_items=120)
    singly = [one.add(f"t{i}", t) for i, t in enumerate(texts)]
    batched = []
    for start in range(0, len(texts), 37):        # batches across merges (every 60 originals)
        batched += many.add_many([(f"t{i}", t, frozenset(), dedup.NOT_PREPARED)
                                  for i, t in enumerate(texts[start:start + 37], start)])
    assert batched == singly
    assert sum(x is not None for x in batched) > 100 and len(many) == 120
    assert many.buckets() == one.buckets()
    # equally close originals: the earliest is named
    tie = NearDuplicates()
    text = "关于开展冬季供暖设施安全检查的通知：各小区请于本周五前完成自查。"
    assert tie.add("x1", text, frozenset({"A"})) is None
    assert tie.add("x2", text, frozenset({"B"})) is None     # another place: not a copy of x1
    assert tie.add("x3", text) == "x1"


def test_a_batch_prepared_at_once_is_each_text_prepared_alone(data, monkeypatch):
    """Issue 20 (analysis cost): the shingles, MinHash and band keys of a batch in a few array
    operations, split into parts that fit the matrix bound, equal those of each text alone —
    on real Weibo posts, long complaints, short and empty texts."""
    import csv

    import numpy as np

    posts = [line.split(",", 2)[2] for line in
             (data / "weibo2018_sentiment/train.txt").read_text(encoding="utf-8").splitlines()[1:600]]
    with open(data / "zhihui_zhengwu/fj3_messages_with_votes.csv", encoding="utf-8", newline="") as f:
        long = [r["留言详情_clean"] for _, r in zip(range(200), csv.DictReader(f))]
    texts = posts + long + ["", "转发微博", "短", "一二三四五六七八九十一", "一二三四五六七八九十一二", "x" * 5000]
    monkeypatch.setattr(dedup, "_BATCH_CELLS", 100_000)          # many parts, one text alone past it
    for got, text in zip(dedup.prepare_many(texts), texts):
        want = dedup.prepare(text)
        assert (got is None) == (want is None), text[:40]
        if want is not None:
            assert got[0].dtype == want[0].dtype and np.array_equal(got[0], want[0]) and got[1] == want[1], text[:40]
    assert sum(p is None for p in dedup.prepare_many(texts)) >= 4
