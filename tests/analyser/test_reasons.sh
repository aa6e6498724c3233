#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_reasons.sh: the reasons for non-compliant installs end to end on the sample batch's 2023
# extract (`rfnoise synth --batch`: register-2023.csv, register.csv plus a year of planted
# installs): validate -> workspace -> report; reasons.csv equals the generator's
# expected-reasons.csv byte for byte, the report names each Supplier's leading reason over the
# last 3 complete months as expected-reasons-summary.csv says, and states that the planted
# Supplier's share of installed-after-cut-off is rising.
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
fail=0
t=$(mktemp -d /tmp/rfn_reasons.XXXXXX)
trap 'rm -rf "$t"' EXIT
cd "$t" || exit 1
bad() { echo "FAIL: $*"; fail=1; }

"$rf" synth --batch batch --seed 20221 >/dev/null || { echo "FAIL: synth --batch"; exit 1; }
"$rf" validate --register batch/register-2023.csv --derogations batch/derogations.csv \
    --manifest batch/manifest.csv --lab-results batch/lab --cal-db -40 --quiet --jobs 2 \
    --out v 2>/dev/null
[ $? = 1 ] || bad "validate exit status"
export RFNOISE_WORKSPACE=$t/ws
"$rf" workspace init ws >/dev/null || bad "init"
"$rf" workspace import-register batch/register-2023.csv --as-of 2024-01-15 >/dev/null ||
    bad "import-register"
"$rf" workspace add-results v >/dev/null || bad "add-results"
"$rf" report --as-of 2024-01-20 --out rep --no-plots >out || bad "report: $(cat out)"
cmp -s batch/expected-reasons.csv rep/reasons.csv ||
    bad "reasons.csv differs from expected-reasons.csv: $(diff batch/expected-reasons.csv rep/reasons.csv | head -5)"
H=rep/report.html
grep -q '<h2 id="reasons">Reasons for non-compliant installs</h2>' $H || bad "no reasons section"
grep -q 'over the last 3 complete months (2023-10 to 2023-12): ' $H || bad "leading-reason window"
while IFS=, read -r sup reason k n planted; do
    [ "$sup" = Supplier ] && continue
    s=${sup//&/&amp;}
    grep -qF "$s: $reason ($k of $n)" $H || bad "leading reason of $sup: want '$reason ($k of $n)'"
    if [ -n "$planted" ]; then
        grep -qE "Rising shares by Supplier: .*${s}: ${planted} rising \(\+" $H ||
            bad "$sup: the planted rising share of $planted is not stated"
    fi
done <batch/expected-reasons-summary.csv
# the chart and both tables
grep -q '<figure><svg width=' $H || bad "no reasons chart"
grep -q '<th>Supplier (primary reason; share trend)</th>' $H || bad "no by-Supplier table"

# After the derogation cut-off (report --cut-off, issue 15): each Supplier's installs and
# non-compliant installs from the first whole month after it to the trend's last month
# (2022-04 .. 2023-12), counted here from devices.csv (every verdict is an install), and the
# share rising, as planted.
"$rf" report --as-of 2024-01-20 --out rep2 --cut-off 2022-03-31 >out || bad "report --cut-off"
/usr/bin/python3 - v/devices.csv rep2/report.html <<'PY' || fail=1
import csv, html, re, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], newline=""))
        if "2022-04-01" <= r["InstallDate"] <= "2023-12-31"]
for r in rows:  # devices.csv neutralises a leading = + - @ with "'" (README "CSV, in and out")
    if r["Supplier"][:1] == "'" and r["Supplier"][1:2] in "=+-@":
        r["Supplier"] = r["Supplier"][1:]
page = open(sys.argv[2]).read()
sec = page[page.index('id="after-cutoff"'):]
sec = sec[:sec.index("</table>")]
bad = []
for sup in sorted({r["Supplier"] for r in rows}):
    n = sum(r["Supplier"] == sup for r in rows)
    nc = sum(r["Supplier"] == sup and r["verdict"] == "non-compliant" for r in rows)
    want = "<tr><td>%s</td><td class=\"n\">%d</td><td class=\"n\">%d</td>" % (
        html.escape(sup, quote=True), n, nc)
    if want not in sec and n:
        bad.append("%s: want %d installs, %d non-compliant" % (sup, n, nc))
if "After the cut-off of 2022-03-31, the share of installs that are non-compliant meters" \
        not in sec or not re.search(r"Acorn Energy</td>.*?<td>rising</td>", sec):
    bad.append("no statement, or Acorn Energy's share after the cut-off is not rising")
print("\n".join("FAIL: after the cut-off: " + b for b in bad))
sys.exit(1 if bad else 0)
PY
if command -v gnuplot >/dev/null; then
    grep -q "derogation cut-off 2022-03-31" rep2/trend.svg || bad "trend.svg lacks the cut-off"
fi
exit $fail
