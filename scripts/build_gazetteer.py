"""Build src/yuqing/data/gazetteer/: every PRC division down to village/community level with its
code, level, parent and aliases, from ../shared/data/admin_divisions_cn (MIT; NBS 2023 codes).

places.tsv.gz holds levels 1–4 (45k rows, loaded always); villages-PP.tsv.gz holds one
province's villages and communities (loaded only for the regions a scheme watches).
Reproducible: the same input gives the same bytes (sorted rows, fixed gzip mtime).
Run: python scripts/build_gazetteer.py [DATA_DIR]
Columns: code, level (1 province … 5 village/community), name, parent code, aliases ("|"-joined).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from reproducible import gzip_bytes  # noqa: E402
OUT = ROOT / "src/yuqing/data/gazetteer"
FORMER = ROOT / "scripts/former_names.tsv"   # code <TAB> former name (renamed or merged units)

# The 55 minority names, longest first, as they appear in 自治区/州/县/旗/民族乡 names: a generic
# "…族" pattern would read 黔东南苗族侗族自治州 as 黔东 + 南苗族 + 侗族.
_GROUPS = sorted("""蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水
    东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯
    鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺""".split(), key=len, reverse=True)
_ETHNIC = "(?:(?:" + "|".join(_GROUPS) + ")族?)*"   # 新疆维吾尔自治区 has no 族
_PROVINCE = re.compile(r"^(.{2,}?)(?:省|市|特别行政区|" + _ETHNIC + r"自治区)$")
_CITY = re.compile(r"^(.{2,}?)(?:市|地区|盟|" + _ETHNIC + r"自治州)$")
_COUNTY = re.compile(r"^(.{2,}?)(?:区|县|市|旗|特区|林区|" + _ETHNIC + r"自治(?:县|旗))$")
_TOWN = re.compile(r"^(.{2,}?)(?:街道办事处|街道|地区|镇|乡|民族乡|苏木|" + _ETHNIC + r"(?:民族)?乡)$")
_VILLAGE_COMMITTEE = re.compile(r"^(.+?)(?:村民委员会|村委会)$")
_RESIDENTS_COMMITTEE = re.compile(r"^(.+?)(?:居民委员会|居委会)$")


def aliases_for(name: str, level: int) -> list[str]:
    """Return the short forms a place is also written as (never shorter than two characters)."""
    out: list[str] = []
    pattern = {1: _PROVINCE, 2: _CITY, 3: _COUNTY, 4: _TOWN}.get(level)
    if pattern is not None:
        m = pattern.match(name)
        if m and len(m.group(1)) >= 2:
            out.append(m.group(1))
    elif level == 5:
        m = _VILLAGE_COMMITTEE.match(name)
        if m:
            base = m.group(1)
            out.append(base if base.endswith("村") else base + "村")
        m = _RESIDENTS_COMMITTEE.match(name)
        if m:
            base = m.group(1)
            out.append(base if base.endswith("社区") else base + "社区")
    return [a for a in dict.fromkeys(out) if a != name and len(a) >= 2]


def strip_ancestors(name: str, ancestors: list[str]) -> str | None:
    """Return the name without leading ancestor names (河北廊坊广阳经济开发区 → 广阳经济开发区)."""
    rest = name
    for anc in ancestors:
        if rest.startswith(anc):
            rest = rest[len(anc):]
    return rest if rest != name and len(rest) >= 4 else None


def read_rows(data: Path) -> list[tuple[str, int, str, str]]:
    rows: list[tuple[str, int, str, str]] = []
    for fname, level, parent in (("provinces.csv", 1, None), ("cities.csv", 2, "provinceCode"),
                                 ("areas.csv", 3, "cityCode"), ("streets.csv", 4, "areaCode"),
                                 ("villages.csv.gz", 5, "streetCode")):
        path = data / fname
        opener = gzip.open if fname.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                rows.append((r["code"], level, r["name"], r[parent] if parent else ""))
    return rows


def build(data: Path) -> dict[str, bytes]:
    """Return {file name: gzip bytes} for the gazetteer folder."""
    rows = read_rows(data)
    codes = {code for code, *_ in rows}
    former: dict[str, list[str]] = {}
    if FORMER.exists():
        for line in FORMER.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                code, old = line.split("\t")[:2]
                if code not in codes:
                    raise SystemExit(f"{FORMER}: unknown code {code}")
                former.setdefault(code, []).append(old.strip())
    tables: dict[str, list[list[str]]] = {}
    names = {code: (name, parent) for code, _level, name, parent in rows}
    # only province and city names are stripped: 广阳 in 河北廊坊广阳经济开发区 is what names it
    short = {code: [name, *aliases_for(name, level)] for code, level, name, _p in rows if level <= 2}
    for code, level, name, parent in sorted(rows):
        # 市辖区/县 are placeholders for the municipalities' county level: no name of their own
        aliases = [] if name in ("市辖区", "县") else aliases_for(name, level)
        ancestors, up = [], parent
        while up:
            ancestors += sorted(short.get(up, []), key=len, reverse=True)
            up = names.get(up, ("", ""))[1]
        stripped = strip_ancestors(name, ancestors[::-1]) if level >= 3 else None
        if stripped:
            aliases += [stripped, *aliases_for(stripped, level)]
        for old in former.get(code, []):
            aliases += [old, *aliases_for(old, level)]
        table = "places.tsv.gz" if level <= 4 else f"villages-{code[:2]}.tsv.gz"
        tables.setdefault(table, []).append(
            [code, str(level), name, parent, "|".join(dict.fromkeys(a for a in aliases if a != name))])
    return {fname: _gzip_tsv(body) for fname, body in sorted(tables.items())}


def _gzip_tsv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter="\t", lineterminator="\n")
    w.writerow(["code", "level", "name", "parent", "aliases"])
    w.writerows(rows)
    return gzip_bytes(buf.getvalue().encode("utf-8"))


def main() -> None:
    data = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared/data/admin_divisions_cn")
    files = build(data)
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.tsv.gz"):
        old.unlink()
    for fname, blob in files.items():
        (OUT / fname).write_bytes(blob)
    print(f"{OUT}: {len(files)} files, {sum(map(len, files.values())) / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
