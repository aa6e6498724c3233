#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_package.sh: CPack's .deb (what scripts/package makes) depends on the package of every
# shared library rfnoise and librfn-dsp load, recommends gnuplot, holds the installed tree with
# stripped binaries, and its rfnoise, unpacked anywhere, finds the packaged data.
set -u
bin=${RFN_BINARY_DIR:?RFN_BINARY_DIR must name the build tree}
command -v dpkg-shlibdeps >/dev/null || { echo "SKIP: no dpkg-shlibdeps (dpkg-dev)"; exit 77; }
fail=0
bad() { echo "FAIL: $*"; fail=1; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

cpack --config "$bin/CPackConfig.cmake" -G DEB -B "$t" >"$t/cpack.log" 2>&1 ||
    { cat "$t/cpack.log"; echo "FAIL: cpack"; exit 1; }
deb=$(ls "$t"/rfnoise_*.deb 2>/dev/null)
[ -f "$deb" ] || { echo "FAIL: no rfnoise_*.deb in $(ls "$t")"; exit 1; }
version=$(sed -n 's/^project(rfnoise VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
[ "${deb##*/}" = "rfnoise_${version}_$(dpkg --print-architecture).deb" ] || bad "file name ${deb##*/}"
[ "$(dpkg-deb --field "$deb" Package)" = rfnoise ] || bad "Package field"
[ "$(dpkg-deb --field "$deb" Version)" = "$version" ] || bad "Version field"
depends=$(dpkg-deb --field "$deb" Depends)
dpkg-deb --field "$deb" Recommends | grep -qw gnuplot-nox || bad "gnuplot-nox not recommended"

dpkg-deb -x "$deb" "$t/x"
# Every library the binaries need comes from a package the .deb depends on (or from itself).
for elf in "$t/x/usr/bin/rfnoise" "$t"/x/usr/lib/librfn-dsp.so.*.*; do
    readelf -S "$elf" | grep -qE '\.(debug_info|symtab) ' && bad "${elf##*/} is not stripped"
    for lib in $(readelf -d "$elf" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p'); do
        path=$(ldconfig -p | awk -v l="$lib" '$1 == l {print $NF; exit}')
        # Debian 12 merges /lib into /usr/lib; dpkg knows a library under one of the two names.
        pkg=$( (dpkg -S "$path" || dpkg -S "/usr$path") 2>/dev/null | head -1 | cut -d: -f1)
        [ -n "$pkg" ] || { bad "$lib ($path) belongs to no package"; continue; }
        [ "$pkg" = libc6 ] || grep -qE "(^|, )$pkg( |,|$)" <<<"$depends" ||
            bad "${elf##*/} needs $lib from $pkg, not in Depends: $depends"
    done
done
for f in usr/bin/rfnoise usr/share/rfnoise/limits/ichis-annex-f-illustrative.json \
         usr/share/man/man1/rfnoise.1 usr/share/bash-completion/completions/rfnoise \
         usr/include/rfn-dsp/welch.h usr/share/doc/rfnoise/copyright usr/share/doc/rfnoise/LICENSE; do
    [ -s "$t/x/$f" ] || bad "not in the package: /$f"
done
[ -n "$(find "$t/x/usr/lib" -name rfn-dsp.pc)" ] || bad "no rfn-dsp.pc in the package"
dpkg-deb --ctrl-tarfile "$deb" | tar -t | grep -qx './shlibs' || bad "no shlibs control file"
grep -qx "data directory: $t/x/usr/share/rfnoise (beside the executable)" <("$t/x/usr/bin/rfnoise" version) ||
    bad "unpacked rfnoise: $("$t/x/usr/bin/rfnoise" version | grep '^data directory')"
[ $fail -eq 0 ] && echo "package ok: ${deb##*/}, Depends: $depends"
exit $fail
