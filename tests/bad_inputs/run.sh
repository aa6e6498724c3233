#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh: the bad-input table (issue 16). Every case is one line of a table in cases/*.tsv:
#
#     name ;; status ;; stderr ;; command
#
#   name     unique over all tables (the report names it)
#   status   the exit status the command must give; 77 from the command means "skipped here"
#            (e.g. mknod not permitted), unless 77 is what it expects
#   stderr   an extended regular expression the whole standard error must match (grep -E -x,
#            one line per line), or "-" for an empty standard error; a case expecting exit 2
#            must print exactly one line (house rule: one clear line)
#   command  bash, run by `bash -o pipefail -c` in a fresh copy of the work folder, with
#            rfnoise on PATH, $SRC the source tree; `timeout 20` per case, so a hang fails
#
# Lines starting with # and blank lines are comments. After every case nothing else may have
# changed in the work folder: the same names with the same types (a device node must stay a
# device) and the same SHA-256 for every regular file; no new file, no removed one.
# The work folder is made once by every setup/*.sh (sourced in name order, in the folder).
# Add cases by adding a table (cases/NAME.tsv) or lines to one: one case per line, so tables
# from different branches merge without conflict. Usage: run.sh [NAME-REGEX]
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
here=$SRC/tests/bad_inputs
only=${1:-}
t=$(mktemp -d /tmp/rfn_bad.XXXXXX)
trap 'rm -rf "$t"' EXIT
mkdir "$t/bin" "$t/work"
ln -s "$(cd "$(dirname "$rf")" && pwd)/$(basename "$rf")" "$t/bin/rfnoise"
export PATH=$t/bin:$PATH SRC RFNOISE=$t/bin/rfnoise RFNOISE_WISDOM=off
cd "$t/work" || exit 1
for s in "$here"/setup/*.sh; do
    # shellcheck disable=SC1090
    . "$s" || { echo "FAIL: setup $(basename "$s")"; exit 1; }
done
cd "$t" || exit 1

# One line per entry: type, path, and for a regular file its SHA-256.
snapshot() {
    (cd "$1" && find . -mindepth 1 -printf '%y %p\n' | LC_ALL=C sort | while read -r y p; do
        if [ "$y" = f ]; then echo "$y $p $(sha256sum <"$p" | cut -c1-64)"; else echo "$y $p"; fi
    done)
}
before=$(snapshot work)

pass=0 fail=0 skip=0
declare -A seen
for table in "$here"/cases/*.tsv; do
    lineno=0
    while IFS= read -r line || [ -n "$line" ]; do
        lineno=$((lineno + 1))
        [[ -z ${line// /} || $line == \#* ]] && continue
        where="$(basename "$table"):$lineno"
        rest=$line
        name=${rest%% ;; *}; rest=${rest#* ;; }
        want=${rest%% ;; *}; rest=${rest#* ;; }
        pat=${rest%% ;; *}; cmd=${rest#* ;; }
        name=${name// /}; want=${want// /}
        if [[ $cmd == "$line" || ! $want =~ ^[0-9]+$ || -z $name ]]; then
            echo "FAIL: $where: not 'name ;; status ;; stderr ;; command'"
            fail=$((fail + 1))
            continue
        fi
        if [ -n "${seen[$name]:-}" ]; then
            echo "FAIL: $where: case name $name also at ${seen[$name]}"
            fail=$((fail + 1))
        fi
        seen[$name]=$where
        [[ -n $only && ! $name =~ $only ]] && continue
        rm -rf case && cp -a work case
        (cd case && timeout 20 bash -o pipefail -c "$cmd" >../out 2>../err </dev/null)
        rc=$?
        why=""
        if [ $rc -eq 77 ] && [ "$want" != 77 ]; then
            skip=$((skip + 1))
            echo "skip: $name ($where)"
            continue
        fi
        [ $rc -eq 124 ] && why="timed out after 20 s (a hang)"
        [ -z "$why" ] && [ $rc -ne "$want" ] && why="exit $rc, want $want"
        if [ -z "$why" ]; then
            if [ "$pat" = - ]; then
                [ -s err ] && why="stderr not empty"
            elif ! grep -Eqx -- "$pat" err; then
                why="stderr does not match /$pat/"
            elif [ "$want" = 2 ] && [ "$(wc -l <err)" -ne 1 ]; then
                why="exit 2 with $(wc -l <err) stderr lines, want one"
            fi
        fi
        if [ -z "$why" ]; then
            after=$(snapshot case)
            [ "$after" != "$before" ] &&
                why="the work folder changed: $(diff <(echo "$before") <(echo "$after") |
                    grep '^[<>]' | head -3 | tr '\n' ' ')"
        fi
        if [ -n "$why" ]; then
            echo "FAIL: $name ($where): $why"
            echo "  command: $cmd"
            sed 's/^/  stderr: /' err | head -5
            fail=$((fail + 1))
        else
            pass=$((pass + 1))
        fi
    done <"$table"
done
echo "bad inputs: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ] || exit 1
[ $pass -gt 0 ] || exit 77
