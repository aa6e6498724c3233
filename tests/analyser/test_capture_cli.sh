#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_capture_cli.sh: `rfnoise info` and `rfnoise convert` end to end: bad inputs give exactly one
# line on stderr and exit 2; --json has the documented keys; the real captures in
# ../shared/real-captures report what their README says; convert round-trips metadata.
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
py=/usr/bin/python3
fail=0
t=$(mktemp -d /tmp/rfn_capture_cli.XXXXXX)
trap 'rm -rf "$t"' EXIT

# expect_error WANT_LINE CMD...: exit 2, stdout empty, stderr exactly WANT_LINE (one line).
expect_error() {
    local want=$1; shift
    "$@" >"$t/out" 2>"$t/err"
    local rc=$?
    if [ $rc -ne 2 ]; then echo "FAIL: $* exited $rc, want 2"; fail=1; fi
    if [ -s "$t/out" ]; then echo "FAIL: $* wrote to stdout"; fail=1; fi
    if [ "$(wc -l <"$t/err")" -ne 1 ] || [ "$(cat "$t/err")" != "$want" ]; then
        echo "FAIL: $*"; echo "  got:  $(cat "$t/err")"; echo "  want: $want"; fail=1
    fi
}

# ---- bad inputs -------------------------------------------------------------------------------
: >"$t/empty.cu8"
expect_error "rfnoise: info: $t/empty.cu8: offset 0: empty file" "$rf" info --rate 1e6 "$t/empty.cu8"

printf 'RIFF\044\0\0\0WAVEfmt \020\0\0\0\001\0\002\0\200\273\0\0\0\356\002\0\004\0\020\0data\0\0\0\0' \
    >"$t/header.wav"
expect_error "rfnoise: info: $t/header.wav: offset 44: no samples (header only?)" \
    "$rf" info "$t/header.wav"

printf '\1\2\3\4\5' >"$t/odd.cs16"
expect_error "rfnoise: info: $t/odd.cs16: offset 4: 1 trailing byte(s) are not a whole frame of 4 bytes (truncated file?)" \
    "$rf" info --rate 1e6 "$t/odd.cs16"

printf '{"global": {"core:datatype": "ci8",\n  "core:sample_rate": }}\n' >"$t/bad.sigmf-meta"
printf '\0\0' >"$t/bad.sigmf-data"
expect_error "rfnoise: info: $t/bad.sigmf-meta: line 2 column 23: invalid JSON: unexpected token near '}'" \
    "$rf" info "$t/bad.sigmf-data"

printf '{"global": {"core:datatype": "ci12_le", "core:sample_rate": 1000}}' >"$t/dt.sigmf-meta"
printf '\0\0' >"$t/dt.sigmf-data"
expect_error "rfnoise: info: $t/dt.sigmf-meta: global.core:datatype: 'ci12_le' is not a SigMF datatype ((c|r)(f32|f64|i32|i16|i8|u8)[_le|_be], or cu8 cs8 cs16 cf32)" \
    "$rf" info "$t/dt.sigmf-meta"

printf '{"global": {"core:datatype": "ci8", "core:sample_rate": -48000}}' >"$t/rate.sigmf-meta"
printf '\0\0' >"$t/rate.sigmf-data"
expect_error "rfnoise: info: $t/rate.sigmf-meta: global.core:sample_rate: must be > 0 (got -48000)" \
    "$rf" info "$t/rate.sigmf-meta"
expect_error "rfnoise: info: --rate '0': expected a sample rate > 0 in Hz" \
    "$rf" info --rate 0 "$t/odd.cs16"
expect_error "rfnoise: info: --center '-1': expected a frequency >= 0 in Hz" \
    "$rf" info --center -1 "$t/odd.cs16"
expect_error "rfnoise: convert: --channel '1024': expected a channel number 0..1023" \
    "$rf" convert --channel 1024 "$t/odd.cs16" "$t/o.sigmf-meta"
