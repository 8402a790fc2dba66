"""The fonts reports are drawn with: Noto Sans/Serif CJK SC (SIL Open Font License) from the
mplfonts wheel, installed from PyPI with the package. Its SimHei is not free to redistribute
and is never used."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

SANS = "NotoSansCJKsc-Regular.otf"
SERIF = "NotoSerifCJKsc-Regular.otf"


def font_path(name: str) -> Path:
    import mplfonts

    path = Path(mplfonts.__file__).parent / "fonts" / name
    if not path.exists():
        raise FileNotFoundError(f"{path}: the mplfonts package should carry it (pip install mplfonts)")
    return path


@lru_cache(maxsize=1)
def matplotlib_family() -> str:
    """Register Noto Sans CJK with matplotlib once; return its family name."""
    from matplotlib import font_manager

    path = font_path(SANS)
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()
