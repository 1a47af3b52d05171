"""Writes a PO catalog from a plain `key = text` list; keeps catalogs easy to author.

python scripts/po_write.py locales/zh_CN/core.po < pairs.txt
"""

import sys

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po


def main(path: str) -> None:
    lang = path.split("/")[-2]
    catalog = Catalog(locale=lang.split("_")[0], project="board", charset="utf-8")
    for line in sys.stdin.read().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, _, text = line.partition(" = ")
        catalog.add(key.strip(), text.strip().replace("\\n", "\n"))
    with open(path, "wb") as fh:
        write_po(fh, catalog, width=0, omit_header=True, sort_output=True)


if __name__ == "__main__":
    main(sys.argv[1])
