#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_emi_cli.sh: `rfnoise detect`, `spectrogram` and `apd` end to end on synthetic SigMF
# captures: a -40 dBFS tone reads -40 dBFS on every detector, the header states RBW and time
# constants, JSON parses with the documented keys, annotation exclusion counts frames, the APD of
# a noise-only capture follows the Rayleigh law, bad inputs give one line and exit 2, the plot
# is a PNG.
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
py=/usr/bin/python3
fail=0
t=$(mktemp -d /tmp/rfn_emi_cli.XXXXXX)
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

# near VALUE WANT TOL NAME
near() {
    awk -v v="$1" -v w="$2" -v tol="$3" \
        'BEGIN { d = v - w; if (d < 0) d = -d; exit !(v != "" && d <= tol) }' ||
        { echo "FAIL: $4 = $1, want $2 +- $3"; fail=1; }
}

"$rf" synth "$t/tone.sigmf-meta" --rate 960e3 --center 423e6 --duration 1.2 --noise -130 \
    --add tone:423.128e6:-40 || { echo "FAIL: synth"; exit 1; }
# the same with the hub's 10 % bursts, annotated (their switching edges splatter across the band,
# so the tone's readings are checked on the capture without them)
"$rf" synth "$t/bursts.sigmf-meta" --rate 960e3 --center 423e6 --duration 1.2 --noise -130 \
    --add tone:423.128e6:-40 --add bursts:422.8e6:100e3:-30:0.1:0.1 --annotate ||
    { echo "FAIL: synth"; exit 1; }

# ---- detect: CSV ------------------------------------------------------------------------------
# Nothing before the header line; the settings go to the --meta sidecar det.meta.json.
"$rf" detect "$t/tone.sigmf-meta" --detectors peak,qp,cispr_avg,rms_avg,rms --quiet \
    --output "$t/det.csv" --meta 2>"$t/err" || { echo "FAIL: detect exited $?"; cat "$t/err"; fail=1; }
[ "$(head -n 1 "$t/det.csv")" = "freq_hz,peak_dbfs,rms_dbfs,cispr_avg_dbfs,rms_avg_dbfs,qp_dbfs" ] ||
    { echo "FAIL: detect CSV must start with its header: $(head -n 1 "$t/det.csv")"; fail=1; }
/usr/bin/python3 - "$t/det.meta.json" "$t/tone.sigmf-meta" <<'EOF' || { echo "FAIL: detect --meta sidecar"; fail=1; }
import json, sys
o = json.load(open(sys.argv[1]))
assert o["rfnoise"] == "detect" and o["format_version"] == 1 and o["capture"] == sys.argv[2], o
s = o["settings"]
assert s["band"] == "CD" and s["rbw_hz"] == 120000 and s["settled"] is True, s
assert (s["qp_charge_s"], s["qp_discharge_s"], s["qp_meter_s"], s["avg_meter_s"]) == (0.001, 0.55, 0.1, 0.1)
assert o["center_freq_hz"] == 423e6 and o["sources"]["center_freq"] == "sigmf" and o["warnings"] == []
assert "freq_hz" not in o
EOF
expect_error "rfnoise: detect: --meta needs --output FILE (the sidecar is FILE.meta.json)" \
    "$rf" detect "$t/tone.sigmf-meta" --meta --quiet
row=$(awk -F, '$1 == 423128000' "$t/det.csv")
[ -n "$row" ] || { echo "FAIL: no row at 423.128 MHz"; fail=1; }
IFS=, read -r f pk rms av ra qp <<<"$row"
near "$qp" -40 0.2 "QP of the -40 dBFS tone"
near "$av" -40 0.2 "CISPR-AV of the tone"
near "$ra" -40 0.2 "RMS-AV of the tone"
near "$rms" -40 0.2 "RMS of the tone"
near "$pk" -40 0.3 "peak of the tone"
rows=$(wc -l <"$t/det.csv")
[ "$rows" -eq 31 ] || { echo "FAIL: detect rows $rows, want 30 bins + header"; fail=1; }

