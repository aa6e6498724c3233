#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_completion.sh: the generated bash completion (scripts/help-files) offers every command, each
# command's options exactly as its --help lists them, the subcommands, the values an option's help
# names, directories for DIR options and files for FILE options and operands.
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
comp=${RFN_BINARY_DIR:?RFN_BINARY_DIR must name the build tree}/rfnoise.completion
fail=0
bad() { echo "FAIL: $*"; fail=1; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mkdir "$t/dir1"
: >"$t/file1"

# shellcheck source=/dev/null
source "$comp" || { echo "FAIL: cannot source $comp"; exit 1; }
complete -p rfnoise >/dev/null 2>&1 || bad "the completion does not register for rfnoise"
# Complete the last word of the command line given as arguments; the offers sorted on one line.
offers() {
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMPREPLY=()
    _rfnoise
    printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
expect() {
    local want=$1 got
    shift
    got=$(offers "$@")
    [ "$got" = "$want" ] || bad "'$*<TAB>' offers '$got', expected '$want'"
}
sorted() { tr ' ' '\n' | grep . | sort | tr '\n' ' ' | sed 's/ $//'; }

cmds=$("$rf" --help | awk '/^Commands:/{f=1;next} /^$/{f=0} f{print $1}')
expect "$(echo "$cmds -h --help -V --version" | sorted)" rfnoise ''
expect "analyse" rfnoise ana
for c in $cmds; do
    opts=$("$rf" "$c" --help | grep -oE '^  (-[a-zA-Z], )?--[a-z][a-z0-9-]*' | tr -d ',' | sorted)
    [ -n "$opts" ] || bad "rfnoise $c --help lists no options"
    expect "$opts" rfnoise "$c" -
done
expect "add-results import-register import-stock init status" rfnoise workspace ''
expect "plan plan-agreed" rfnoise remediation pl
expect "csv json text" rfnoise analyse --format ''
expect "json" rfnoise analyse --format j
expect "blackmanharris flattop gaussian hann rect" rfnoise psd --window ''
expect "central north south" rfnoise analyse --region ''
expect "A B CD E" rfnoise detect --band ''
expect "" rfnoise analyse --nfft ''
expect "$t/dir1" rfnoise validate --out "$t/"
expect "$t/dir1 $t/file1" rfnoise analyse --limits "$t/"
expect "$t/file1" rfnoise analyse "$t/f"
expect "--rate --rbw --recording --region --rx-gain" rfnoise analyse --r
[ $fail -eq 0 ] && echo "completion ok"
exit $fail
