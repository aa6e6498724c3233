#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_install.sh: `cmake --install` into a DESTDIR gives a tree that works where it lands and
# wherever it is moved: rfnoise finds its data beside itself and analyses with the bundled limits,
# no source or build path is in any installed file, and a C program builds and runs against the
# installed librfn-dsp through pkg-config and through find_package(rfn-dsp).
set -u
if [ "${RFN_SANITIZE:-OFF}" = ON ]; then
    echo "SKIP: a sanitizer build is not an installable product"
    exit 77
fi
bin=${RFN_BINARY_DIR:?RFN_BINARY_DIR must name the build tree}
src=$(pwd -P) # ctest runs this from the source tree
fail=0
bad() { echo "FAIL: $*"; fail=1; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
D=$t/destdir

DESTDIR=$D cmake --install "$bin" --prefix /usr >"$t/install.log" ||
    { cat "$t/install.log"; echo "FAIL: cmake --install"; exit 1; }
for f in bin/rfnoise share/man/man1/rfnoise.1 share/bash-completion/completions/rfnoise \
         share/rfnoise/limits/ichis-annex-f-illustrative.json share/rfnoise/limits/TEMPLATE.json \
         share/rfnoise/calibration/example-lab-sdr.json share/rfnoise/derogations/example.csv \
         include/rfn-dsp/welch.h include/rfn-dsp/rfn_error.h; do
    [ -s "$D/usr/$f" ] || bad "not installed: /usr/$f"
done
pc=$(find "$D/usr" -name rfn-dsp.pc)
[ -n "$pc" ] || bad "no rfn-dsp.pc installed"
libdir=$(dirname "$(dirname "$pc")")
[ -e "$libdir/librfn-dsp.so.0" ] && [ -e "$libdir/librfn-dsp.so" ] || bad "no librfn-dsp.so{,.0} in $libdir"
[ -e "$libdir/cmake/rfn-dsp/rfn-dsp-config.cmake" ] || bad "no CMake package config"

# No path of this machine's source or build tree in anything installed (debug info included).
hits=$(grep -rlF -e "$src" -e "$(cd "$bin" && pwd -P)" "$D")
[ -z "$hits" ] || bad "build paths in: $hits"

# The data directory is found from the binary's own path, before and after the tree moves.
rf=$D/usr/bin/rfnoise
grep -qx "data directory: $D/usr/share/rfnoise (beside the executable)" <("$rf" version) ||
    bad "installed rfnoise: $("$rf" version | grep '^data directory')"
"$rf" synth "$t/c.sigmf-meta" --rate 2.4e6 --center 423e6 --duration 0.2 \
    --add tone:423.3e6:-30 >/dev/null || bad "installed rfnoise synth"
mv "$D/usr" "$t/moved"
ln -s "$t/moved/bin/rfnoise" "$t/rfnoise-link"
grep -qx "data directory: $t/moved/share/rfnoise (beside the executable)" <("$t/rfnoise-link" version) ||
    bad "moved rfnoise through a link: $("$t/rfnoise-link" version | grep '^data directory')"
"$t/rfnoise-link" analyse "$t/c.sigmf-meta" --cal-db -40 --region north --quiet >"$t/analyse.txt"
rc=$?
[ $rc -eq 1 ] || bad "analyse with the installed limits exited $rc, expected 1 (a planted -70 dBm tone)"
grep -q '^limits     ichis-annex-f-illustrative ' "$t/analyse.txt" || bad "analyse did not use the bundled limits"
grep -qE '^wan-north-423 .* -70\.00 dBm/12\.5kHz .* fail ' "$t/analyse.txt" || bad "wan-north-423 not failed at -70 dBm in 12.5 kHz"
mv "$t/moved" "$D/usr"

# Each public header compiles on its own.
for h in "$D"/usr/include/rfn-dsp/*.h; do
    echo "#include <rfn-dsp/${h##*/}>" | cc -std=c11 -Wall -Werror -fsyntax-only -I"$D/usr/include" -x c - ||
        bad "header ${h##*/} does not compile alone"
done

# tests/dsp/welch_tone.c against the installed library, found by pkg-config ...
if PKG_CONFIG_PATH=$libdir/pkgconfig cc -std=c11 -O2 "$src/tests/dsp/welch_tone.c" \
       $(PKG_CONFIG_PATH=$libdir/pkgconfig pkg-config --cflags --libs rfn-dsp) -o "$t/ex_pc"; then
    LD_LIBRARY_PATH=$libdir ldd "$t/ex_pc" | grep -qF "$libdir/librfn-dsp.so.0" ||
        bad "the pkg-config build does not load the installed librfn-dsp"
    LD_LIBRARY_PATH=$libdir "$t/ex_pc" >"$t/ex_pc.out" || bad "welch_tone (pkg-config build) failed"
    grep -q '^tone at 125000.0 Hz: -20.00 dBFS' "$t/ex_pc.out" || bad "welch_tone output: $(cat "$t/ex_pc.out")"
else
    bad "welch_tone does not build with pkg-config rfn-dsp"
fi
# ... and by CMake's find_package.
mkdir "$t/consumer"
cat >"$t/consumer/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.18)
project(consumer C)
find_package(rfn-dsp 0.1 REQUIRED)
add_executable(welch_tone "$src/tests/dsp/welch_tone.c")
target_link_libraries(welch_tone PRIVATE rfn-dsp::rfn-dsp)
CMAKE
if cmake -S "$t/consumer" -B "$t/consumer/build" -DCMAKE_PREFIX_PATH="$D/usr" >"$t/consumer.log" 2>&1 &&
   cmake --build "$t/consumer/build" >>"$t/consumer.log" 2>&1; then
    ldd "$t/consumer/build/welch_tone" | grep -qF "$libdir/librfn-dsp.so.0" ||
        bad "the find_package build does not load the installed librfn-dsp"
    "$t/consumer/build/welch_tone" >/dev/null || bad "welch_tone (find_package build) failed"
else
    cat "$t/consumer.log"; bad "welch_tone does not build with find_package(rfn-dsp)"
fi
[ $fail -eq 0 ] && echo "install ok"
exit $fail