# ---- detect: JSON, output file, annotations ----------------------------------------------
"$rf" detect "$t/bursts.sigmf-meta" --format json --output "$t/det.json" --exclude-annotations \
    --quiet >"$t/out" || { echo "FAIL: detect --format json"; fail=1; }
[ -s "$t/out" ] && { echo "FAIL: detect --output wrote to stdout"; fail=1; }
$py - "$t/det.json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
s = d["settings"]
bad = []
for k in ("rbw_hz", "enbw_hz", "hop", "overlap", "qp_charge_s", "qp_discharge_s", "qp_meter_s",
          "avg_meter_s", "frames", "frames_excluded", "unit"):
    if k not in s: bad.append("settings." + k)
for k in ("freq_hz", "peak_dbfs", "qp_dbfs", "cispr_avg_dbfs", "rms_avg_dbfs", "bursts"):
    if k not in d: bad.append(k)
if bad: print("FAIL: detect JSON lacks", bad); sys.exit(1)
if s["unit"] != "dBFS" or abs(s["rbw_hz"] - 120e3) > 1e-6: print("FAIL: unit/rbw", s); sys.exit(1)
frac = s["frames_excluded"] / (s["frames"] or 1)
if not 0.09 < frac < 0.11: print("FAIL: excluded fraction", frac); sys.exit(1)
if d["bursts"]["annotations"] != 12: print("FAIL: annotations", d["bursts"]); sys.exit(1)
i = d["freq_hz"].index(423128000.0)
if abs(d["qp_dbfs"][i] + 40) > 0.2: print("FAIL: JSON qp", d["qp_dbfs"][i]); sys.exit(1)
PY

# ---- --exclude-bursts: found in a first pass, left out of the detectors ---------------------
"$rf" synth "$t/nometa.sigmf-meta" --rate 960e3 --center 423e6 --duration 1.2 --noise -130 \
    --add tone:423.128e6:-40 --add bursts:422.8e6:100e3:-20:0.1:0.1 || { echo "FAIL: synth"; fail=1; }
for x in keep exclude; do
    opt=; [ $x = exclude ] && opt=--exclude-bursts
    "$rf" detect "$t/nometa.sigmf-meta" --detectors peak,qp $opt --format json --quiet \
        >"$t/$x.json" || { echo "FAIL: detect $opt"; fail=1; }
done
$py - "$t/keep.json" "$t/exclude.json" <<'PY' || fail=1
import json, sys
keep, excl = (json.load(open(f)) for f in sys.argv[1:3])
b = excl["bursts"]
if b["detected"] != 12: print("FAIL: bursts detected", b); sys.exit(1)
if abs(b["floor_dbfs"] + 40) > 0.5: print("FAIL: masked floor", b["floor_dbfs"]); sys.exit(1)
if abs(b["mean_dbfs"] + 40) < 5: print("FAIL: unmasked mean", b["mean_dbfs"]); sys.exit(1)
s = excl["settings"]
frac = s["frames_excluded"] / s["frames"]
if not 0.10 <= frac <= 0.16: print("FAIL: excluded fraction", frac); sys.exit(1)
if keep["settings"]["frames_excluded"] != 0: print("FAIL: frames excluded without asking"); sys.exit(1)
i, j = excl["freq_hz"].index(422808000.0), excl["freq_hz"].index(423128000.0)
if not keep["qp_dbfs"][i] - excl["qp_dbfs"][i] > 40:
    print("FAIL: burst bin QP %.1f -> %.1f" % (keep["qp_dbfs"][i], excl["qp_dbfs"][i])); sys.exit(1)
if abs(excl["qp_dbfs"][j] + 40) > 0.2: print("FAIL: tone QP", excl["qp_dbfs"][j]); sys.exit(1)
PY

