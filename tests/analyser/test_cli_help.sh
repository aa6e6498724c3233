#!/usr/bin/env bash
# test_cli_help.sh: every command has --help, and every option it lists is documented in README.md
# (csdr's checkdocs idea); unknown commands and options are usage errors (exit 2).
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
fail=0
"$rf" --help >/tmp/rfn_help.$$ || { echo "rfnoise --help failed"; fail=1; }
cmds=$(awk '/^Commands:/{f=1;next} /^$/{f=0} f{print $1}' /tmp/rfn_help.$$)
[ -n "$cmds" ] || { echo "no commands listed by --help"; fail=1; }
for c in $cmds; do
    out=$("$rf" "$c" --help) || { echo "rfnoise $c --help failed"; fail=1; continue; }
    grep -q "^Usage: rfnoise $c" <<<"$out" || { echo "rfnoise $c --help has no Usage line"; fail=1; }
    grep -qE "rfnoise $c\b" README.md || { echo "README.md does not document 'rfnoise $c'"; fail=1; }
    for opt in $(grep -oE '(^|[ ,])--[a-z][a-z0-9-]*' <<<"$out" | tr -d ' ,' | sort -u); do
        grep -qE -- "$opt\b" README.md || { echo "README.md does not mention $opt of rfnoise $c"; fail=1; }
    done
done
"$rf" no-such-command 2>/dev/null; [ $? -eq 2 ] || { echo "unknown command must exit 2"; fail=1; }
"$rf" 2>/dev/null; [ $? -eq 2 ] || { echo "no command must exit 2"; fail=1; }
rm -f /tmp/rfn_help.$$
[ $fail -eq 0 ] && echo "help and README agree"
exit $fail
