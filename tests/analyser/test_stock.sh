#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_stock.sh: `rfnoise stock` end to end on the sample batch (`rfnoise synth --batch`): every
# declaration line's status, derogation, window installs, rate, projection, surplus, required
# rate and wrong-place installs equal the generator's own arithmetic (expected-stock.csv), the
# wrong-place table equals expected-wrong-place.csv byte for byte, the bad row is reported at its
# line, --format json carries the same figures, --as-of overrides each line's date, and bad
# input is one clear line with exit 2.
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
py=/usr/bin/python3
fail=0
t=$(mktemp -d /tmp/rfn_stock.XXXXXX)
trap 'rm -rf "$t"' EXIT
cd "$t" || exit 1

"$rf" synth --batch batch --seed 20221 >/dev/null || { echo "FAIL: synth --batch"; exit 1; }
common=(--register batch/register.csv --derogations batch/derogations.csv)

# ---- the sample: figures equal the generator's ------------------------------------------------
"$rf" stock "${common[@]}" --stock batch/stock-declared.csv --out out >text.txt 2>err.txt
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: stock exited $rc: $(cat err.txt)"; fail=1; }
grep -qx "rfnoise: stock: batch/stock-declared.csv:9: quantity 'twelve': expected a whole number of units 0..10000000" err.txt ||
    { echo "FAIL: the bad row is not reported at its line: $(cat err.txt)"; fail=1; }
grep -q '^batch/stock-declared.csv,9,quantity,bad-format,' out/stock-errors.csv ||
    { echo "FAIL: stock-errors.csv: $(cat out/stock-errors.csv)"; fail=1; }
grep -qx 'lines=7 rejected=1 wrong_place_installs=380' text.txt ||
    { echo "FAIL: summary line: $(tail -n 1 text.txt)"; fail=1; }
$py - batch/expected-stock.csv out/stock.csv <<'EOF' || fail=1
import csv, math, sys
exp = list(csv.DictReader(open(sys.argv[1], newline="")))
got = {r["line"]: r for r in csv.DictReader(open(sys.argv[2], newline=""))}
# stock.csv rounds: rates to 3 digits, installs and surplus to 1.
prec = {"rate_per_month": 3, "rate_ci95_lo": 3, "rate_ci95_hi": 3, "projected_installs": 1,
        "projected_ci95_lo": 1, "projected_ci95_hi": 1, "surplus": 1, "surplus_ci95_lo": 1,
        "surplus_ci95_hi": 1, "required_per_month": 1}
bad = 0
if len(exp) != len(got) or len(exp) != 7:
    print("FAIL: lines", len(exp), len(got)); bad = 1
for e in exp:
    g = got.get(e["line"])
    if g is None:
        print("FAIL: line", e["line"], "missing"); bad = 1; continue
    for k in ("Supplier", "status", "derogation", "window_installs", "wrong_place_installs"):
        if e[k] != g[k]:
            print("FAIL: line", e["line"], k, "expected", e[k], "got", g[k]); bad = 1
    for k, p in prec.items():
        if (e[k] == "") != (g[k] == ""):
            print("FAIL: line", e["line"], k, "expected", repr(e[k]), "got", repr(g[k])); bad = 1
        elif e[k] and abs(float(e[k]) - float(g[k])) > 0.5 * 10 ** -p + 1e-9:
            print("FAIL: line", e["line"], k, "expected", e[k], "got", g[k]); bad = 1
statuses = {r["status"] for r in exp}
want = {"surplus", "used-before-cut-off", "uncertain", "not-installable", "cut-off-passed"}
if statuses != want:
    print("FAIL: the sample does not plant every status:", statuses); bad = 1
why = {got[r]["why"] for r in got}
for w in ("derogation DRG-SAMPLE-001 covers Acme Meters AM-100 but not firmware 1.5.0",
          "no derogation covers EDMI ES-10A"):
    if w not in why:
        print("FAIL: no line says", w); bad = 1
sys.exit(bad)
EOF
cmp -s batch/expected-wrong-place.csv out/wrong-place.csv ||
    { echo "FAIL: wrong-place.csv differs from expected-wrong-place.csv"; fail=1; }
# The report section: a row per Supplier, names escaped.
grep -q '<td>Coastal Gas &amp; Electric</td>' out/stock.html ||
    { echo "FAIL: stock.html lacks the escaped Supplier row"; fail=1; }
grep -q '<td>Northern Power Supply</td><td class="n">404</td><td class="n">404</td><td class="n">5.8</td><td class="n">398.2</td>' out/stock.html ||
    { echo "FAIL: stock.html Northern Power Supply totals"; grep 'Northern Power Supply</td><td class' out/stock.html | head -1; fail=1; }