expect_error "rfnoise: convert: --format 'cu8': expected cf32_le or ci16_le (--format is the output format; the input sample type is --datatype cu8)" \
    "$rf" convert --format cu8 "$t/odd.cs16" "$t/o.sigmf-meta"
expect_error "rfnoise: convert: --format 'x': expected cf32_le or ci16_le" \
    "$rf" convert "$t/odd.cs16" "$t/o.sigmf-meta" --format x
expect_error "rfnoise: info: --format 'cs16': expected text or json (--format is the output format; the input sample type is --datatype cs16)" \
    "$rf" info --format cs16 "$t/odd.cs16"
expect_error "rfnoise: info: unknown option '--bogus' (see rfnoise info --help)" \
    "$rf" info --bogus "$t/odd.cs16"
expect_error "rfnoise: info: unknown option '--bogus' (see rfnoise info --help)" \
    "$rf" info "$t/odd.cs16" --bogus=3
expect_error "rfnoise: info: missing value for option '--rate' (see rfnoise info --help)" \
    "$rf" info "$t/odd.cs16" --rate
expect_error "rfnoise: info: $t/ok.cs16: no such file" "$rf" info --rate 1 -- "$t/ok.cs16"
# Options after the operands (GNU permutation), and "--" ending the options.
expect_error "rfnoise: info: $t/odd.cs16: offset 4: 1 trailing byte(s) are not a whole frame of 2 bytes (truncated file?)" \
    "$rf" info "$t/odd.cs16" --rate 1e6 --datatype cs8 --quiet
printf '\0\0\0\0' >"$t/--rate"
"$rf" info --json --quiet --datatype cs8 --rate 8 -- "$t/odd.cs16" --rate >"$t/out" 2>"$t/err"
[ $? -eq 2 ] && grep -q -- "--rate: no such file" "$t/err" ||
    { echo "FAIL: -- must end the options"; cat "$t/err"; fail=1; }
(cd "$t" && "$rf" info --json --quiet --rate 8 --datatype cu8 -- --rate >"$t/out" 2>"$t/err") &&
    grep -q '"sample_count":2' "$t/out" || { echo "FAIL: info -- --rate"; cat "$t/err"; fail=1; }

printf '{"global": {"core:datatype": "cf32_le", "core:sample_rate": 1000}, "captures": [{"core:sample_start": 0}, {"core:sample_start": 4}]}' \
    >"$t/short.sigmf-meta"
head -c 16 /dev/zero >"$t/short.sigmf-data"
expect_error "rfnoise: info: $t/short.sigmf-data: offset 16: data holds 2 samples but captures[1] starts at sample 4" \
    "$rf" info "$t/short.sigmf-meta"

printf '{"global": {"core:datatype": "ci8", "core:sample_rate": 1000}}' >"$t/lonely.sigmf-meta"
expect_error "rfnoise: info: $t/lonely.sigmf-data: no such file (the data of $t/lonely.sigmf-meta)" \
    "$rf" info "$t/lonely.sigmf-meta"
expect_error "rfnoise: info: $t/nothere.cu8: no such file" "$rf" info --rate 1 "$t/nothere.cu8"

# One bad capture among good ones: the good ones are still reported, exit 2.
head -c 4096 /dev/zero >"$t/ok.cs8"
"$rf" info --json --rate 1e6 "$t/ok.cs8" "$t/empty.cu8" "$t/ok.cs8" >"$t/out" 2>"$t/err"
[ $? -eq 2 ] && [ "$(wc -l <"$t/out")" -eq 2 ] && [ "$(wc -l <"$t/err")" -eq 1 ] ||
    { echo "FAIL: mixed good and bad captures"; fail=1; }
# Options after the operands: convert IN OUT --datatype T --rate HZ (all-zero cs8 is ci8 here).
"$rf" convert "$t/ok.cs8" "$t/perm.sigmf-meta" --datatype cs8 --rate 1e6 --quiet &&
    "$rf" info --json "$t/perm.sigmf-meta" | grep -q '"sample_count":2048' ||
    { echo "FAIL: convert IN OUT --datatype T --rate HZ"; fail=1; }

