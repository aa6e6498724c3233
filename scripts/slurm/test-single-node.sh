#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-single-node.sh: `rfnoise validate` as a Slurm job array on a one-node cluster started here
# (scripts/slurm/single-node.sh: munged, slurmctld and slurmd as children of this script, all
# files in a temporary directory, stopped by PID on exit). On the sample batch it checks that:
#  - submit refuses, exit 2 with one line, --out/--jobs among the validate options, a missing
#    --work and a rerun of a run that does not exist;
#  - the array (4 tasks, 1 CPU each) and its dependent merge job, run with sbatch --wait through
#    scripts/slurm/submit, give the same files as one `rfnoise validate` of the whole batch
#    (byte for byte; summary.json apart from its generated_at time stamp), every task recording
#    state=ok with cpus=1 in its status file, and the merge job adds the result to a workspace
#    (rfnoise workspace add-results: one result set, a verdict per device);
#  - with the default task count (4 for 58 captures), a task that fails
#    (RFNOISE_SLURM_FAIL_TASKS=2) and one killed by scancel while it runs
#    (RFNOISE_SLURM_HOLD_TASKS=3) are reported (state failed / killed) with the command that
#    reruns them, and the merge job does not run (afterok);
#  - rerunning task 3 alone (with 2 CPUs) makes it ok; the merge after it refuses, naming shard 2/4, and writes
#    nothing; rerunning task 2 alone (submit --rerun 2) then merges the single run's files.
# Installs the packages (scripts/bootstrap --slurm) and skips (77) only when that is impossible.
# RFN_SLURM_KEEP=1 keeps the temporary directory (logs, shards) for a look after a failure.
set -u
cd "$(dirname "$0")/../.." || exit 1
root=$(pwd)
rf=${RFNOISE:-$root/build/analyser/rfnoise}
[ -x "$rf" ] || { echo "FAIL: rfnoise binary '$rf' not found (set RFNOISE)"; exit 1; }
rf=$(cd "$(dirname "$rf")" && pwd)/$(basename "$rf")
export RFNOISE=$rf
. "$root/scripts/slurm/single-node.sh" # also puts /usr/sbin (munged, slurmctld, slurmd) on PATH

if ! scripts/bootstrap --slurm >/dev/null 2>&1; then
    for c in munged slurmctld slurmd sbatch; do
        command -v "$c" >/dev/null ||
            { echo "SKIP: Slurm packages (scripts/bootstrap --slurm) cannot be installed here"
              exit 77; }
    done
fi
for c in munged slurmctld slurmd sbatch sinfo squeue python3; do
    command -v "$c" >/dev/null ||
        { echo "FAIL: $c missing after scripts/bootstrap --slurm"; exit 1; }
done

fail=0
t=$(mktemp -d /tmp/rfn_slurm.XXXXXX)
chmod 755 "$t" # munged wants its socket's directories searchable by all
cleanup() {
    slurm_single_node_stop
    if [ "${RFN_SLURM_KEEP:-0}" = 1 ]; then echo "kept $t"; else rm -rf "$t"; fi
}
trap cleanup EXIT
t_start=$(date +%s.%N)
elapsed() { awk -v a="$t_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

slurm_single_node_start "$t/cluster" ||
    { echo "FAIL: the single-node cluster did not start"; exit 1; }
echo "cluster up after $(elapsed) s: $(sinfo -h -N -o '%N %c CPUs %m MiB %t')"

# ---- the sample batch ---------------------------------------------------------------------------
# Made here with scripts/make-sample (the bundled recipe), validated as scripts/demo does.
scripts/make-sample "$t/sample" >/dev/null || { echo "FAIL: scripts/make-sample"; exit 1; }
vargs=(--register sample/register.csv --derogations sample/derogations.csv
       --manifest sample/manifest.csv --lab-results sample/lab --cal-db -40
       --notice-date 2024-03-01)
cd "$t" || exit 1

"$rf" validate "${vargs[@]}" --quiet --out "$t/single"
rc=$?
[ $rc -le 1 ] || { echo "FAIL: single-machine validate exited $rc"; exit 1; }
echo "single run done after $(elapsed) s (exit $rc)"

# same_as_single DIR NAME: DIR holds the single run's files, identical but for generated_at.
same_as_single() {
    local f n=0
    for f in "$t/single"/*; do
        [ -f "$f" ] || continue
        n=$((n + 1))
        case "$f" in
        */summary.json)
            grep -v '"generated_at"' "$f" >"$t/sum.want"
            grep -v '"generated_at"' "$1/summary.json" >"$t/sum.got" 2>&1
            if ! diff "$t/sum.want" "$t/sum.got" >"$t/diff" 2>&1; then
                echo "FAIL: $2: summary.json differs from the single run's:"; head -n 20 "$t/diff"
                fail=1
            fi
            ;;
        *) cmp -s "$f" "$1/${f##*/}" || { echo "FAIL: $2: ${f##*/} differs"; fail=1; } ;;
        esac
    done
    [ $n -ge 5 ] || { echo "FAIL: the single run wrote only $n files"; fail=1; }
}