# a passed cut-off: nothing can still go in, the whole quantity is surplus
grep -q '<td>Acorn Energy</td><td class="n">30</td><td class="n">0</td><td class="n">0.0</td><td class="n">20.0</td>' out/stock.html ||
    { echo "FAIL: stock.html Acorn Energy totals"; fail=1; }

# ---- --format json: the same figures ---------------------------------------------------------
"$rf" stock "${common[@]}" --stock batch/stock-declared.csv --out json --format json >doc.json \
    2>/dev/null || { echo "FAIL: --format json"; fail=1; }
$py - doc.json out/stock.csv <<'EOF' || fail=1
import csv, json, sys
d = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2], newline="")))
ok = d["rfnoise"] == "stock" and d["format_version"] == 1 and d["rejected_rows"] == 1
ok = ok and [l["status"] for l in d["lines"]] == [r["status"] for r in rows]
ok = ok and all(abs(l["surplus"] - float(r["surplus"])) < 0.051 for l, r in zip(d["lines"], rows)
                if l["surplus"] is not None)
ok = ok and sum(w["installs"] for w in d["wrong_place"]) > 0
sys.exit(0 if ok else print("FAIL: JSON output", d["lines"][:1]) or 1)
EOF

# ---- --as-of: every line judged on that date --------------------------------------------------
"$rf" stock "${common[@]}" --stock batch/stock-declared.csv --as-of 2022-04-01 --out late \
    >/dev/null 2>&1
n=$(grep -c ',cut-off-passed,' late/stock.csv)
[ "$n" = 3 ] || { echo "FAIL: --as-of 2022-04-01: $n AM-100 lines cut-off-passed, want 3"; fail=1; }
grep -q '^Northern Power Supply,Secure Meters,Liberty 100,7.0,South,4,2022-04-01,' late/stock.csv ||
    { echo "FAIL: --as-of does not replace the line's as_of"; fail=1; }

# ---- --workspace: the latest snapshot's register, refused once it changed ----------------------
export RFNOISE_WORKSPACE=$t/ws
cp batch/register.csv reg.csv
"$rf" workspace init ws >/dev/null && "$rf" workspace import-register reg.csv --as-of 2023-01-15 \
    >/dev/null || { echo "FAIL: workspace set-up"; fail=1; }
"$rf" stock --workspace ws --derogations batch/derogations.csv --stock batch/stock-declared.csv \
    --out wsout >/dev/null 2>&1 || { echo "FAIL: stock --workspace"; fail=1; }
cmp -s out/stock.csv wsout/stock.csv || { echo "FAIL: stock --workspace differs from --register"; fail=1; }
echo "changed" >>reg.csv
"$rf" stock --workspace ws --derogations batch/derogations.csv --stock batch/stock-declared.csv \
    --out wsout2 >/dev/null 2>err.txt
rc=$?
[ $rc -eq 2 ] && grep -qx "rfnoise: stock: reg.csv changed since it was imported into ws as snapshot 1" err.txt ||
    { echo "FAIL: a changed snapshot file: rc=$rc $(cat err.txt)"; fail=1; }
"$rf" stock --workspace ws --register batch/register.csv --derogations batch/derogations.csv \
    --stock batch/stock-declared.csv --out both >/dev/null 2>err.txt
[ $? -eq 2 ] || { echo "FAIL: --workspace with --register accepted"; fail=1; }

# ---- workspace import-stock: declarations over time, run-down against the projection ----------
export RFNOISE_WORKSPACE=$t/ws2
"$rf" workspace init ws2 >/dev/null &&
    "$rf" workspace import-register batch/register.csv --as-of 2021-12-31 >/dev/null ||
    { echo "FAIL: workspace 2 set-up"; fail=1; }
"$rf" workspace import-stock batch/stock-declared.csv --as-of 2022-01-10 \
    --derogations batch/derogations.csv >imp.txt 2>err.txt || { echo "FAIL: import-stock"; fail=1; }
grep -qx 'stock_lines=7 rejected=1 snapshot=1' imp.txt || { echo "FAIL: import-stock: $(cat imp.txt)"; fail=1; }
printf 'Supplier,DeviceManufacturer,DeviceModel,DeviceFirmwareVersion,quantity,as_of\nNorthern Power Supply,Acme Meters,AM-100,1.3.0,390,2022-03-01\nBrightwell Energy,Acme Meters,AM-100,1.3.0,3,2022-03-01\nCoastal Gas & Electric,Secure Meters,Liberty 100,7.0,29,2022-03-01\n' >march.csv
for i in 1 2; do # the second import of the same date replaces the first
    "$rf" workspace import-stock march.csv --as-of 2022-03-01 --derogations batch/derogations.csv \
        >imp.txt 2>&1 || { echo "FAIL: import-stock march: $(cat imp.txt)"; fail=1; }
