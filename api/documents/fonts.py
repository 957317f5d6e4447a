"""The CJK font embedded in every official document.

``GONGJIAN_CJK_FONT`` names a font file (TrueType, OpenType or a collection); unset,
the server looks for Debian's fonts-noto-cjk (Noto Serif CJK, a 宋体-style face as
GB/T 9704 asks for) and then for Debian's other CJK packages. A collection (.ttc)
contributes its Simplified Chinese face. Without any, a document is refused with
``cjk-font-unavailable`` rather than drawn with missing glyphs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTCollection

from domain.errors import CjkFontUnavailable

SETTING = "GONGJIAN_CJK_FONT"
PACKAGE = "fonts-noto-cjk"
# Debian's files, best first: a serif (宋体-like) face, then sans, then other packages.
CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


@dataclass(frozen=True)
class CjkFont:
    """A font file and, in a collection, the index of its Simplified Chinese face."""

    path: str
    face: int


def locate() -> CjkFont:
    """The configured CJK font, or the first of Debian's installed; CjkFontUnavailable
    (503) naming what to install when there is none."""
    configured = os.environ.get(SETTING, "").strip()
    if configured:
        if not Path(configured).is_file():
            raise CjkFontUnavailable(
                f"{SETTING} names {configured}, which is not a file: point it at a CJK font "
                f"(e.g. Debian's {PACKAGE}) to lay out official documents"
            )
        return _font(configured)
    for candidate in CANDIDATES:
        if Path(candidate).is_file():
            return _font(candidate)
    raise CjkFontUnavailable(
        f"no CJK font is installed: install Debian's {PACKAGE} "
        f"(apt-get install fonts-noto-cjk) or set {SETTING} to a CJK font file"
    )


@lru_cache(maxsize=8)
def _font(path: str) -> CjkFont:
    if not path.lower().endswith((".ttc", ".otc")):
        return CjkFont(path, 0)
    collection = TTCollection(path, lazy=True)
    try:
        names = [str(face["name"].getDebugName(4) or "") for face in collection.fonts]
    finally:
        collection.close()
    simplified = [i for i, n in enumerate(names) if n.endswith(" SC") or "SC " in n]
    return CjkFont(path, simplified[0] if simplified else 0)