# ---- a real (1-channel) capture is analysed one-sided: a real sine of amplitude 0.5 reads 0.125
# (-9.03 dBFS), the power of the real signal --------------------------------------------------
# Written with the standard library alone (a fresh machine has no numpy): a mono IEEE-float WAV,
# format tag 3, as scipy.io.wavfile writes it.
$py - "$t/real.wav" <<'PY' || { echo "FAIL: writing real.wav"; fail=1; }
import math, struct, sys
fs, n = 480000, 576000
data = struct.pack("<%df" % n, *(0.5 * math.cos(2 * math.pi * 120000 * k / fs) for k in range(n)))
fmt = struct.pack("<HHIIHH", 3, 1, fs, fs * 4, 4, 32)
body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
open(sys.argv[1], "wb").write(b"RIFF" + struct.pack("<I", len(body)) + body)
PY
"$rf" detect "$t/real.wav" --detectors qp,cispr_avg --quiet >"$t/real.csv" ||
    { echo "FAIL: detect on a real capture"; fail=1; }
[ "$(head -2 "$t/real.csv" | tail -1 | cut -d, -f1)" = 0 ] ||
    { echo "FAIL: one-sided output starts at 0 Hz"; fail=1; }
near "$(awk -F, '$1 == 120000 {print $3}' "$t/real.csv")" -9.031 0.1 "QP of a real sine"

# ---- calibration shifts every column ---------------------------------------------------------
"$rf" detect "$t/tone.sigmf-meta" --detectors qp --cal-db -30 --quiet >"$t/cal.csv" ||
    { echo "FAIL: detect --cal-db"; fail=1; }
grep -q '^freq_hz,qp_dbm$' "$t/cal.csv" || { echo "FAIL: calibrated column name"; fail=1; }
near "$(awk -F, '$1 == 423128000 {print $2}' "$t/cal.csv")" -70 0.2 "calibrated QP (dBm)"

# ---- apd: Rayleigh on noise ------------------------------------------------------------------
"$rf" synth "$t/noise.sigmf-meta" --rate 480e3 --duration 2 --noise -100 --seed 7 ||
    { echo "FAIL: synth noise"; fail=1; }
"$rf" apd "$t/noise.sigmf-meta" --band -1:1 --rbw 120e3 --probs 0.1,0.01,0.001 --format json \
    --quiet \
    >"$t/apd.json" || { echo "FAIL: apd"; fail=1; }
$py - "$t/apd.json" <<'PY' || fail=1
import json, math, sys
d = json.load(open(sys.argv[1]))
if d["bins"] != 1: print("FAIL: apd bins", d["bins"]); sys.exit(1)
if (d["rfnoise"], d["format_version"], d["center_freq_hz"]) != ("apd", 1, None):
    print("FAIL: apd JSON head", d["rfnoise"], d["format_version"], d["center_freq_hz"]); sys.exit(1)
mean = 10 ** (-100 / 10) * d["enbw_hz"]   # -100 dBFS/Hz in the ENBW
for p, l in zip(d["probability"], d["level_dbfs"]):
    want = 10 * math.log10(mean * math.log(1 / p))
    if l is None or abs(l - want) > 0.3:
        print("FAIL: APD at p=%g: %s dBFS, Rayleigh %.2f" % (p, l, want)); sys.exit(1)
PY
"$rf" apd "$t/noise.sigmf-meta" --band -1:1 --table --quiet >"$t/table.csv" ||
    { echo "FAIL: apd --table"; fail=1; }
[ "$(head -n 1 "$t/table.csv")" = level_dbfs,probability ] || { echo "FAIL: apd table header"; fail=1; }
"$rf" apd "$t/noise.sigmf-meta" --band -1:1 --quiet --output "$t/apd.csv" --meta ||
    { echo "FAIL: apd --meta"; fail=1; }
[ "$(head -n 1 "$t/apd.csv")" = probability,level_dbfs ] && [ "$(wc -l <"$t/apd.csv")" -eq 5 ] &&
    $py -c 'import json, sys; o = json.load(open(sys.argv[1])); assert o["rfnoise"] == "apd" and o["bins"] == 1 and "probability" not in o' \
        "$t/apd.meta.json" || { echo "FAIL: apd CSV + sidecar"; fail=1; }
# psd JSON: versioned, and an unknown centre frequency is null (not 0)
"$rf" psd "$t/noise.sigmf-meta" --format json --quiet |
    $py -c 'import json, sys; o = json.load(sys.stdin); assert o["format_version"] == 1 and o["center_freq_hz"] is None and o["settings"]["center_freq_hz"] is None, o["settings"]' ||
    { echo "FAIL: psd JSON head"; fail=1; }

