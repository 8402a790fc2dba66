"""Build src/yuqing/data/divisions.csv.gz (province, city and county codes and names) from
../shared/data/admin_divisions_cn (MIT; public NBS codes). Only codes and names are shipped."""

import csv
import gzip
import sys
from pathlib import Path

src = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/admin_divisions_cn")
out = Path(__file__).resolve().parents[1] / "src/yuqing/data/divisions.csv.gz"
rows = []
for name, parent in (("provinces.csv", None), ("cities.csv", "provinceCode"), ("areas.csv", "cityCode")):
    with open(src / name, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rows.append((r["code"], r["name"], r[parent] if parent else ""))
with gzip.open(out, "wt", encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    w.writerow(["code", "name", "parent"])
    w.writerows(rows)
print(f"{len(rows)} divisions -> {out}")
