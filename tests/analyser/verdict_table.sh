# SPDX-License-Identifier: GPL-2.0-or-later
# verdict_table.sh: sourced by the CLI tests that state their cases as a table, one a line:
#   name | exit | band verdict | band reasons | stderr ERE | command
# The command's words go through eval, so the caller's $variables expand; it runs as
# "$rf" WORDS in the current folder. The row states its exit status, and for analyse the verdict
# and reasons of the wan-north-423 band (or "-"), or else an ERE the one line on stderr must
# match (or "-"). Blank lines and lines starting with # are skipped.
# run_verdict_table [--never-pass] <TABLE: prints a FAIL line per mismatch and sets fail=1;
# --never-pass also fails a row with a band verdict whose capture verdict is pass.
run_verdict_table() {
    local never_pass=0 name want verdict reasons ere cmd rc got
    [ "${1:-}" = --never-pass ] && never_pass=1
    while IFS='|' read -r name want verdict reasons ere cmd; do
        name=$(echo $name); want=$(echo $want); verdict=$(echo $verdict); reasons=$(echo $reasons)
        ere=$(echo "$ere" | sed 's/^ *//; s/ *$//')
        [ -z "$name" ] || [ "${name:0:1}" = "#" ] && continue
        eval "set -- $cmd"
        "$rf" "$@" >out 2>err
        rc=$?
        [ "$rc" = "$want" ] || { echo "FAIL: $name: exit $rc, want $want: $(head -c 300 err)"; fail=1; }
        if [ "$verdict" != "-" ]; then
            got=$(awk '$1 == "wan-north-423" {print $(NF-1), $NF}' out)
            [ "$got" = "$verdict $reasons" ] ||
                { echo "FAIL: $name: wan-north-423 '$got', want '$verdict $reasons'"; fail=1; }
            [ $never_pass = 1 ] && grep -q "^verdict    pass" out &&
                { echo "FAIL: $name: passed"; fail=1; }
        fi
        if [ "$ere" != "-" ]; then
            [ "$(wc -l <err)" -eq 1 ] && grep -qE "$ere" err ||
                { echo "FAIL: $name: stderr '$(cat err)' does not match /$ere/"; fail=1; }
        fi
    done
}