# ---- spectrogram ---------------------------------------------------------------------------
"$rf" spectrogram "$t/tone.sigmf-meta" --format csv --rows 8 --cols 4 --quiet >"$t/sg.csv" ||
    { echo "FAIL: spectrogram --format csv"; fail=1; }
n=$(wc -l <"$t/sg.csv")
[ "$(head -n 1 "$t/sg.csv")" = time_s,freq_hz,power_dbfs ] || { echo "FAIL: spectrogram CSV header"; fail=1; }
[ "$n" -ge 17 ] && [ "$n" -le 33 ] ||
    { echo "FAIL: spectrogram cells $n (<= 8 x 4 + header)"; fail=1; }
if command -v gnuplot >/dev/null || [ -n "${RFN_GNUPLOT:-}" ]; then
    "$rf" spectrogram "$t/tone.sigmf-meta" --plot "$t/sg.png" --rows 100 --cols 32 --quiet ||
        { echo "FAIL: spectrogram --plot"; fail=1; }
    [ "$(head -c 4 "$t/sg.png" | od -An -tx1 | tr -d ' ')" = "89504e47" ] ||
        { echo "FAIL: spectrogram plot is not a PNG"; fail=1; }
fi

# ---- real captures (skipped without ../shared/real-captures) ------------------------------------
real=$(dirname "$0")/../../../shared/real-captures
if [ -d "$real" ]; then
    # rtl_433 OOK bursts, 250 kS/s from the file name: Band B's 9 kHz RBW, every bin finite
    "$rf" detect "$real/rtl433_sensibleliving_g001_433.92M_250k.cu8" --band B --quiet \
        >"$t/rtl.csv" || { echo "FAIL: detect on the rtl_433 capture"; fail=1; }
    "$rf" detect "$real/rtl433_sensibleliving_g001_433.92M_250k.cu8" --band B --quiet --format json |
        /usr/bin/python3 -c 'import json, sys; s = json.load(sys.stdin)["settings"]; assert s["band"] == "B" and s["rbw_hz"] == 9000' ||
        { echo "FAIL: rtl_433 settings"; fail=1; }
    awk -F, 'NR > 1 { for (i = 1; i <= NF; i++) if ($i == "" || $i ~ /nan/) bad++; n++ }
             END { exit !(n > 50 && bad == 0) }' "$t/rtl.csv" ||
        { echo "FAIL: rtl_433 readings not all finite"; fail=1; }
    # 66 % exact zeros: no NaN, peak above QP above CISPR-AV on the bursts
    "$rf" detect "$real/urh_esaver.cs8" --rate 1e6 --quiet >"$t/esaver.csv" ||
        { echo "FAIL: detect on urh_esaver"; fail=1; }
    awk -F, 'NR > 1 { if (!($2 >= $5 && $5 >= $3)) bad++; n++ }
             END { exit !(n > 10 && bad == 0) }' "$t/esaver.csv" ||
        { echo "FAIL: urh_esaver: peak >= qp >= cispr_avg does not hold"; fail=1; }
else
    echo "note: $real absent, real-capture checks skipped"
fi

# ---- Band E: no quasi-peak in the default set; a short capture is flagged ------------------------
"$rf" synth "$t/e.sigmf-meta" --rate 8e6 --center 2.44e9 --duration 0.3 --noise -120 ||
    { echo "FAIL: synth band E"; fail=1; }
"$rf" detect "$t/e.sigmf-meta" >"$t/e.csv" 2>"$t/e.err" || { echo "FAIL: detect band E"; fail=1; }
grep -q '^freq_hz,peak_dbfs,cispr_avg_dbfs,rms_avg_dbfs$' "$t/e.csv" ||
    { echo "FAIL: band E columns: $(grep ^freq "$t/e.csv")"; fail=1; }
"$rf" detect "$t/e.sigmf-meta" --quiet --format json |
    /usr/bin/python3 -c 'import json, sys; s = json.load(sys.stdin)["settings"]; assert s["settle_s"] == 0.65 and s["settled"] is False' ||
    { echo "FAIL: band E settle flag"; fail=1; }