# ---- --json keys ------------------------------------------------------------------------------
"$rf" info --json --rate 2e6 --center 868.3e6 "cs8:$t/ok.cs8" >"$t/j" || { echo "FAIL: info --json"; fail=1; }
$py - "$t/j" <<'EOF' || fail=1
import json, sys
o = json.loads(open(sys.argv[1]).read())
for k in ("path", "format", "sample_rate_hz", "center_freq_hz", "sample_count", "duration_s",
          "clipped_fraction", "sources", "findings"):
    assert k in o, "missing key " + k
assert o["format"] == "ci8" and o["sample_count"] == 2048 and o["sample_rate_hz"] == 2e6
assert o["center_freq_hz"] == 868.3e6 and o["sources"]["center_freq"] == "command-line"
assert o["sources"]["format"] == "command-line" and o["mean_power_dbfs"] is None
assert "all-zero" in o["findings"] and "short" in o["findings"], o["findings"]
EOF

# ---- convert: a raw capture to SigMF and back through info -----------------------------------
$py -c "
import math, struct
with open('$t/tone.cs16', 'wb') as f:
    for n in range(10000):
        f.write(struct.pack('<hh', round(8000 * math.cos(0.3 * n)), round(8000 * math.sin(0.3 * n))))
"
"$rf" convert "$t/tone.cs16" "$t/conv.sigmf-meta" --quiet --rate 2.4e6 --center 433.92e6 --format ci16_le ||
    { echo "FAIL: convert"; fail=1; }
cmp -s "$t/tone.cs16" "$t/conv.sigmf-data" || { echo "FAIL: ci16 conversion changed the samples"; fail=1; }
"$rf" info --json --verify "$t/conv.sigmf-meta" >"$t/j" || { echo "FAIL: info on converted"; fail=1; }
$py - "$t/j" <<'EOF' || fail=1
import json, sys
o = json.loads(open(sys.argv[1]).read())
assert o["format"] == "ci16_le" and o["sample_count"] == 10000, o
assert o["sample_rate_hz"] == 2.4e6 and o["center_freq_hz"] == 433.92e6
assert o["sources"]["sample_rate"] == "sigmf" and o["findings"] == [], o["findings"]
assert abs(o["mean_power_dbfs"] - 20 * __import__("math").log10(8000 / 32768)) < 0.01
EOF

# ---- SigMF archives: the writer, and archives of several recordings --------------------------
"$rf" convert "$t/tone.cs16" "$t/arch.sigmf" --quiet --rate 2.4e6 --format ci16_le ||
    { echo "FAIL: convert to an archive"; fail=1; }
$py - "$t/arch.sigmf" "$t/tone.cs16" <<'EOF' || fail=1
import sys, tarfile
with tarfile.open(sys.argv[1]) as tar:
    ms = tar.getmembers()
    names = [(m.name, m.isdir()) for m in ms]
    assert names == [("arch", True), ("arch/arch.sigmf-data", False), ("arch/arch.sigmf-meta", False)], names
    assert tar.extractfile("arch/arch.sigmf-data").read() == open(sys.argv[2], "rb").read()
EOF
"$rf" info --json --verify "$t/arch.sigmf" | $py -c 'import json, sys; o = json.load(sys.stdin); assert o["sample_count"] == 10000 and o["container"] == "sigmf-archive" and o["recording"] == "arch", o' ||
    { echo "FAIL: info on the written archive"; fail=1; }
"$rf" synth "$t/a.sigmf-meta" --rate 1e3 --duration 4 --quiet && "$rf" synth "$t/b.sigmf-meta" --rate 2e3 --duration 1 --quiet ||
    { echo "FAIL: synth a, b"; fail=1; }
