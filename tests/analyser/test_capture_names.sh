#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_capture_names.sh: the file-name table (README "File names"): one synthetic capture per
# name form, named exactly as each tool names its recordings, read by `rfnoise info --json`; what
# the name gives (tool, centre frequency, sample rate, time and whether it is UTC or local,
# bandwidth, hardware, station, datatype) must come out, with "filename" as the source. Then:
# an explicit option wins over the name, and every command shows the conflict.
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
py=/usr/bin/python3
fail=0
t=$(mktemp -d /tmp/rfn_capture_names.XXXXXX)
trap 'rm -rf "$t"' EXIT

# name | tool | centre Hz | rate Hz (- : none, --rate 1e6 given) | time | datatype | extra key=value
table='
baseband_433920000Hz_15-35-40_04-11-2023.wav|SDR++|433920000|-|2023-11-04T15:35:40 local|ci16_le|
audio_100500000Hz_08-05-09_31-12-2022.wav|SDR++|100500000|-|2022-12-31T08:05:09 local|ci16_le|
20171127T104156Z_77500_DF0KL_iq.wav|KiwiSDR|77500|-|2017-11-27T10:41:56Z|ci16_le|site=DF0KL
HackRF-20231104_153540-433_92MHz-2MSps-2MHz.complex16s|URH|433920000|2000000|2023-11-04T15:35:40 local|ci8|hw=HackRF bandwidth_hz=2000000
RTL-SDR-20231104_153540-868_3MHz-1MSps-1MHz.complex|URH|868300000|1000000|2023-11-04T15:35:40 local|cf32_le|hw=RTL-SDR
g001_433.92M_250k.cu8|rtl_433|433920000|250000|-|cu8|
rtl_868.950M_1M6_capture.cu8|rtl_sdr|868950000|1600000|-|cu8|
meter_433.92M_2M4.cu8|rtl_433|433920000|2400000|-|cu8|
site_433.92MHz_250ksps.cu8|rtl_433|433920000|250000|-|cu8|
site_915000000Hz_2400000sps.cs8|rtl_433|915000000|2400000|-|ci8|
gqrx_20231104_153540_433920000_2000000_fc.raw|gqrx|433920000|2000000|2023-11-04T15:35:40Z|cf32_le|
gqrx_20231104_153540_433920000_2000000_fc_16.raw|gqrx|433920000|2000000|2023-11-04T15:35:40Z|ci16_le|
SDRSharp_20160101_101010Z_433920kHz_IQ.wav|SDR#|433920000|-|2016-01-01T10:10:10Z|ci16_le|
HDSDR_20130116_093405Z_7056kHz_RF.wav|HDSDR|7056000|-|2013-01-16T09:34:05Z|ci16_le|
SDRuno_20200904_204456Z_516kHz.wav|SDRuno|516000|-|2020-09-04T20:44:56Z|ci16_le|
'
# Write each file: WAVs as 2-channel 16-bit at 48 kHz (the header's rate), raw files 4096 bytes.
$py - "$t" <<'PY' "$table"
import struct, sys, wave
folder, table = sys.argv[1], sys.argv[2]
for row in filter(None, table.strip().split("\n")):
    name = row.split("|")[0]
    if name.endswith(".wav"):
        with wave.open(f"{folder}/{name}", "wb") as w:
            w.setnchannels(2); w.setsampwidth(2); w.setframerate(48000)
            w.writeframes(b"".join(struct.pack("<hh", (n * 37) % 2000 - 1000, (n * 91) % 2000 - 1000)
                                   for n in range(8192)))
    else:
        with open(f"{folder}/{name}", "wb") as f:
            f.write(bytes((n * 37 + 11) % 200 + 20 for n in range(32768)))
PY
rows=0
while IFS='|' read -r name tool fc rate when dt extra; do
    [ -n "$name" ] || continue
    rows=$((rows + 1))
    opts=(--quiet --json)
    [ "$rate" = - ] && [ "${name##*.}" != wav ] && opts+=(--rate 1e6)
    if ! "$rf" info "$t/$name" "${opts[@]}" >"$t/j" 2>"$t/err"; then
        echo "FAIL: $name: $(cat "$t/err")"; fail=1; continue
    fi
    $py - "$t/j" "$name" "$tool" "$fc" "$rate" "$when" "$dt" "$extra" <<'PY' || fail=1
import json, sys
o = json.load(open(sys.argv[1]))
name, tool, fc, rate, when, dt, extra = sys.argv[2:]
bad = []
def want(key, value):
    if o.get(key) != value: bad.append(f"{key} = {o.get(key)!r}, want {value!r}")
