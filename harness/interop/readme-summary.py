#!/usr/bin/env python3
"""Copy reports/interop/matrix.md into README.md between the
<!-- interop-summary --> markers (after a full `make interop`)."""
import re
import sys

readme = sys.argv[1] if len(sys.argv) > 1 else "README.md"
md = sys.argv[2] if len(sys.argv) > 2 else "reports/interop/matrix.md"
s = open(readme, encoding="utf-8").read()
table = open(md, encoding="ascii").read().strip()
new, n = re.subn(r"(<!-- interop-summary -->\n).*?(<!-- /interop-summary -->)",
                 lambda m: m.group(1) + table + "\n" + m.group(2), s, flags=re.S)
if n != 1:
    sys.exit("readme-summary: markers not found in " + readme)
open(readme, "w", encoding="utf-8").write(new)