$py - "$t" <<'EOF'
import sys, tarfile
d = sys.argv[1]
with tarfile.open(f"{d}/multi.sigmf", "w", format=tarfile.USTAR_FORMAT) as tar:
    for r in "ab":
        for ext in ("sigmf-meta", "sigmf-data"):
            tar.add(f"{d}/{r}.{ext}", arcname=f"multi/{r}.{ext}")
EOF
"$rf" info "$t/multi.sigmf" --quiet >"$t/txt" || { echo "FAIL: info on a multi-recording archive"; fail=1; }
grep -q "^archive: *$t/multi.sigmf: a SigMF archive of 2 recordings: a, b$" "$t/txt" &&
    [ "$(grep -c '^recording: ' "$t/txt")" -eq 2 ] || { echo "FAIL: info lists the recordings"; cat "$t/txt"; fail=1; }
"$rf" info --json "$t/multi.sigmf" --quiet | $py -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert [(r["recording"], r["sample_rate_hz"], r["sample_count"]) for r in rows] == [("a", 1e3, 4000), ("b", 2e3, 2000)], rows' ||
    { echo "FAIL: info --json on a multi-recording archive"; fail=1; }
expect_error "rfnoise: psd: $t/multi.sigmf: the archive holds 2 recordings (a, b): choose one with --recording NAME" \
    "$rf" psd "$t/multi.sigmf" --quiet
expect_error "rfnoise: psd: $t/multi.sigmf: no recording 'c' in the archive (it holds: a, b)" \
    "$rf" psd "$t/multi.sigmf" --recording c --quiet
"$rf" psd "$t/multi.sigmf" --recording b --format json --quiet |
    $py -c 'import json, sys; o = json.load(sys.stdin); assert o["sample_rate_hz"] == 2e3' ||
    { echo "FAIL: psd --recording b"; fail=1; }

# ---- non-conforming data: core:header_bytes of every segment and core:trailing_bytes ------------
# 192 ci8 samples of 0x10 then 64 bytes of 0xFF (a footer): 192 samples, not 224, nothing clipped.
$py - "$t" <<'EOF'
import json, struct, sys
d = sys.argv[1]
open(f"{d}/trail.sigmf-data", "wb").write(b"\x10" * 384 + b"\xff" * 64)
json.dump({"global": {"core:datatype": "ci8", "core:sample_rate": 1000, "core:version": "1.2.6",
                      "core:trailing_bytes": 64}, "captures": [{"core:sample_start": 0}]},
          open(f"{d}/trail.sigmf-meta", "w"))
# Two segments of 48 ci16 samples, each after a 32-byte header of 0x7F bytes: 96, not 112.
seg = lambda v: b"\x7f" * 32 + struct.pack("<96h", *([v] * 96))
open(f"{d}/hdr.sigmf-data", "wb").write(seg(1000) + seg(-1000))
json.dump({"global": {"core:datatype": "ci16_le", "core:sample_rate": 1000, "core:version": "1.2.6"},
           "captures": [{"core:sample_start": 0, "core:header_bytes": 32, "core:frequency": 1e6},
                        {"core:sample_start": 48, "core:header_bytes": 32, "core:frequency": 2e6}]},
          open(f"{d}/hdr.sigmf-meta", "w"))
