#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ from real inputs: the test pages and pyvideo records, and the bench
# query mix (as queries, and as the query strings the HTTP API receives). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p fuzz/corpus/page fuzz/corpus/query fuzz/corpus/query_string
cp tests/data/pages/*.md tests/data/pyvideo/*/videos/*.json fuzz/corpus/page/
python3 - <<'PY'
import urllib.parse, pathlib
lines = [l for l in pathlib.Path("benches/queries/default.txt").read_text().splitlines()
         if l.strip() and not l.lstrip().startswith("#")]
for i, line in enumerate(lines):
    if line.startswith("["):
        line = line.split("]", 1)[1].lstrip(" ")
    q, _, params = line.partition("\t")
    q, params = q.strip(), params.strip()
    if q:
        pathlib.Path(f"fuzz/corpus/query/seed-{i:03}").write_text(q)
    parts = ([f"q={urllib.parse.quote(q, safe='-_.~')}"] if q else []) + ([params] if params else [])
    pathlib.Path(f"fuzz/corpus/query_string/seed-{i:03}").write_text("&".join(parts))
extra = ["q=istio&limit=5&offset=10", "company=%E8%85%BE%E8%AE%AF&limit=20", "q=service+mesh&year=2019..2022",
         "text=Service%20Mesh%20%E6%80%A7%E8%83%BD", "q=%", "q=%FF", "q=x&q=y", "year=2022&lang=zh&event=x"]
for i, s in enumerate(extra):
    pathlib.Path(f"fuzz/corpus/query_string/extra-{i:02}").write_text(s)
PY
for t in page query query_string; do echo "$t: $(ls fuzz/corpus/$t | wc -l) seeds"; done
