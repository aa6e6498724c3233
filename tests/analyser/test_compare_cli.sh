#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_compare_cli.sh: `rfnoise compare` end to end on generated SigMF captures of known levels:
# a meter off (floor and the hub's annotated bursts) and on (+ a comb putting three times the
# floor's power into a 100 kHz band: +6.02 dB) in text, CSV and JSON with the documented fields,
# the limit set's band kept by its id, `analyse --baseline` printing the same rise, the plot, and
# a bad --band, a missing capture and captures of other settings as one line and exit 2.
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
py=/usr/bin/python3
fail=0
t=$(mktemp -d /tmp/rfn_compare_cli.XXXXXX)
trap 'rm -rf "$t"' EXIT

expect_error() { # WANT_LINE CMD...: exit 2, nothing on stdout, exactly WANT_LINE on stderr
    local want=$1; shift
    "$@" >"$t/out" 2>"$t/err"
    local rc=$?
    if [ $rc -ne 2 ]; then echo "FAIL: $* exited $rc, want 2"; fail=1; fi
    if [ -s "$t/out" ]; then echo "FAIL: $* wrote to stdout"; fail=1; fi
    if [ "$(cat "$t/err")" != "$want" ]; then
        echo "FAIL: $*"; echo "  got:  $(cat "$t/err")"; echo "  want: $want"; fail=1
    fi
}

near() { # VALUE WANT TOL NAME
    awk -v v="$1" -v w="$2" -v tol="$3" \
        'BEGIN { d = v - w; if (d < 0) d = -d; exit !(v != "" && d <= tol) }' ||
        { echo "FAIL: $4 = $1, want $2 +- $3"; fail=1; }
}

# Floor -130 dBFS/Hz: -80 dBFS in 422.9-423.0 MHz; ten lines of 3e-9 (-85.23 dBFS) add 3e-8.
bursts=bursts:423.6e6:25e3:-35:0.01:0.2:0.002
"$rf" synth "$t/off.sigmf-meta" --rate 2.4e6 --center 423e6 --duration 0.2 --seed 3 \
    --add $bursts --annotate --quiet || { echo "FAIL: synth"; exit 1; }
"$rf" synth "$t/on.sigmf-meta" --rate 2.4e6 --center 423e6 --duration 0.2 --seed 4 \
    --add $bursts --add comb:422.9225e6:5e3:10:-85.2288 --annotate --quiet ||
    { echo "FAIL: synth"; exit 1; }
"$rf" synth "$t/other.sigmf-meta" --rate 1e6 --center 423e6 --duration 0.05 --quiet ||
    { echo "FAIL: synth"; exit 1; }

band=422.9e6:423e6
# CSV: the documented header and a +6.02 dB rise whose interval covers it
"$rf" compare "$t/off.sigmf-meta" "$t/on.sigmf-meta" --band $band --format csv >"$t/c.csv" ||
    { echo "FAIL: compare csv exited $?"; fail=1; }
want='band,f_lo_hz,f_hi_hz,level_before,level_after,unit,rise_db,rise_ci95_lo_db,rise_ci95_hi_db,excess,excess_is_bound,apd_diff_1e-1_db,apd_diff_1e-2_db,apd_diff_1e-3_db,segments_before,segments_after'
[ "$(head -1 "$t/c.csv")" = "$want" ] || { echo "FAIL: CSV header $(head -1 "$t/c.csv")"; fail=1; }
IFS=, read -r b lo hi lb la unit rise clo chi exc bound a1 a2 a3 sb sa < <(sed -n 2p "$t/c.csv")
[ "$b" = "$band" ] && [ "$unit" = dBFS ] || { echo "FAIL: band '$b' unit '$unit'"; fail=1; }
near "$lb" -80 0.3 level_before
near "$la" -73.98 0.3 level_after
near "$rise" 6.02 0.3 rise_db
awk -v l="$clo" -v h="$chi" 'BEGIN { exit !(l < 6.0206 && 6.0206 < h && h - l < 0.5) }' ||
    { echo "FAIL: interval [$clo, $chi] misses 6.02 dB or is wide"; fail=1; }
near "$exc" -75.23 0.3 excess
[ "$bound" = 0 ] || { echo "FAIL: excess_is_bound $bound"; fail=1; }

# JSON: the same fields, the same numbers; the limit set's band keeps its id (with the
# calibration, dBm)
"$rf" compare "$t/off.sigmf-meta" "$t/on.sigmf-meta" --band $band --format json >"$t/c.json" ||
    { echo "FAIL: compare json"; fail=1; }
"$rf" compare "$t/off.sigmf-meta" "$t/on.sigmf-meta" --cal-db -40 --no-apd --format json \
    >"$t/l.json" || { echo "FAIL: compare json with limits"; fail=1; }
