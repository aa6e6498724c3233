#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_plan_batch.sh: `remediation plan-agreed --batch FILE` (issue 15): the plan agreed for the
# active case of every device a CSV with a DeviceID column lists (any of the identifier's forms),
# all or nothing: a bad identifier, a device listed twice or without an active case, a file
# without the column, and a date before the notice are one-line input errors naming the file and
# line (exit 2) that leave every case as it was.
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
D=$(cd "$(dirname "$0")/../data/workspace" && pwd)
T=$(mktemp -d /tmp/rfn_plan_batch.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
fail=0
bad() { echo "FAIL: $*"; fail=1; }
export RFNOISE_WORKSPACE=$T/ws
"$rf" workspace init ws >/dev/null &&
"$rf" workspace import-register --as-of 2026-01-05 "$D/register1.csv" >/dev/null &&
"$rf" workspace add-results "$D/results1" >/dev/null &&
"$rf" remediation open --notice-date 2026-01-10 >/dev/null || { echo "FAIL: set-up"; exit 1; }
plans() { "$rf" remediation history | grep -c ',plan-agreed,'; }

printf 'DeviceID\n00-11-22-FF-FE-00-00-03\nnot-an-id\n' >bad-id.csv
printf 'DeviceID\n00-11-22-FF-FE-00-00-03\n00-11-22-FF-FE-00-00-99\n' >no-case.csv
printf 'DeviceID\n00-11-22-FF-FE-00-00-03\n00-11-22-ff-fe-00-00-03\n' >twice.csv
printf 'Device\n00-11-22-FF-FE-00-00-03\n' >no-column.csv
printf 'Supplier,DeviceID\nAlpha Energy,00-11-22-FF-FE-00-00-02\nBeta Power,00:11:22:ff:fe:00:00:11\n' \
    >ok.csv
while IFS='|' read -r file date ere; do
    "$rf" remediation plan-agreed --batch "$file" --date "$date" --due 2026-06-30 >out 2>err
    rc=$?
    [ $rc = 2 ] && [ "$(wc -l <err)" = 1 ] && grep -qE "$ere" err ||
        bad "$file: exit $rc, stderr '$(cat err)', want /$ere/"
done <<'TABLE'
bad-id.csv|2026-01-15|^rfnoise: remediation: bad-id.csv:3: DeviceID 'not-an-id': not an EUI-64
no-case.csv|2026-01-15|^rfnoise: remediation: no-case.csv:3: DeviceID 00-11-22-FF-FE-00-00-99 has no open, overdue or missing-from-extract case$
twice.csv|2026-01-15|^rfnoise: remediation: twice.csv:3: DeviceID 00-11-22-FF-FE-00-00-03 listed twice \(also line 2\)$
no-column.csv|2026-01-15|^rfnoise: remediation: no-column.csv:1: no DeviceID column$
ok.csv|2025-01-15|plan agreed on 2025-01-15 is before its notice of 2026-01-10
TABLE
[ "$(plans)" = 0 ] || bad "a refused batch agreed $(plans) plans"

"$rf" remediation plan-agreed --batch ok.csv --date 2026-01-15 --due 2026-06-30 --by tester \
    >out 2>err || bad "ok.csv: $(cat err)"
grep -qx "plans_agreed=2" out || bad "ok.csv: $(cat out)"
"$rf" remediation history >hist.csv
for dev in 00-11-22-FF-FE-00-00-02 00-11-22-FF-FE-00-00-11; do
    grep -q ",$dev,2026-01-15,,,plan-agreed,,,remediation plan agreed: removal due 2026-06-30,tester$" \
        hist.csv || bad "no agreed plan in the history of $dev"
done
[ "$(plans)" = 2 ] || bad "$(plans) plans agreed, want 2"
"$rf" remediation plan-agreed --batch ok.csv --supplier "Beta Power" --date 2026-01-15 \
    >/dev/null 2>err
[ $? = 2 ] && grep -q "expected one of CASE, --supplier S or --batch FILE" err ||
    bad "--batch with --supplier: $(cat err)"
[ $fail = 0 ] && echo "plan-agreed --batch ok"
exit $fail
