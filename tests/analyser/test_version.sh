#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_version.sh: `rfnoise version` names each library at the version pkg-config reports for it,
# the data directory it uses (beside the executable, or $RFNOISE_DATA_DIR) and gnuplot or its
# absence; --format json says the same.
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
fail=0
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
bad() { echo "FAIL: $*"; fail=1; }

"$rf" version >"$t/text" || bad "rfnoise version failed"
"$rf" version --format json >"$t/json" || bad "rfnoise version --format json failed"
[ "$(head -1 "$t/text")" = "rfnoise $(sed -n 's/^project(rfnoise VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)" ] ||
    bad "first line is not 'rfnoise <project version>': $(head -1 "$t/text")"
grep -qE '^git describe: [0-9a-f]{7,}|^git describe: v?[0-9]' "$t/text" || bad "no git describe line"
# name in the text, pkg-config module, JSON key
while read -r name module key; do
    want=$(pkg-config --modversion "$module") || { bad "pkg-config knows no $module"; continue; }
    want=${want%.*}   # nettle reports major.minor only; the rest compare on that too
    line=$(grep "^$name: " "$t/text") || { bad "no '$name:' line"; continue; }
    grep -qF -- "$want" <<<"$line" || bad "$line: expected version $want (pkg-config $module)"
    python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["libraries"][sys.argv[2]]
sys.exit(0 if sys.argv[3] in v else 1)' "$t/json" "$key" "$want" || bad "JSON libraries.$key lacks $want"
done <<'LIBS'
FFTW fftw3f fftw
libsndfile sndfile libsndfile
GSL gsl gsl
SQLite sqlite3 sqlite
jansson jansson jansson
nettle nettle nettle
LIBS
grep -qx "libcsv: $(sed -n 's/^#define CSV_MAJOR //p' /usr/include/csv.h).*" "$t/text" || bad "libcsv line"

# The build tree's data directory is build/share/rfnoise, a link to the source data/.
dir=$(sed -n 's/^data directory: \(.*\) (beside the executable)$/\1/p' "$t/text")
[ "$dir" = "$(dirname "$(dirname "$(readlink -f "$rf")")")/share/rfnoise" ] ||
    bad "data directory '$dir' is not ../share/rfnoise from the binary"
[ "$(readlink -f "$dir")" = "$(pwd -P)/data" ] || bad "build-tree data directory is not data/"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["data_dir"]
sys.exit(0 if d["path"] == sys.argv[2] and d["present"] is True else 1)' "$t/json" "$dir" ||
    bad "JSON data_dir differs from the text"
RFNOISE_DATA_DIR="$t/nowhere" "$rf" version | grep -qx "data directory: $t/nowhere (RFNOISE_DATA_DIR; missing)" ||
    bad "RFNOISE_DATA_DIR is not the data directory"

# gnuplot: its version when on PATH, "not found" otherwise.
if command -v gnuplot >/dev/null; then
    grep -qx "gnuplot: $(gnuplot --version)" "$t/text" || bad "gnuplot line: $(grep ^gnuplot "$t/text")"
fi
RFN_GNUPLOT="$t/no-gnuplot" "$rf" version | grep -qx 'gnuplot: not found' || bad "missing gnuplot"
RFN_GNUPLOT="$t/no-gnuplot" "$rf" version --format json |
    python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["gnuplot"] is None else 1)' ||
    bad "missing gnuplot is not null in JSON"

"$rf" version --format xml 2>/dev/null; [ $? -eq 2 ] || bad "--format xml must exit 2"
"$rf" version extra 2>/dev/null; [ $? -eq 2 ] || bad "an operand must exit 2"
[ $fail -eq 0 ] && echo "version ok"
exit $fail
