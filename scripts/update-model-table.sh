#!/usr/bin/env bash
# Regenerates the README's model table from the registry (./stmzoo list --format markdown), between the
# <!-- models:begin --> and <!-- models:end --> markers. The table is never edited by hand.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
table="$("$root/stmzoo" list --format markdown)"
python3 - "$root/README.md" "$table" <<'PY'
import re, sys
path, table = sys.argv[1], sys.argv[2]
text = open(path).read()
new = re.sub(r"(<!-- models:begin -->\n).*?(<!-- models:end -->)", lambda m: m.group(1) + table + "\n" + m.group(2),
             text, flags=re.S)
open(path, "w").write(new)
PY
echo "README model table updated"
