#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_decisions.sh: nothing unusable reaches a pass (issue 14 §4), one table. Each row runs one
# command on inputs made here and states the exit status, and for analyse the verdict and
# reasons of the wan-north-423 band, or else an ERE the one line on stderr must match:
#   name | exit | band verdict | band reasons | stderr ERE | command
# A fine spectrum proves the planted fail; a coarse one (nfft 16: ENBW 225 kHz against the
# 12.5 kHz reference bandwidth) must not turn it into a pass, yet a reading that can only be low
# still proves a fail when it exceeds; values outside physical sense are input errors.
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
fail=0
. "$(dirname "$0")/verdict_table.sh"
t=$(mktemp -d /tmp/rfn_decisions.XXXXXX)
trap 'rm -rf "$t"' EXIT
cd "$t" || exit 1

# -66 dBFS at 423.05 MHz with --cal-db -40 reads -106 dBm/12.5 kHz against -110: fails by 4 dB.
"$rf" synth weak.sigmf-meta --rate 2.4e6 --center 423e6 --duration 0.2 --noise -140 \
    --add tone:423.05e6:-66 --seed 1 --quiet || { echo "FAIL: synth"; exit 1; }
"$rf" synth strong.sigmf-meta --rate 2.4e6 --center 423e6 --duration 0.2 --noise -140 \
    --add tone:423.05e6:-30 --seed 1 --quiet || { echo "FAIL: synth"; exit 1; }
"$rf" synth --batch batch --seed 20221 --quiet || { echo "FAIL: synth --batch"; exit 1; }
meta_with() { # NAME KEY VALUE: a copy of weak with one global field replaced
    /usr/bin/python3 - "$1" "$2" "$3" <<'PY'
import json, shutil, sys
name, key, value = sys.argv[1], sys.argv[2], float(sys.argv[3])
m = json.load(open("weak.sigmf-meta"))
if key == "core:frequency":
    m["captures"][0][key] = value
else:
    m["global"][key] = value
json.dump(m, open(name + ".sigmf-meta", "w"))
shutil.copy("weak.sigmf-data", name + ".sigmf-data")
PY
}
meta_with fastrate core:sample_rate 1e300
meta_with slowrate core:sample_rate 0.5
meta_with farcentre core:frequency 1e12
meta_with negcentre core:frequency -1e6
printf '{"format": "rfnoise-calibration-1", "id": "huge", "gain_db": 1e308}\n' >cal-huge.json
printf '{"format": "rfnoise-calibration-1", "id": "table", "gain": [[1e8, -40], [1e9, 400]]}\n' \
    >cal-table.json
sed 's/wan-north-423/wan-north-432/' batch/derogations.csv >derog-typo.csv
v=(validate --register batch/register.csv --manifest batch/manifest.csv --cal-db -40 --quiet)

run_verdict_table --never-pass <<'TABLE'
fine-spectrum-fails | 1 | fail | exceeds-limit | - | analyse weak.sigmf-meta --cal-db -40 --nfft 4096 --quiet
coarse-spectrum     | 3 | inconclusive | rbw-too-wide | - | analyse weak.sigmf-meta --cal-db -40 --nfft 16 --quiet
coarse-rbw-option   | 3 | inconclusive | rbw-too-wide | - | analyse weak.sigmf-meta --cal-db -40 --rbw 200e3 --quiet
coarse-still-fails  | 1 | fail | exceeds-limit | - | analyse strong.sigmf-meta --cal-db -40 --nfft 16 --quiet
cal-db-huge         | 2 | - | - | ^rfnoise: analyse: --cal-db '1e308': expected a number of dB within \+-300$ | analyse weak.sigmf-meta --cal-db 1e308
cal-db-301          | 2 | - | - | ^rfnoise: analyse: --cal-db '-301': expected a number of dB within \+-300$ | analyse weak.sigmf-meta --cal-db -301
cal-db-nan          | 2 | - | - | ^rfnoise: analyse: --cal-db 'nan': expected | analyse weak.sigmf-meta --cal-db nan
cal-file-huge       | 2 | - | - | cal-huge.json: gain_db: 1e\+308: must be within \+-300 dB$ | analyse weak.sigmf-meta --cal cal-huge.json
cal-table-400       | 2 | - | - | cal-table.json: gain\[1\]: 400 dB: must be within \+-300 dB$ | analyse weak.sigmf-meta --cal cal-table.json
rate-1e300          | 2 | - | - | fastrate.sigmf-meta: sample rate 1e\+300 Hz \(from sigmf\): outside 1 Hz \.\.\. 100 GHz$ | analyse fastrate.sigmf-meta --cal-db -40
rate-half-hz        | 2 | - | - | slowrate.sigmf-meta: sample rate 0.5 Hz \(from sigmf\): outside 1 Hz | analyse slowrate.sigmf-meta --cal-db -40
rate-option         | 2 | - | - | sample rate 2e\+11 Hz \(from command-line\): outside 1 Hz | analyse weak.sigmf-meta --rate 2e11 --cal-db -40
centre-1e12         | 2 | - | - | farcentre.sigmf-meta: centre frequency 1e\+12 Hz \(from sigmf\): outside 0 \.\.\. 300 GHz$ | analyse farcentre.sigmf-meta --cal-db -40
centre-negative     | 2 | - | - | negcentre.sigmf-meta: centre frequency -1e\+06 Hz \(from sigmf\): outside 0 | psd negcentre.sigmf-meta
derogation-typo     | 2 | - | - | ^rfnoise: validate: derog-typo.csv:[0-9]+: Bands 'wan-north-432': not a band of limit set ichis-annex-f-illustrative | ${v[@]} --derogations derog-typo.csv --out o1
two-limits          | 2 | - | - | ^rfnoise: validate: --limits given twice \('a.json' then 'b.json'\): give it once$ | ${v[@]} --limits a.json --limits b.json --out o2
two-derogations     | 2 | - | - | ^rfnoise: validate: --derogations given twice | ${v[@]} --derogations a.csv --derogations b.csv --out o3
TABLE
[ $fail -eq 0 ] && echo "decisions ok"
exit $fail
