#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_sample_outputs.sh: the sample batch and the outputs of scripts/demo are byte-identical to
# the ones recorded in tests/data/sample-outputs.sha256 (issue 13's rule for moving code:
# behaviour does not change). It makes the batch with scripts/make-sample's recipe, runs the
# demo's validate and its one analyse (the plot's PNG and .dat are left out: gnuplot's bytes and
# the analyse's FFTW_MEASURE plan are the machine's), and compares each file's SHA-256, with
# summary.json's generated_at and tool_version lines taken out and the bundled data folder's
# path (which depends on where the binary runs from) written DATA/. A change that means to change
# an output says so by updating the list: RFN_UPDATE_GOLDEN=1 rewrites it, and the diff of
# tests/data/sample-outputs.sha256 then shows which files moved.
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
src=$(cd "$(dirname "$0")/../.." && pwd)
golden=$src/tests/data/sample-outputs.sha256
t=$(mktemp -d /tmp/rfn_sample_out.XXXXXX)
trap 'rm -rf "$t"' EXIT
cd "$t" || exit 1
mkdir -p data/sample
s=data/sample/generated
out=data/sample/results
"$rf" synth --batch $s --seed 20221 --quiet || { echo "FAIL: synth --batch"; exit 1; }
# The bundled limit set is named by where this binary finds its data (build tree or install):
# written DATA/ in the lab results before validate reads (and hashes) them, and in the outputs.
data_dir() {
    find data -name '*.json' -o -name '*.jsonl' | xargs sed -i -E 's#"[^"]*/share/rfnoise/#"DATA/#g'
}
data_dir
"$rf" validate --register $s/register.csv --derogations $s/derogations.csv \
    --manifest $s/manifest.csv --lab-results $s/lab --cal-db -40 --notice-date 2024-03-01 \
    --exclude-bursts --quiet --out $out 2>/dev/null
[ $? = 1 ] || { echo "FAIL: validate did not exit 1 (the batch plants non-compliant devices)"; exit 1; }
# The demo's noisy meter: the first capture of a device judged non-compliant on its captures.
noisy=$(/usr/bin/python3 - "$out/devices.csv" "$out/captures.jsonl" <<'PY'
import csv, json, sys
bad = {r["DeviceID"] for r in csv.DictReader(open(sys.argv[1], newline=""))
       if r["verdict"] == "non-compliant" and r["evidence"].startswith("capture")}
for line in open(sys.argv[2]):
    rec = json.loads(line)
    if rec["device_id"] in bad and rec["analysis"]:
        print(rec["path"]); break
PY
)
[ -n "$noisy" ] || { echo "FAIL: no capture of a non-compliant device"; exit 1; }
"$rf" analyse "$noisy" --cal-db -40 --exclude-bursts --quiet >$out/noisy-capture.txt
sed -i '/^  "generated_at": /d; /^  "tool_version": /d' $out/summary.json
data_dir
list=$(find data -type f ! -path '*/cache/*' | LC_ALL=C sort | xargs sha256sum)
if [ -n "${RFN_UPDATE_GOLDEN:-}" ]; then
    printf '%s\n' "$list" >"$golden"
    echo "wrote $golden ($(wc -l <"$golden") files)"
    exit 0
fi
if ! diff <(cat "$golden") <(printf '%s\n' "$list") >diff.txt; then
    echo "FAIL: sample outputs differ from $golden (RFN_UPDATE_GOLDEN=1 records a change meant):"
    grep '^[<>]' diff.txt | awk '{print $1, $3}' | sort -k2 | head -40
    exit 1
fi
echo "sample outputs ok: $(wc -l <"$golden") files byte-identical"
