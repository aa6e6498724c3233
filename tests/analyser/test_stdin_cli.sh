#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_stdin_cli.sh: "-" as the capture reads a raw stream from standard input (issue 17): a
# generated capture piped through `rfnoise psd -` and `rfnoise detect -` gives byte for byte the
# output of reading the same bytes as a file, for cu8 (rtl_sdr's) and ci16_le, in one pipe write
# or in small ones, with any --jobs; no --datatype is one line and exit 2.
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
fail=0
t=$(mktemp -d /tmp/rfn_stdin_cli.XXXXXX)
trap 'rm -rf "$t"' EXIT

"$rf" synth "$t/s.sigmf-meta" --rate 2.4e6 --duration 0.5 --add tone:300e3:-30 \
    --add impulses:100:-20 --format ci16_le --quiet || { echo "FAIL: synth"; exit 1; }
cp "$t/s.sigmf-data" "$t/s.raw"
# cu8 as rtl_sdr writes it: the ci16 samples' top bytes offset to 128 (deterministic).
/usr/bin/python3 - "$t/s.raw" "$t/u.raw" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
v = struct.unpack("<%dh" % (len(b) // 2), b)
open(sys.argv[2], "wb").write(bytes(((x >> 8) + 128) & 0xFF for x in v))
PY

same() { # WHAT FILE-OUTPUT STDIN-OUTPUT
    if ! cmp -s "$2" "$3"; then echo "FAIL: $1: standard input differs from the file"; fail=1; fi
    if [ ! -s "$2" ]; then echo "FAIL: $1: no output"; fail=1; fi
}
for dt in ci16_le:s.raw cu8:u.raw; do
    d=${dt%%:*} f=$t/${dt#*:}
    "$rf" psd "$f" --datatype "$d" --rate 2.4e6 --nfft 2048 --traces max,min --quiet >"$t/a.csv"
    "$rf" psd - --datatype "$d" --rate 2.4e6 --nfft 2048 --traces max,min --quiet --jobs 3 \
        <"$f" >"$t/b.csv"
    same "psd $d" "$t/a.csv" "$t/b.csv"
    # Small pipe writes: the reader must join short reads into whole frames.
    dd if="$f" bs=4093 status=none | "$rf" psd - --datatype "$d" --rate 2.4e6 --nfft 2048 \
        --traces max,min --quiet --jobs 2 >"$t/c.csv"
    same "psd $d, small writes" "$t/a.csv" "$t/c.csv"
    "$rf" detect "$f" --datatype "$d" --rate 2.4e6 --quiet --jobs 1 >"$t/a.csv"
    cat "$f" | "$rf" detect - --datatype "$d" --rate 2.4e6 --quiet --jobs 2 >"$t/b.csv"
    same "detect $d" "$t/a.csv" "$t/b.csv"
done

"$rf" psd - --rate 2.4e6 <"$t/u.raw" >"$t/out" 2>"$t/err"
rc=$?
want="rfnoise: psd: -: standard input needs --datatype (cu8, cs8, cs16, cf32 ...) and --rate"
if [ $rc -ne 2 ] || [ "$(cat "$t/err")" != "$want" ]; then
    echo "FAIL: psd - without --datatype: exit $rc, $(cat "$t/err")"; fail=1
fi
# analyse - reports the samples it read (the stream's length is known only at its end) and
# measures as the file does (its automatic nfft is the band's, not that of a short capture):
# 0.5 s at 2.4 MS/s. (A .cu8 name: no warning that the name suggests another type.)
cp "$t/u.raw" "$t/u.cu8"
"$rf" analyse "$t/u.cu8" --datatype cu8 --rate 2.4e6 --center 423e6 --cal-db -40 >"$t/a.txt"
"$rf" analyse - --datatype cu8 --rate 2.4e6 --center 423e6 --cal-db -40 <"$t/u.raw" >"$t/b.txt"
grep -q '^  samples  1200000 (0.500 s), time unknown$' "$t/b.txt" ||
    { echo "FAIL: analyse -: $(grep samples "$t/b.txt")"; fail=1; }
grep -v '^capture' "$t/a.txt" >"$t/a2.txt"; grep -v '^capture' "$t/b.txt" >"$t/b2.txt"
same "analyse cu8 (but the capture's name)" "$t/a2.txt" "$t/b2.txt"
exit $fail
