#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_workspace_crash.sh: crash safety and concurrency of the workspace.
# - An import (and an add-results) killed (SIGKILL) inside its transaction leaves the workspace
#   openable, intact (PRAGMA integrity_check) and without any of that snapshot (result set);
#   rerunning it works.
# - Imports killed at random moments leave either the whole snapshot or none of it.
# - Two imports at once both succeed, or one fails with the "workspace busy" message; a writer
#   held up longer than the busy timeout gives exactly that message; nothing is corrupted.
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
T=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
# Wait (up to 120 s: ASan on a loaded 2-core machine is slow) for a stalled writer's message;
# say so plainly if it never came, instead of letting a later check fail for a hidden reason.
wait_for() {
    for _ in $(seq 1200); do grep -q "$1" "$2" && return 0; sleep 0.1; done
    bad "the writer never reached its stall point ('$1' not in $2)"
}

# A valid register of N rows (MPAN check digits computed), seed S.
gen() {
    /usr/bin/python3 - "$1" "$2" "$3" <<'EOF'
import sys, random
n, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
random.seed(seed)
P = [3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43]
with open(out, 'w') as f:
    f.write('DeviceID,DeviceType,DeviceStatus,DeviceManufacturer,DeviceModel,'
            'DeviceFirmwareVersion,ImportMPxN,CSPRegion,HANVariant,PostCode,Supplier,InstallDate\n')
    for i in range(n):
        body = '%012d' % (seed * 10**9 + i)
        mpan = body + str(sum(int(c) * p for c, p in zip(body, P)) % 11 % 10)
        dev = (seed << 40) | i
        did = '-'.join('%02X' % ((dev >> (8 * k)) & 255) for k in range(7, -1, -1))
        f.write('%s,ESME,Commissioned,Acme,M%d,1.%d,%s,North,Dual Band,AB10 1AA,Supplier %d,'
                '2025-%02d-%02d\n' % (did, random.randrange(5), random.randrange(3), mpan,
                                      random.randrange(4), random.randrange(1, 13),
                                      random.randrange(1, 29)))
EOF
}
N=60000
gen $N 1 "$T/a.csv"
gen $N 2 "$T/b.csv"
gen $N 3 "$T/c.csv"
"$rf" workspace init "$T/ws" >/dev/null || bad "init"
export RFNOISE_WORKSPACE=$T/ws
devices() { "$rf" workspace status | awk '/^latest_snapshot_devices:/{print $2}'; }
snapshots() { "$rf" workspace status | awk '/^snapshots:/{print $2}'; }
check_intact() {
    local out
    out=$("$rf" workspace status --check 2>&1) || bad "$1: status --check failed: $out"
    grep -q "^integrity: ok$" <<<"$out" || bad "$1: integrity: $out"
}

# 1. killed at a known point inside the transaction (test hook), after 30000 of 60000 rows
RFN_WORKSPACE_TEST_STALL_ROWS=30000 "$rf" workspace import-register "$T/a.csv" --as-of 2026-01-01 \
    >/dev/null 2>"$T/stall.err" &
p=$!; pids+=("$p")
wait_for "stalled inside the transaction" "$T/stall.err"
grep -q "stalled inside the transaction" "$T/stall.err" || bad "the import never reached the hook"
kill -9 "$p"; wait "$p" 2>/dev/null
check_intact "after kill"
[ "$(snapshots)" = 0 ] || bad "a killed import left a snapshot behind"
"$rf" workspace import-register "$T/a.csv" --as-of 2026-01-01 >/dev/null 2>"$T/err" || bad "rerun after kill: $(cat "$T/err")"
[ "$(devices)" = $N ] || bad "rerun: $(devices) devices, wanted $N"
echo "ok: kill inside the transaction: nothing kept, rerun imports all $N rows"

