#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_cli_help.sh: every command has --help, every option it lists is documented in README.md
# (csdr's checkdocs idea) and in the generated man page (a section per command), and accepted by
# the command, before or after an operand; unknown commands and options are usage errors (exit 2)
# with one line starting "rfnoise: COMMAND:"; --format is an output format and --datatype an
# input sample type in every command.
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
man=${RFN_BINARY_DIR:?RFN_BINARY_DIR must name the build tree}/rfnoise.man
fail=0
[ -s "$man" ] || { echo "no man page $man"; fail=1; }
# The man page as plain text per command: its ".SS rfnoise CMD" section, roff minus signs undone.
man_section() { sed 's/\\-/-/g' "$man" | awk -v h=".SS rfnoise $1" '$0 == h {f=1; next} /^\.S[HS] /{f=0} f'; }
scratch=$(mktemp -d /tmp/rfn_help.XXXXXX)
trap 'rm -rf "$scratch"' EXIT

# accepts CMD OPT [VALUE]: the option is parsed (whatever the command then says about the rest),
# placed after an operand; run in a scratch folder so that nothing can land in the tree.
accepts() {
    local c=$1; shift
    (cd "$scratch" && timeout 60 "$rf" "$c" operand "$@" </dev/null >/dev/null 2>"$scratch/err")
    if grep -qE "unknown option|missing value" "$scratch/err"; then
        echo "rfnoise $c does not accept $* that its --help lists: $(cat "$scratch/err")"; fail=1
    fi
    if [ -s "$scratch/err" ] && ! head -n 1 "$scratch/err" | grep -q "^rfnoise: "; then
        echo "rfnoise $c $*: message without the 'rfnoise: ' prefix: $(head -n 1 "$scratch/err")"
        fail=1
    fi
}
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
    # Each option line of the help: "--name VALUE" takes a value, "--name" none.
    while read -r opt val; do
        [ "$opt" = --help ] && continue
        if [ -n "$val" ]; then accepts "$c" "$opt" 1; else accepts "$c" "$opt"; fi
    done < <(grep -oE '^ +(-[a-z], )?--[a-z][a-z0-9-]*( [A-Z][A-Z_0-9:/|]*)?( |$)' <<<"$out" |
             sed -E 's/^ +(-[a-z], )?//')
    if grep -qE '^ +--format ' <<<"$out" &&
        grep -E '^ +--format ' <<<"$out" | grep -qiE 'raw|input|of IN'; then
        echo "rfnoise $c: --format must be the output format"; fail=1
    fi
    if grep -qE '^ +--datatype ' <<<"$out" && [ "$c" != info ] && [ "$c" != convert ] &&
        ! grep -E '^ +--datatype ' <<<"$out" | grep -q 'sample type of a raw'; then
        echo "rfnoise $c: --datatype must be the input sample type"; fail=1
    fi
    "$rf" "$c" operand --no-such-option >/dev/null 2>"$scratch/err"
    rc=$?
    want="rfnoise: $c: unknown option '--no-such-option' (see rfnoise $c --help)"
    if [ "$c" != version ] && { [ $rc -ne 2 ] || [ "$(cat "$scratch/err")" != "$want" ]; }; then
        echo "rfnoise $c --no-such-option: exit $rc, '$(cat "$scratch/err")', want '$want'"; fail=1
    fi
done
# The old spelling of the input sample type is refused with a hint.
"$rf" psd x.cs16 --format cs16 2>"$scratch/err" >/dev/null
grep -qx "rfnoise: psd: --format 'cs16': expected csv or json (--format is the output format; the input sample type is --datatype cs16)" \
    "$scratch/err" || { echo "psd --format cs16 without the --datatype hint: $(cat "$scratch/err")"; fail=1; }
"$rf" analyse x.cu8 --format cu8 2>"$scratch/err" >/dev/null
grep -qx "rfnoise: analyse: --format 'cu8': expected text, json or csv (--format is the output format; the input sample type is --datatype cu8)" \
    "$scratch/err" || { echo "analyse --format cu8 without the --datatype hint: $(cat "$scratch/err")"; fail=1; }
"$rf" synth x.sigmf-meta --rate 1e3 --datatype ci16_le 2>"$scratch/err" >/dev/null
grep -q "^rfnoise: synth: --datatype is the sample type of an input capture; give the sample type synth writes with --format ci16_le$" \
    "$scratch/err" || { echo "synth --datatype without the --format hint: $(cat "$scratch/err")"; fail=1; }
# The spectrum options are one group (cli_opts.h CLI_LONGOPTS_SPECTRUM): the same range and the
# same messages in every command that takes them.
for c in psd analyse; do
    "$rf" "$c" x.cf32 --nfft 8 2>"$scratch/err" >/dev/null
    grep -qx "rfnoise: $c: --nfft '8': expected 16 ... 16777216" "$scratch/err" ||
        { echo "$c --nfft 8: $(cat "$scratch/err")"; fail=1; }
    "$rf" "$c" x.cf32 --rbw 1000 --nfft 64 2>"$scratch/err" >/dev/null
    grep -qx "rfnoise: $c: give --nfft or --rbw, not both" "$scratch/err" ||
        { echo "$c --rbw --nfft: $(cat "$scratch/err")"; fail=1; }
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
