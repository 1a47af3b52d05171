"""Lists message keys used in the code that a catalog lacks (a helper while writing)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.i18n import catalog
from tests.test_i18n import KEY_RE, _code_files

lang = sys.argv[1] if len(sys.argv) > 1 else "zh_CN"
used = sorted({k for p in _code_files() for k in KEY_RE.findall(p.read_text(encoding="utf-8"))})
print("\n".join(k for k in used if k not in catalog(lang)))
