"""The shipped category and sentiment models: they load offline from plain arrays, score what
the training report says on the dev splits (floors just under it), and explain themselves."""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from yuqing.analysis import linear
from yuqing.analysis.analyze import load_models
from yuqing.analysis.category import CATEGORIES, rule_category

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import corpora  # noqa: E402
from train_models import EVERYDAY  # noqa: E402

MODELS = Path(str(resources.files("yuqing").joinpath("data/models")))


@pytest.fixture(scope="module")
def models(data):
    return load_models()


def test_weights_are_plain_arrays_and_match_their_description():
    for part in ("category", "scope", "sentiment"):
        meta = json.loads((MODELS / part / "model.json").read_text(encoding="utf-8"))
        with np.load(MODELS / part / "weights.npz", allow_pickle=False) as arrays:   # refuses pickles
            assert {"idf", "coef", "intercept"} <= set(arrays.files)
            assert arrays["coef"].shape[0] == len(meta["classes"])
    assert (MODELS / "REPORT.md").read_text(encoding="utf-8").count("| true \\ predicted |") >= 2


def test_a_model_directory_with_wrong_shapes_is_refused(tmp_path):
    model = linear.load_model(MODELS / "scope")
    model.coef = model.coef[:, :10]
    model.save(tmp_path / "broken")
    with pytest.raises(ValueError, match="do not match"):
        linear.load_model(tmp_path / "broken")


def test_feature_hashes_do_not_drift():
    """The shipped weights are indexed by these hashes: a change here silently breaks every model."""
    assert linear.word_hashes(["广阳区", "火灾", "a"]).tolist() == [
        3407478345225011110, 8964521984067175384, 14520850409372180997]
    docs, hashes = linear.ngram_hashes(["广阳 区"])     # 1-, 2- and 3-grams, whitespace removed
    assert docs.tolist() == [0] * 6 and hashes[-1] == linear.gram_hashes("广阳区", 3)[0] == 3389230076875032642


def test_features_match_scikit_learns_tfidf_arithmetic():
    """Sublinear tf × smoothed idf, L2 per block: what TfidfTransformer computes on the same counts."""
    from sklearn.feature_extraction.text import TfidfTransformer

    docs = [linear.Doc("广阳区供暖不热供暖", ["广阳区", "供暖", "不热", "供暖"]), linear.Doc("火灾", ["火灾"])]
    idf = linear.fit_idf(docs, "w", 10)
    ours = linear.hashed_features(docs, "w", 10, idf).to_scipy().toarray()
    rows, cols, counts = linear.raw_counts(docs, "w", 10)
    from scipy import sparse

    raw = sparse.csr_matrix((counts, (rows, cols)), shape=(2, 2**10))
    theirs = TfidfTransformer(sublinear_tf=True).fit_transform(raw).toarray()
    assert np.allclose(ours, theirs, atol=1e-6)


def test_category_floors_on_the_dev_splits(models):
    from sklearn.metrics import f1_score

    docs, labels = corpora.fj2()
    _, dev, _, truth = corpora.split(docs, labels)
    pred = [r.label for r in models.categorizer.classify(dev)]
    assert set(pred) <= set(CATEGORIES)
    macro = f1_score(truth, pred, labels=sorted(set(labels)), average="macro")
    assert macro >= 0.91, macro                           # report: 0.916 (0.924 before the short-post rules)
    cdocs, clabels, _ = corpora.cec()
    _, cdev, _, ctruth = corpora.split(cdocs, clabels)
    cpred = [r.label for r in models.categorizer.classify(cdev)]
    assert np.mean(np.array(cpred) == np.array(ctruth)) >= 0.97   # report: 1.000