# ---- 0. submit's usage errors: exit 2, one line -------------------------------------------------
usage_error() { # WANT_LINE ARGS...
    local want=$1 rc
    shift
    "$root/scripts/slurm/submit" "$@" >"$t/usage.out" 2>&1
    rc=$?
    if [ $rc -ne 2 ] || [ "$(cat "$t/usage.out")" != "$want" ]; then
        echo "FAIL: submit $*: exit $rc, '$(cat "$t/usage.out")', want 2, '$want'"; fail=1
    fi
}
usage_error "submit: '--out' is set per task by the array; leave it out" \
    --work "$t/bad" -- "${vargs[@]}" --out x
usage_error "submit: '--jobs' is set per task by the array; leave it out" \
    --work "$t/bad" -- "${vargs[@]}" --jobs 4
usage_error "submit: --work DIR is required (see scripts/slurm/submit --help)" -- "${vargs[@]}"
usage_error "submit: $t/none/job.conf: not found (submit the run first)" --rerun 1 --work "$t/none"
[ ! -e "$t/bad" ] || { echo "FAIL: a refused submit created its --work directory"; fail=1; }

# ---- 1. the array and its merge -----------------------------------------------------------------
# the merge job also adds the result to a workspace holding the batch's register snapshot
"$rf" workspace init "$t/ws" >/dev/null || { echo "FAIL: rfnoise workspace init"; exit 1; }
"$rf" workspace import-register sample/register.csv --as-of 2024-03-01 --workspace "$t/ws" \
    --quiet >/dev/null || { echo "FAIL: rfnoise workspace import-register"; exit 1; }