"$py" - "$t/c.json" "$t/l.json" "$want" "$rise" <<'PY' || fail=1
import json, sys
c, l = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
want = sys.argv[3].split(",")
row = c["bands"][0]
assert list(row) == want, list(row)
assert abs(row["rise_db"] - float(sys.argv[4])) < 1e-3, row["rise_db"]
lr = l["bands"][0]
assert l["limits"] == "ichis-annex-f-illustrative" and len(l["bands"]) == 1, l
assert lr["band"] == "wan-north-423" and lr["unit"] == "dBm", lr
assert lr["apd_diff_1e-1_db"] is None, lr
assert lr["rise_db"] > 0 and lr["level_before"] < -100, lr
PY

# No change: off against itself reads 0 dB exactly, and the excess is only a bound.
"$rf" compare "$t/off.sigmf-meta" "$t/off.sigmf-meta" --band $band --no-apd --format csv |
    sed -n 2p >"$t/same" || fail=1
IFS=, read -r b lo hi lb la unit rise clo chi exc bound rest <"$t/same"
near "$rise" 0 1e-9 rise_same
[ "$bound" = 1 ] || { echo "FAIL: no-change excess_is_bound $bound"; fail=1; }

# Text: the rise table; analyse --baseline prints the same table after its verdicts.
"$rf" compare "$t/off.sigmf-meta" "$t/on.sigmf-meta" --cal-db -40 --quiet >"$t/c.txt" ||
    { echo "FAIL: compare text"; fail=1; }
grep -q '^wan-north-423 ' "$t/c.txt" || { echo "FAIL: text has no wan-north-423 row"; fail=1; }
"$rf" analyse "$t/on.sigmf-meta" --baseline "$t/off.sigmf-meta" --cal-db -40 --quiet >"$t/a.txt"
grep -q '^Rise over the baseline' "$t/a.txt" || { echo "FAIL: analyse --baseline: no rise"; fail=1; }
[ "$(grep '^wan-north-423 .*\[' "$t/a.txt")" = "$(grep '^wan-north-423 ' "$t/c.txt")" ] ||
    { echo "FAIL: analyse --baseline rise differs from compare"; fail=1; }

# Plot: both spectra and the difference (where gnuplot is installed)
if command -v gnuplot >/dev/null; then
    "$rf" compare "$t/off.sigmf-meta" "$t/on.sigmf-meta" --cal-db -40 --no-apd --quiet \
        --plot "$t/p.png" >/dev/null || { echo "FAIL: --plot"; fail=1; }
    for f in p.png p.diff.png; do
        [ "$(head -c 4 "$t/$f" | od -An -c | tr -d ' ')" = '211PNG' ] ||
            { echo "FAIL: $f is not a PNG"; fail=1; }
    done
fi

# Errors: one line, exit 2
expect_error "rfnoise: compare: --band '5:1': expected F_LO:F_HI in Hz with F_LO < F_HI" \
    "$rf" compare "$t/off.sigmf-meta" "$t/on.sigmf-meta" --band 5:1
expect_error "rfnoise: compare: --band '1e6': expected F_LO:F_HI in Hz with F_LO < F_HI" \
    "$rf" compare "$t/off.sigmf-meta" --band 1e6 "$t/on.sigmf-meta"
expect_error "rfnoise: compare: give two captures, BEFORE and AFTER (see rfnoise compare --help)" \
    "$rf" compare "$t/off.sigmf-meta"
expect_error "rfnoise: compare: $t/off.sigmf-meta: band 1e9:2e9 is not inside the capture's span" \
    "$rf" compare "$t/off.sigmf-meta" "$t/on.sigmf-meta" --band 1e9:2e9
expect_error "rfnoise: compare: $t/other.sigmf-meta: sample rate, centre frequency or sample type differ from $t/off.sigmf-meta" \
    "$rf" compare "$t/off.sigmf-meta" "$t/other.sigmf-meta"

# The two captures measured side by side (--jobs 2) or in turn (--jobs 1): byte-identical, with
# the APD passes and the limit set's bands.
for j in 1 2 3; do
    "$rf" compare "$t/off.sigmf-meta" "$t/on.sigmf-meta" --cal-db -40 --format json --jobs $j \
        --quiet >"$t/j$j.json" || { echo "FAIL: compare --jobs $j"; fail=1; }
done
cmp -s "$t/j1.json" "$t/j2.json" && cmp -s "$t/j1.json" "$t/j3.json" && [ -s "$t/j1.json" ] ||
    { echo "FAIL: compare --jobs 1/2/3 differ"; fail=1; }

exit $fail