want("recorder", tool)
want("center_freq_hz", float(fc))
if o["sources"]["center_freq"] != "filename": bad.append("centre frequency not from the name")
if rate != "-":
    want("sample_rate_hz", float(rate))
    if o["sources"]["sample_rate"] != "filename": bad.append("sample rate not from the name")
if when == "-":
    want("datetime", None)
else:
    t, _, local = when.partition(" ")
    want("datetime", t)
    want("datetime_is_local", local == "local")
want("format", dt)
for kv in extra.split():
    k, v = kv.split("=")
    want(k, float(v) if k.endswith("_hz") else v)
if "HackRF" not in name: want("bandwidth_hz", None) if "bandwidth" not in extra and "RTL-SDR" not in name else None
if o["warnings"]: bad.append(f"warnings {o['warnings']}")
for b in bad: print(f"FAIL: {name}: {b}")
sys.exit(1 if bad else 0)
PY
done <<<"$table"
[ "$rows" -eq 15 ] || { echo "FAIL: $rows table rows read"; fail=1; }

# A local time of unknown zone is said so, and kept out of a SigMF core:datetime (always UTC).
"$rf" info "$t/baseband_433920000Hz_15-35-40_04-11-2023.wav" >"$t/txt"
grep -q '^start time: *2023-11-04T15:35:40 (filename, local time of the recording computer, zone unknown)$' "$t/txt" ||
    { echo "FAIL: local time not said: $(grep 'start time' "$t/txt")"; fail=1; }
"$rf" convert "$t/baseband_433920000Hz_15-35-40_04-11-2023.wav" "$t/sdrpp.sigmf-meta" --quiet &&
    ! grep -q 'core:datetime' "$t/sdrpp.sigmf-meta" && grep -q '"core:frequency": 433920000' "$t/sdrpp.sigmf-meta" ||
    { echo "FAIL: convert of an SDR++ recording"; fail=1; }

# gqrx's 16-bit fork: cs16 samples, not cf32 (which gave NaNs and garbage).
"$rf" info --json "$t/gqrx_20231104_153540_433920000_2000000_fc_16.raw" |
    $py -c 'import json, sys; o = json.load(sys.stdin); assert o["nonfinite_count"] == 0 and o["sample_count"] == 8192, o' ||
    { echo "FAIL: gqrx _16.raw"; fail=1; }

# An explicit option wins over the name; the conflict is shown by info, and by every command
# that reads the capture (on stderr, which is not data).
n="$t/g001_433.92M_250k.cu8"
"$rf" info "$n" --rate 1e6 --center 433.8e6 --json --quiet >"$t/j"
$py - "$t/j" <<'PY' || fail=1
import json, sys
o = json.load(open(sys.argv[1]))
ok = (o["sample_rate_hz"] == 1e6 and o["sources"]["sample_rate"] == "command-line" and
      o["center_freq_hz"] == 433.8e6 and o["sources"]["center_freq"] == "command-line" and
      o["warnings"] == ["sample rate: command-line says 1000000 Hz, filename says 250000 Hz; using 1000000 Hz (command-line)",
                        "centre frequency: command-line says 433800000 Hz, filename says 433920000 Hz; using 433800000 Hz (command-line)"])
if not ok: print("FAIL: the command line must win over the name:", o["sample_rate_hz"], o["warnings"]); sys.exit(1)
PY
want="rfnoise: CMD: warning: sample rate: command-line says 1000000 Hz, filename says 250000 Hz; using 1000000 Hz (command-line)"
for cmd in psd detect apd spectrogram convert; do
    case $cmd in
        apd) extra=(--band 433.9e6:433.95e6) ;;
        spectrogram) extra=(--format csv --rows 4 --cols 4) ;;
        convert) extra=("$t/out.sigmf-meta") ;;
        *) extra=() ;;
    esac
    "$rf" "$cmd" "$n" "${extra[@]}" --rate 1e6 --quiet >/dev/null 2>"$t/err" ||
        { echo "FAIL: $cmd exited $?: $(cat "$t/err")"; fail=1; }
    grep -qxF "${want/CMD/$cmd}" "$t/err" || { echo "FAIL: $cmd hides the conflict: $(cat "$t/err")"; fail=1; }
done
"$rf" analyse "$n" --rate 1e6 --cal-db -40 --quiet >"$t/an" 2>&1
grep -q "^  warning  sample rate: command-line says 1000000 Hz, filename says 250000 Hz" "$t/an" ||
    { echo "FAIL: analyse hides the conflict: $(head -5 "$t/an")"; fail=1; }

[ $fail -eq 0 ] && echo "file-name table ok ($rows name forms)"
exit $fail