"$root/scripts/slurm/submit" --work "$t/run1" --tasks 4 --cpus-per-task 1 --workspace "$t/ws" \
    --wait -- "${vargs[@]}" >"$t/run1.out" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
    echo "FAIL: submit --wait exited $rc:"; cat "$t/run1.out"; cat "$t/run1"/log/*.out; fail=1
fi
grep -q '^array [0-9]* tasks 4$' "$t/run1.out" || { echo "FAIL: no 'array ID tasks 4'"; fail=1; }
for k in 0 1 2 3; do
    grep -q "^shard=$k/4 state=ok exit=0 .* cpus=1 " "$t/run1/status/shard-$k" ||
        { echo "FAIL: run1 status of shard $k: $(cat "$t/run1/status/shard-$k" 2>&1)"; fail=1; }
done
grep -q '^merge state=ok verdict_exit=[01] ' "$t/run1/status/merge" ||
    { echo "FAIL: run1 merge status: $(cat "$t/run1/status/merge" 2>&1)"; fail=1; }
same_as_single "$t/run1/merged" "array of 4"
"$rf" workspace status --workspace "$t/ws" >"$t/ws.status"
devices=$(($(wc -l <"$t/single/devices.csv") - 1))
if ! grep -qx 'result_sets: 1' "$t/ws.status" || ! grep -qx "verdicts: $devices" "$t/ws.status"
then
    echo "FAIL: the workspace did not get the $devices verdicts:"; cat "$t/ws.status"; fail=1
fi
echo "array of 4 + merge done after $(elapsed) s"

# ---- 2. a failed task and a killed one: reported, merge refuses naming them, rerun, merged -------
# Task 2 fails; task 3 hangs until scancel kills it (Slurm's SIGTERM: status "killed").
# No --tasks: the default, one task per 16 captures, gives 4 for the sample's 58.
RFNOISE_SLURM_FAIL_TASKS=2 RFNOISE_SLURM_HOLD_TASKS=3 "$root/scripts/slurm/submit" \
    --work "$t/run2" --wait -- "${vargs[@]}" >"$t/run2.out" 2>&1 &
submit_pid=$!
for _ in $(seq 300); do
    grep -qs ' state=running ' "$t/run2/status/shard-3" && break
    sleep 0.1
done
array2=$(sed -n 's/^array \([0-9]*\) tasks 4$/\1/p' "$t/run2.out")
if [ -n "$array2" ] && grep -qs ' state=running ' "$t/run2/status/shard-3"; then
    scancel "${array2}_3"
else
    echo "FAIL: no 'array ID tasks 4' or task 3 never started: $(cat "$t/run2.out")"; fail=1
    scancel "$array2" 2>/dev/null
fi
wait $submit_pid
rc=$?
[ $rc -eq 1 ] ||
    { echo "FAIL: submit with tasks 2, 3 failing exited $rc, want 1"; cat "$t/run2.out"; fail=1; }
grep -q '^submit: shard=2/4 state=failed exit=1 ' "$t/run2.out" ||
    { echo "FAIL: task 2's failure not reported:"; cat "$t/run2.out"; fail=1; }
grep -q '^submit: shard=3/4 state=killed exit=143 ' "$t/run2.out" ||
    { echo "FAIL: task 3's kill not reported:"; cat "$t/run2.out"; fail=1; }
grep -qF "submit: rerun: scripts/slurm/submit --rerun 2,3 --work $t/run2" "$t/run2.out" ||
    { echo "FAIL: no rerun command printed:"; cat "$t/run2.out"; fail=1; }
grep -q '^merge state=not-run$' "$t/run2.out" ||
    { echo "FAIL: the merge ran although tasks 2, 3 failed:"; cat "$t/run2.out"; fail=1; }
[ ! -e "$t/run2/merged" ] || { echo "FAIL: run2/merged exists with shards missing"; fail=1; }

# Shard 3 is rerun alone, with 2 CPUs (rfnoise --jobs 2: the same bits); shard 2 is still
# missing and the merge after the rerun says so.
"$root/scripts/slurm/submit" --rerun 3 --cpus-per-task 2 --work "$t/run2" --wait \
    >"$t/run2-rerun3.out" 2>&1
rc=$?
[ $rc -eq 1 ] || { echo "FAIL: rerun of 3 with 2 missing: submit exited $rc, want 1"; fail=1; }
grep -q '^shard=3/4 state=ok exit=0 .* cpus=2 ' "$t/run2/status/shard-3" ||
    { echo "FAIL: rerun status of shard 3: $(cat "$t/run2/status/shard-3")"; fail=1; }
grep -q '^merge state=failed verdict_exit=2 ' "$t/run2-rerun3.out" ||
    { echo "FAIL: merge status with shard 2 missing:"; cat "$t/run2-rerun3.out"; fail=1; }
log=$t/run2/log/merge-$(sed -n 's/^merge \([0-9]*\)$/\1/p' "$t/run2-rerun3.out").out
grep -qx 'rfnoise: merge: missing shard 2/4' "$log" ||
    { echo "FAIL: the merge did not name the missing shard 2/4:"; cat "$log"; fail=1; }
grep -qx 'rfnoise-merge: shards missing: 2; rerun them alone, then merge again:' "$log" ||
    { echo "FAIL: the merge job did not list shard 2:"; cat "$log"; fail=1; }
[ ! -e "$t/run2/merged" ] || { echo "FAIL: a refused merge wrote run2/merged"; fail=1; }

"$root/scripts/slurm/submit" --rerun 2 --work "$t/run2" --wait >"$t/run2-rerun.out" 2>&1
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: submit --rerun 2 exited $rc"; cat "$t/run2-rerun.out"; fail=1; }
grep -q '^array [0-9]* tasks 2$' "$t/run2-rerun.out" || { echo "FAIL: rerun array line"; fail=1; }
grep -q '^shard=2/4 state=ok exit=0 ' "$t/run2/status/shard-2" ||
    { echo "FAIL: rerun status of shard 2: $(cat "$t/run2/status/shard-2")"; fail=1; }
same_as_single "$t/run2/merged" "after the rerun of task 2"
echo "failed task, refused merge, rerun + merge done after $(elapsed) s"

if [ $fail -ne 0 ]; then
    slurm_sn_logs
    exit 1
fi
echo "PASS: slurm job array == single run; failed shard detected, rerun, merged ($(elapsed) s)"
