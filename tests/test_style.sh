#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_style.sh: dsp/ stays a pure library (STYLE.md; dsp/examples are programs using it, and
# print), and each outside dependency has one owner.
set -u
fail=0
bad=$(grep -rnE '\b(printf|fprintf|puts|exit|abort|fopen)\s*\(|sndfile\.h|\bstdout\b|\bstderr\b' \
      dsp --include='*.c' --include='*.h' --exclude-dir=examples)
if [ -n "$bad" ]; then echo "dsp/ must not print, exit or open files:"; echo "$bad"; fail=1; fi
owners() { # header, allowed file regex
    local hits
    hits=$(grep -rlE "#include <$1>" dsp analyser | grep -vE "$2")
    if [ -n "$hits" ]; then echo "only $2 may include <$1>, found in: $hits"; fail=1; fi
}
owners 'fftw3\.h' '^dsp/fft_fftw\.c$'
owners 'sndfile\.h' '^analyser/capture_sndfile\.c$'
owners 'sqlite3\.h' '^analyser/store\.c$'
owners 'nettle/[a-z0-9]+\.h' '^analyser/hash\.c$'
owners 'csv\.h' '^analyser/csv_(read|util)\.c$'
if grep -rn 'file(GLOB' CMakeLists.txt */CMakeLists.txt; then echo "no file(GLOB) (STYLE.md)"; fail=1; fi
if grep -rn 'ffast-math' CMakeLists.txt */CMakeLists.txt; then echo "no -ffast-math"; fail=1; fi
[ $fail -eq 0 ] && echo "style ok"
exit $fail
