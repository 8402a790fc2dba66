"""Analysis CPU per post against bare `rjieba.cut` of the same texts, in one process (issue 20).

`Analyzer.analyze` of weibo2018 train posts in batches of 256 under a 广阳区 scheme (the
near-duplicate links included), CPU time (`process_time`), then `rjieba.cut` of the same texts;
each run prints both and their ratio, the median of the runs last. The ratio moves less than
either figure on a shared machine; compare versions by running them interleaved.

    python bench/analysis_ratio.py [POSTS] [RUNS]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
DATA = Path(os.environ.get("YUQING_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


def main() -> None:
    import rjieba

    from yuqing.analysis.analyze import Analyzer, Subject
    from yuqing.scheme import Scheme

    posts = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    lines = (DATA / "weibo2018_sentiment/train.txt").read_text(encoding="utf-8").splitlines()[1:posts + 1]
    texts = [line.split(",", 2)[2] for line in lines]
    subjects = [Subject(str(i), None, t, "weibo") for i, t in enumerate(texts)]
    analyzer = Analyzer(Scheme(name="bench", region="131003"))
    analyzer.analyze(subjects[:64])                 # first-call costs out of the timing
    ratios = []
    for _ in range(runs):
        analyzer.dups = type(analyzer.dups)()
        t = time.process_time()
        for i in range(64, len(subjects), 256):
            analyzer.analyze(subjects[i:i + 256])
        spent = time.process_time() - t
        t = time.process_time()
        for x in texts[64:]:
            rjieba.cut(x)
        cut = time.process_time() - t
        n = len(subjects) - 64
        ratios.append(spent / cut)
        print(f"analysis {spent / n * 1e6:.0f} µs/post, rjieba.cut {cut / n * 1e6:.1f} µs, ratio {spent / cut:.1f}",
              flush=True)
    print(f"median ratio {statistics.median(ratios):.1f}")


if __name__ == "__main__":
    main()