EOF
"$rf" info --json "$t/trail.sigmf-meta" "$t/hdr.sigmf-meta" >"$t/j" || { echo "FAIL: info on NCDs"; fail=1; }
$py - "$t/j" <<'EOF' || fail=1
import json, sys
a, b = map(json.loads, open(sys.argv[1]))
assert a["sample_count"] == 192 and a["samples_read"] == 192, a["sample_count"]
assert "clipped" not in a["findings"] and a["peak_abs"] == 0.125 and a["truncated_bytes"] == 0, a
assert b["sample_count"] == 96 and b["samples_read"] == 96, b["sample_count"]
assert "clipped" not in b["findings"] and abs(b["peak_abs"] - 1000 / 32768) < 1e-9, b
assert abs(b["dc_i"]) < 1e-9 and abs(b["dc_q"]) < 1e-9, (b["dc_i"], b["dc_q"])  # +1000 then -1000
assert [s["sample_start"] for s in b["segments"]] == [0, 48]
EOF
printf '{"global": {"core:datatype": "ci8", "core:sample_rate": 1000, "core:trailing_bytes": 500}}' >"$t/over.sigmf-meta"
printf 'abcd' >"$t/over.sigmf-data"
expect_error "rfnoise: info: $t/over.sigmf-data: offset 4: data shorter than the 0 header and 500 trailing bytes the meta names (captures[].core:header_bytes, global.core:trailing_bytes)" \
    "$rf" info "$t/over.sigmf-meta"

# ---- real captures (../shared/real-captures; README there) ------------------------------------
rc_dir=../shared/real-captures
if [ ! -d "$rc_dir" ]; then
    echo "real-capture checks skipped: $rc_dir is absent"
else
    "$rf" info --json --verify "$rc_dir"/urh_*.c* --rate 1e6 >"$t/j" ||
        { echo "FAIL: info on the URH captures"; fail=1; }
    "$rf" info --json --verify "$rc_dir/sigmf_logo.sigmf-meta" >>"$t/j" ||
        { echo "FAIL: info on the SigMF capture"; fail=1; }
    "$rf" info --json "$rc_dir"/rtl433_*.cu8 >>"$t/j" || { echo "FAIL: info on the rtl_433 capture"; fail=1; }
    $py - "$t/j" <<'EOF' || fail=1
import json, sys, math
rows = {o["path"].rsplit("/", 1)[1]: o for o in map(json.loads, open(sys.argv[1]))}
assert len(rows) == 7, sorted(rows)
for name, o in rows.items():
    assert o["nonfinite_count"] == 0, name
    assert o["samples_read"] == o["sample_count"] > 0, name
    if name.startswith("urh_"):
        assert o["sample_rate_hz"] == 1e6 and o["sources"]["sample_rate"] == "command-line", name
        assert o["center_freq_hz"] is None and o["sources"]["center_freq"] == "none", name
        assert "clipped" not in o["findings"], name
e = rows["urh_esaver.cs8"]
assert abs(e["zero_fraction"] - 198193 / 299046) < 1e-9 and "zero-runs" in e["findings"]
r = rows["rtl433_sensibleliving_g001_433.92M_250k.cu8"]
assert r["format"] == "cu8" and r["sample_rate_hz"] == 250e3 and r["center_freq_hz"] == 433.92e6
assert r["sources"]["sample_rate"] == "filename" and r["sources"]["center_freq"] == "filename"
assert "clipped" in r["findings"] and abs(r["clipped_fraction"] - 24840 / 131072) < 1e-9
s = rows["sigmf_logo.sigmf-meta"]
assert s["format"] == "ri16_le" and s["is_complex"] is False and s["channels"] == 2
assert s["sample_rate_hz"] == 48000 and s["sources"]["sample_rate"] == "sigmf"
assert s["center_freq_hz"] is None and s["sample_count"] == 288000 and len(s["annotations"]) == 3
assert s["iq_gain_imbalance_db"] is None and math.isfinite(s["mean_power_dbfs"])
EOF
    # Text output states the source of each value.
    "$rf" info "$rc_dir"/rtl433_*.cu8 >"$t/txt"
    grep -q '^sample rate: *250000 Hz (filename)$' "$t/txt" &&
        grep -q '^findings: .*clipped' "$t/txt" || { echo "FAIL: info text for rtl_433"; cat "$t/txt"; fail=1; }
    expect_error "rfnoise: info: $rc_dir/urh_homematic.cs16: no sample rate: not in the file's metadata or name; give --rate HZ" \
        "$rf" info "$rc_dir/urh_homematic.cs16"
fi

[ $fail -eq 0 ] && echo "capture CLI ok"
exit $fail
