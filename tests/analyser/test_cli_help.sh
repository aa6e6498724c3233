#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_cli_help.sh: every command has --help, and every option it lists is documented in README.md
# (csdr's checkdocs idea) and in the generated man page (a section per command); unknown commands
# and options are usage errors (exit 2).
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
man=${RFN_BINARY_DIR:?RFN_BINARY_DIR must name the build tree}/rfnoise.man
fail=0
[ -s "$man" ] || { echo "no man page $man"; fail=1; }
# The man page as plain text per command: its ".SS rfnoise CMD" section, roff minus signs undone.
man_section() { sed 's/\\-/-/g' "$man" | awk -v h=".SS rfnoise $1" '$0 == h {f=1; next} /^\.S[HS] /{f=0} f'; }
"$rf" --help >/tmp/rfn_help.$$ || { echo "rfnoise --help failed"; fail=1; }
cmds=$(awk '/^Commands:/{f=1;next} /^$/{f=0} f{print $1}' /tmp/rfn_help.$$)
[ -n "$cmds" ] || { echo "no commands listed by --help"; fail=1; }
for c in $cmds; do
    out=$("$rf" "$c" --help) || { echo "rfnoise $c --help failed"; fail=1; continue; }
    grep -q "^Usage: rfnoise $c" <<<"$out" || { echo "rfnoise $c --help has no Usage line"; fail=1; }
    grep -qE "rfnoise $c\b" README.md || { echo "README.md does not document 'rfnoise $c'"; fail=1; }
    sec=$(man_section "$c")
    grep -q "^Usage: rfnoise $c" <<<"$sec" || { echo "man page has no section for rfnoise $c"; fail=1; }
    for opt in $(grep -oE '(^|[ ,])--[a-z][a-z0-9-]*' <<<"$out" | tr -d ' ,' | sort -u); do
        grep -qE -- "$opt\b" README.md || { echo "README.md does not mention $opt of rfnoise $c"; fail=1; }
        grep -qE -- "$opt\b" <<<"$sec" || { echo "man page does not mention $opt of rfnoise $c"; fail=1; }
    done
    # Each option the command lists as an item is an item of the man page too.
    for opt in $(grep -oE '^  (-[a-zA-Z], )?--[a-z][a-z0-9-]*' <<<"$out" | grep -oE -- '--[a-z0-9-]+'); do
        grep -qE -- "^\\\\fB(-., )?$opt\b" <<<"$sec" ||
            { echo "man page does not list $opt of rfnoise $c"; fail=1; }
    done
done
"$rf" no-such-command 2>/dev/null; [ $? -eq 2 ] || { echo "unknown command must exit 2"; fail=1; }
"$rf" 2>/dev/null; [ $? -eq 2 ] || { echo "no command must exit 2"; fail=1; }
# The page renders without warnings where man-db is installed (it is not on a minimal Debian).
if command -v man >/dev/null; then
    w=$(MANWIDTH=80 man --warnings -l "$man" 2>&1 >/dev/null)
    [ -z "$w" ] || { echo "man page warnings: $w"; fail=1; }
fi
rm -f /tmp/rfn_help.$$
[ $fail -eq 0 ] && echo "help and README agree"
exit $fail