def test_sentiment_floors_on_the_dev_splits(models):
    docs, labels = corpora.weibo2018()
    _, dev, _, truth = corpora.split(docs, labels)
    res = models.sentiment.predict(dev)
    assert np.mean(np.array([r.polarity for r in res]) == np.array(truth)) >= 0.82   # report: 0.829
    hd, hl = corpora.chnsenticorp()
    res = models.sentiment.predict(hd[::4])
    assert np.mean(np.array([r.polarity for r in res]) == np.array(hl[::4])) >= 0.70  # report: 0.725 (all)
    gd, gl = corpora.fj4_weak()
    _, gdev, _, gtruth = corpora.split(gd, gl)
    res = models.sentiment.predict(gdev)
    assert np.mean(np.array([r.label for r in res]) == np.array(gtruth)) >= 0.92    # report: 0.933
    # issue 14: reviews of the five shopping domains not trained on, and three-class SMP2020
    _, _, od, ol = corpora.shopping()
    res = models.sentiment.predict(od[::5])
    assert np.mean(np.array([r.polarity for r in res]) == np.array(ol[::5])) >= 0.85  # report: 0.857 (all)
    sd, sl = corpora.smp2020()[:2]
    _, sdev, _, struth = corpora.split(sd, sl)
    pred = [r.label for r in models.sentiment.predict(sdev)]
    from sklearn.metrics import f1_score
    assert f1_score(struth, pred, average="macro") >= 0.74                          # report: 0.755 (target 0.80)
    neutral = [p for p, t in zip(pred, struth) if t == "neutral"]
    assert np.mean(np.array(neutral) == "neutral") >= 0.55                          # report: 0.575 (target 0.75)


@pytest.mark.parametrize("text, tone", [(t, y) for t, y in EVERYDAY if t != "烧烤店油烟扰民"] + [
    pytest.param("烧烤店油烟扰民", "negative", marks=pytest.mark.xfail(
        strict=True, reason="called neutral: seven characters with no word of feeling (bench/RESULTS.md)"))])
def test_everyday_local_posts_have_the_right_tone(models, text, tone):
    assert models.sentiment.predict([corpora.doc(text)])[0].label == tone


def test_rules_explain_the_classes_without_training_data(models):
    assert rule_category("小区昨晚起火", "小区昨晚起火，消防赶到")[0] == "安全生产"
    assert rule_category("地震", "凌晨地震，震感明显")[0] == "自然灾害"
    assert rule_category("办事大厅排队", "政务大厅办事效率太低")[0] == "政务服务"
    assert rule_category("", "今天天气不错") is None
    docs = [corpora.doc("广阳区一小区发生火灾，消防救出三人", None)]
    result = models.categorizer.classify(docs)[0]
    assert result.label == "安全生产" and "火灾" in result.why


def test_scores_are_probabilities(models):
    docs = [corpora.doc(t) for t in ("暖气不热，物业不管", "今天的电影太好看了", "", "😀😀😀")]
    for r in models.sentiment.predict(docs):
        assert r.label in ("negative", "neutral", "positive") and 0 < r.score <= 1
    for r in models.categorizer.classify(docs):
        assert r.label in CATEGORIES and 0 <= r.score <= 1 and r.why


def test_category_on_short_posts_labelled_by_reading():
    """Floors under today's figures on bench/category/dev.jsonl and on the fresh set labelled after
    the short-post rules were written (issue 14 part 4; bench/RESULTS.md)."""
    sys.path.insert(0, str(ROOT / "bench"))
    import category_dev

    result = category_dev.evaluate()
    assert result["accuracy"] >= 0.85 and result["public_affairs"]["accuracy"] >= 0.80, result   # 0.885 / 0.828
    assert result["other_given_a_class"] <= 0.06, result
    fresh = category_dev.evaluate(part="fresh")
    assert fresh["accuracy"] >= 0.72 and fresh["public_affairs"]["accuracy"] >= 0.62, fresh       # 0.758 / 0.653


@pytest.mark.parametrize("text, category", [
    ("电梯故障，老人被困", "城乡建设"), ("感谢社区工作人员抢修暖气", "城乡建设"), ("烧烤店油烟扰民", "环境保护"),
    ("#武汉加油# 一起打赢这场防疫战", "卫生计生"), ("建议808路公交车按原线路行车", "交通运输"),
    ("目前在大理住的最喜欢的民宿", "其他"),            # the model's 安全生产 guess on a post with no cue
])
def test_the_issues_short_posts_get_their_category(models, text, category):
    assert models.categorizer.classify([corpora.doc(text)])[0].label == category


def test_a_message_with_a_subject_and_a_body_is_read_by_the_model(models):
    doc = corpora.doc("小区电梯故障频发\n小区电梯故障频发，物业不管", "小区电梯故障频发")
    assert "短文规则" not in models.categorizer.classify([doc])[0].why