# 1b. add-results killed inside its transaction: no result set kept; the rerun adds it whole
/usr/bin/python3 - "$T/a.csv" "$T/res/devices.csv" <<'EOF'
import csv, os, sys
os.makedirs(os.path.dirname(sys.argv[2]), exist_ok=True)
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
with open(sys.argv[2], 'w', newline='') as f:
    w = csv.writer(f, lineterminator='\n')
    w.writerow(['Supplier', 'ImportMPxN', 'DeviceID', 'verdict', 'reasons'])
    for i, r in enumerate(rows[:20000]):
        nc = i % 50 == 0
        w.writerow([r['Supplier'], r['ImportMPxN'], r['DeviceID'],
                    'non-compliant' if nc else 'compliant', 'exceeds-limit' if nc else ''])
EOF
RFN_WORKSPACE_TEST_STALL_ROWS=10000 "$rf" workspace add-results "$T/res" >/dev/null 2>"$T/stall.err" &
p=$!; pids+=("$p")
wait_for "stalled inside the transaction" "$T/stall.err"
grep -q "stalled inside the transaction" "$T/stall.err" || bad "add-results never reached the hook"
kill -9 "$p"; wait "$p" 2>/dev/null
check_intact "after killed add-results"
"$rf" workspace status | grep -q "^result_sets: 0$" || bad "a killed add-results left a result set"
"$rf" workspace add-results "$T/res" >"$T/out" 2>"$T/err" || bad "add-results rerun: $(cat "$T/err")"
grep -q "^result_set=1 devices=20000 compliant=19600 derogation_compliant=0 non_compliant=400 " "$T/out" || bad "add-results rerun: $(cat "$T/out")"
echo "ok: add-results killed inside the transaction: nothing kept, rerun adds all 20000 verdicts"

# 2. killed at random moments: whole snapshot or none
RANDOM=7
for i in 1 2 3 4; do
    before=$(snapshots)
    "$rf" workspace import-register "$T/b.csv" --as-of 2026-02-0$i >/dev/null 2>&1 &
    p=$!; pids+=("$p")
    sleep "0.$((RANDOM % 9 + 1))"
    kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null
    check_intact "random kill $i"
    after=$(snapshots)
    d=$(devices)
    if [ "$after" = "$before" ]; then :;
    elif [ "$after" = $((before + 1)) ] && [ "$d" = $N ]; then :;
    else bad "random kill $i: snapshots $before -> $after, latest has $d devices"; fi
done
echo "ok: random kills leave whole snapshots or none"

# 3. a writer held inside its transaction: another import gives up with the busy message
RFN_WORKSPACE_TEST_STALL_ROWS=10 "$rf" workspace import-register "$T/c.csv" --as-of 2026-03-01 \
    >/dev/null 2>"$T/stall2.err" &
p=$!; pids+=("$p")
wait_for "stalled" "$T/stall2.err"
RFN_WORKSPACE_BUSY_MS=300 "$rf" workspace import-register "$T/b.csv" --as-of 2026-03-01 \
    >/dev/null 2>"$T/busy.err"
rc=$?
[ $rc = 2 ] || bad "busy import exit $rc"
grep -q "^rfnoise: workspace: $T/ws: workspace busy: another rfnoise process is using it (waited 300 ms); try again when it has finished$" "$T/busy.err" \
    || bad "busy message: $(cat "$T/busy.err")"
kill -9 "$p"; wait "$p" 2>/dev/null
check_intact "after busy"
echo "ok: busy message"

# 4. two imports at once: both succeed (the second waits), or one says busy; never corrupt
"$rf" workspace import-register "$T/c.csv" --as-of 2026-04-01 >/dev/null 2>"$T/c1.err" &
p1=$!
"$rf" workspace import-register "$T/b.csv" --as-of 2026-04-01 >/dev/null 2>"$T/c2.err" &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
for k in 1 2; do
    rc=$([ $k = 1 ] && echo $r1 || echo $r2)
    if [ "$rc" != 0 ]; then
        grep -q "workspace busy" "$T/c$k.err" || bad "concurrent import $k failed without the busy message: $(cat "$T/c$k.err")"
    fi
done
check_intact "after concurrent imports"
echo "ok: concurrent imports (exit $r1 and $r2)"

[ $fail -eq 0 ] && echo "crash and concurrency checks passed"
exit $fail