done
"$rf" report --as-of 2022-03-05 --out rep --no-plots >/dev/null || { echo "FAIL: report"; fail=1; }
# 400 AM-100 on 2022-01-10 at 0.67 (0.08 - 2.41) a month: 398.9 (396.0 - 399.9) left by
# 2022-03-01 (1.675 months); 390 declared then is below the interval.
grep -q '<td>Northern Power Supply</td><td>Acme Meters AM-100 1.3.0</td><td>2022-01-10</td><td class="n">400</td>.*398.9 (396.0 &ndash; 399.9) by 2022-03-01</td><td class="n">390</td><td>faster than projected</td>' rep/report.html ||
    { echo "FAIL: report: Northern Power Supply's run-down"; fail=1; }
grep -q '<td class="n">1.8</td><td class="n">398.2 (393.7 &ndash; 399.8)</td><td class="n">58</td>' rep/report.html ||
    { echo "FAIL: report: Northern Power Supply's surplus and wrong-place installs"; fail=1; }
grep -q '<td class="n">29</td><td>as projected</td>' rep/report.html ||
    { echo "FAIL: report: Coastal's run-down"; fail=1; }
grep -q '<td class="n">3</td><td>slower than projected</td>' rep/report.html ||
    { echo "FAIL: report: Brightwell's run-down"; fail=1; }
# Per Supplier over the latest declarations: Northern's 390 AM-100 of March and 4 Liberty 100 of
# January; Meridian's 50 cannot go in (firmware not covered); the wrong-place installs of the
# declared models, each model once (58 AM-100 + 23 Liberty 100).
sec=$(sed -n '/By Supplier, latest declarations/,/Declarations over time/p' rep/report.html)
grep -q '<tr><td>Northern Power Supply</td><td class="n">394</td><td class="n">394</td>.*<td class="n">81</td></tr>' <<<"$sec" ||
    { echo "FAIL: report: Northern Power Supply's totals: $(grep Northern <<<"$sec")"; fail=1; }
grep -q '<tr><td>Meridian Utilities</td><td class="n">50</td><td class="n">0</td>' <<<"$sec" ||
    { echo "FAIL: report: Meridian's stock is not installable"; fail=1; }
grep -q '<th>wrong-place installs of the declared models</th>' <<<"$sec" ||
    { echo "FAIL: report: the per-Supplier table"; fail=1; }
n=$(grep -c '<tr><td>Northern Power Supply</td><td>Acme Meters AM-100 1.3.0</td>' rep/report.html)
[ "$n" = 2 ] || { echo "FAIL: report: $n declarations of Northern Power Supply's AM-100, want 2"; fail=1; }
"$rf" workspace import-stock march.csv --as-of 2022-03-01 >/dev/null 2>err.txt
[ $? -eq 2 ] && grep -q 'import-stock needs --as-of DATE' err.txt ||
    { echo "FAIL: import-stock without --derogations: $(cat err.txt)"; fail=1; }

# ---- bad input: one line, exit 2 --------------------------------------------------------------
printf 'Supplier,DeviceManufacturer,DeviceModel,DeviceFirmwareVersion,as_of\nA,B,C,D,2022-01-01\n' >nohdr.csv
"$rf" stock "${common[@]}" --stock nohdr.csv --out x >/dev/null 2>err.txt
rc=$?
[ $rc -eq 2 ] && grep -qx 'rfnoise: stock: nohdr.csv:1: the header lacks column quantity' err.txt ||
    { echo "FAIL: header without quantity: rc=$rc $(cat err.txt)"; fail=1; }
printf 'Supplier,DeviceManufacturer,DeviceModel,DeviceFirmwareVersion,quantity,as_of\nA,B,C,D,1,2022-02-30\nA,B,C\n' >rows.csv
"$rf" stock "${common[@]}" --stock rows.csv --out rows >/dev/null 2>err.txt
grep -q '^rows.csv,2,as_of,bad-date,' rows/stock-errors.csv &&
    grep -q '^rows.csv,3,,ragged-row,' rows/stock-errors.csv ||
    { echo "FAIL: bad rows: $(cat rows/stock-errors.csv)"; fail=1; }
"$rf" stock "${common[@]}" --stock rows.csv --window-months 0 --out w >/dev/null 2>err.txt
rc=$?
[ $rc -eq 2 ] && grep -q "^rfnoise: stock: --window-months '0': expected" err.txt ||
    { echo "FAIL: --window-months 0: rc=$rc $(cat err.txt)"; fail=1; }
"$rf" stock "${common[@]}" --stock out/stock.csv --out out >/dev/null 2>err.txt
rc=$?
[ $rc -eq 2 ] && grep -q 'is both an input and an output' err.txt ||
    { echo "FAIL: an output that is the input: rc=$rc $(cat err.txt)"; fail=1; }
exit $fail