[ "$(cat "$t/e.err")" = "rfnoise: detect: $t/e.sigmf-meta: note: lasts 0.3 s; the meters need 0.65 s to settle (readings of steady signals may be low)" ] ||
    { echo "FAIL: settle note: $(cat "$t/e.err")"; fail=1; }
expect_error "rfnoise: detect: detector: quasi-peak is not defined for these parameters (Band E)" \
    "$rf" detect "$t/e.sigmf-meta" --detectors peak,qp --quiet

# ---- --jobs: the same bytes for any number of threads ---------------------------------------------
# The STFT's frames are cut by time across the threads and the detectors by bins; every output,
# with frames left out by annotation and by a first burst pass too, must not depend on N.
for n in 1 2 3 7; do
    "$rf" detect "$t/bursts.sigmf-meta" --format json --exclude-bursts --jobs $n --quiet \
        >"$t/det-j$n.json" || { echo "FAIL: detect --jobs $n"; fail=1; }
    "$rf" detect "$t/bursts.sigmf-meta" --exclude-annotations --jobs $n --quiet \
        >"$t/det-ann-j$n.csv" || { echo "FAIL: detect --exclude-annotations --jobs $n"; fail=1; }
    "$rf" spectrogram "$t/bursts.sigmf-meta" --format csv --rows 40 --cols 30 --jobs $n --quiet \
        >"$t/sg-j$n.csv" || { echo "FAIL: spectrogram --jobs $n"; fail=1; }
    "$rf" apd "$t/bursts.sigmf-meta" --band 422.7e6:422.9e6 --table --jobs $n --quiet \
        >"$t/apd-j$n.csv" || { echo "FAIL: apd --jobs $n"; fail=1; }
done
for f in det det-ann sg apd; do
    [ -s "$t/$f-j1.csv" ] || [ -s "$t/$f-j1.json" ] || { echo "FAIL: $f --jobs 1 is empty"; fail=1; }
    for n in 2 3 7; do
        for x in csv json; do
            [ -e "$t/$f-j1.$x" ] || continue
            cmp -s "$t/$f-j1.$x" "$t/$f-j$n.$x" ||
                { echo "FAIL: $f.$x differs between --jobs 1 and --jobs $n"; fail=1; }
        done
    done
done
[ "$(grep -c . "$t/sg-j1.csv")" -gt 100 ] || { echo "FAIL: spectrogram --jobs rows"; fail=1; }

# ---- errors --------------------------------------------------------------------------------------
expect_error "rfnoise: detect: --detectors: unknown detector 'quasi' (peak, rms, cispr_avg, rms_avg, qp)" \
    "$rf" detect "$t/tone.sigmf-meta" --detectors peak,quasi
expect_error "rfnoise: detect: $t/tone.sigmf-meta: an RBW of 1000000 Hz needs a sample rate of at least 4000000 Hz (capture: 960000 Hz); give a smaller --rbw" \
    "$rf" detect "$t/tone.sigmf-meta" --rbw 1e6 --quiet
expect_error "rfnoise: apd: --band F_LO:F_HI is required" "$rf" apd "$t/tone.sigmf-meta"
expect_error "rfnoise: apd: --band '5:1': expected F_LO:F_HI in Hz with F_LO < F_HI" \
    "$rf" apd "$t/tone.sigmf-meta" --band 5:1
expect_error "rfnoise: apd: band 5000000000:6000000000 Hz is outside the capture's span 422504000:423464000 Hz" \
    "$rf" apd "$t/tone.sigmf-meta" --band 5e9:6e9 --quiet
expect_error "rfnoise: spectrogram: nothing to do: give --plot FILE and/or --format csv|json" \
    "$rf" spectrogram "$t/tone.sigmf-meta"
expect_error "rfnoise: spectrogram: --rows '7': expected an even number 2 ... 100000" \
    "$rf" spectrogram "$t/tone.sigmf-meta" --rows 7 --format csv

[ $fail -eq 0 ] && echo "detect, spectrogram and apd ok"
exit $fail
