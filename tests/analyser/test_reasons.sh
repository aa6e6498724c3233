#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_reasons.sh: the reasons for non-compliant installs end to end on the sample batch's 2023
# extract (`rfnoise synth --batch`: register-2023.csv, register.csv plus a year of planted
# installs): validate -> workspace -> report; reasons.csv equals the generator's
# expected-reasons.csv byte for byte, the report names each Supplier's leading reason over the
# last 3 complete months as expected-reasons-summary.csv says, and states that the planted
# Supplier's share of installed-after-cut-off is rising, with the growth and interval that an
# independent fit (Python, Newton's method) gives.
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
# The planted rising share, fitted again here independently of trend.c (no GSL, no IRLS): the
# quasi-Poisson log-linear model of README "Reasons" by Newton's method on the log-likelihood,
# from reasons.csv (itself checked byte for byte above): the reason's primary count per month
# with the month's non-compliant installs as exposure; the report's growth and 95 % interval
# must agree to the 0.1 % it prints.
/usr/bin/python3 - rep/reasons.csv $H <<'PY' || fail=1
import csv, math, re, sys
sup, reason = "Acorn Energy", "installed-after-cut-off"
y, e = {}, {}
for r in csv.DictReader(open(sys.argv[1], newline="")):
    if r["Supplier"] != sup:
        continue
    yy, mm = map(int, r["month"].split("-"))
    t = yy * 12 + mm - 1
    e[t] = e.get(t, 0) + int(r["primary"])
    if r["reason"] == reason:
        y[t] = y.get(t, 0) + int(r["primary"])
ts = sorted(e)
t0 = ts[0]
a, b = math.log(sum(y.values()) / sum(e.values())), 0.0
for _ in range(200):
    g0 = g1 = h00 = h01 = h11 = 0.0
    for t in ts:
        x = t - t0
        mu = e[t] * math.exp(a + b * x)
        g0 += y.get(t, 0) - mu
        g1 += (y.get(t, 0) - mu) * x
        h00 += mu
        h01 += mu * x
        h11 += mu * x * x
    det = h00 * h11 - h01 * h01
    da, db = (h11 * g0 - h01 * g1) / det, (h00 * g1 - h01 * g0) / det
    a, b = a + da, b + db
    if abs(db) < 1e-13:
        break
pearson = sum((y.get(t, 0) - e[t] * math.exp(a + b * (t - t0))) ** 2 /
              (e[t] * math.exp(a + b * (t - t0))) for t in ts)
phi = max(1.0, pearson / (len(ts) - 2))
se = math.sqrt(h00 / det * phi)
want = [100 * math.expm1(b), 100 * math.expm1(b - 1.959964 * se), 100 * math.expm1(b + 1.959964 * se)]
page = open(sys.argv[2]).read()
m = re.search(r"Rising shares by Supplier: .*?%s: %s rising \(([-+][0-9.]+) %% per month, 95 %% CI "
              r"([-+][0-9.]+) %% to ([-+][0-9.]+) %%\)" % (sup, reason), page)
got = [float(g) for g in m.groups()] if m else None
if not got or any(abs(g - w) > 0.051 for g, w in zip(got, want)) or not want[1] > 0:
    print("FAIL: %s %s share: report %s, independent fit %s" % (sup, reason, got,
          ["%+.2f" % w for w in want]))
    sys.exit(1)
print("ok: %s %s rising: %+.1f %% a month (%+.1f to %+.1f), fitted again independently" %
      (sup, reason, *want))
PY
# Without --cut-off the report takes the cut-off the result set recorded (summary.json
# derogation_list.cut_off: the sample derogations' latest InstallBy, DRG-SAMPLE-002's) and says so.
grep -q '"cut_off": "2022-12-31"' v/summary.json || bad "summary.json derogation_list.cut_off"
grep -q 'The cut-off is the latest InstallBy of the derogation list of result set 1' $H &&
    grep -q 'After the cut-off of 2022-12-31, the share of installs' $H || bad "the default cut-off"
"$rf" report --as-of 2024-01-20 --out rep3 --cut-off 2024-06-30 --no-plots >/dev/null || bad "report --cut-off after the window"
grep -q "After the cut-off of 2024-06-30: no install month to follow yet; the trend's window ends 2023-12" rep3/report.html ||
    bad "a cut-off after the window: $(grep -o 'After the cut-off[^<]*' rep3/report.html)"
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
