#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_workspace_migrate.sh: snapshots stored as changes (workspace schema 3, issue 15) lose
# nothing. tests/data/workspace/schema2.db is a workspace written by rfnoise before the change
# (schema 2, one full copy of the register per snapshot), made in tests/data/workspace from the
# story's inputs, named relative to it (the report's provenance shows the names as given):
#   workspace init; import-register register1.csv --as-of 2026-01-05; add-results results1;
#   remediation open --notice-date 2026-01-10; import-register register2.csv --as-of 2026-02-01;
#   import-register register3.csv --as-of 2026-03-01
# Opened by this rfnoise it is migrated (to schema 3 and on); register4.csv is imported on top, and the
# report must be byte-identical to the one of a workspace this rfnoise builds from the same
# inputs from scratch (changes only), and so must the case history.
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
D=$(cd "$(dirname "$0")/../data/workspace" && pwd)
T=$(mktemp -d /tmp/rfn_ws_migrate.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
q() { "$rf" "$@" >/dev/null 2>"$T/err" || bad "$*: $(cat "$T/err")"; }

mkdir "$T/old" && cp "$D/schema2.db" "$T/old/workspace.db"
"$rf" workspace status --workspace "$T/old" >"$T/status" 2>"$T/err" || bad "status: $(cat "$T/err")"
grep -q "^schema_version: 5$" "$T/status" || bad "not migrated: $(cat "$T/status")"
grep -q "^latest_snapshot_devices: 11$" "$T/status" || bad "devices after migration: $(cat "$T/status")"
cd "$D" || exit 1
q workspace import-register --workspace "$T/old" --as-of 2026-04-01 register4.csv

q workspace init "$T/new"
q workspace import-register --workspace "$T/new" --as-of 2026-01-05 register1.csv
q workspace add-results --workspace "$T/new" results1
q remediation open --workspace "$T/new" --notice-date 2026-01-10
for k in 2 3 4; do
    q workspace import-register --workspace "$T/new" --as-of 2026-0$k-01 "register$k.csv"
done

for w in old new; do
    q report --workspace "$T/$w" --as-of 2026-04-15 --out "$T/rep-$w"
    "$rf" remediation history --workspace "$T/$w" >"$T/hist-$w.csv" 2>"$T/err" ||
        bad "history $w: $(cat "$T/err")"
done
for f in "$T"/rep-new/*; do
    cmp -s "$f" "$T/rep-old/$(basename "$f")" || bad "report file $(basename "$f") differs"
done
# History rows differ only in the wall-clock recorded_at and the chain hash over it.
cut -d, -f1-9 "$T/hist-old.csv" >"$T/h1"; cut -d, -f1-9 "$T/hist-new.csv" >"$T/h2"
cmp -s "$T/h1" "$T/h2" || bad "case history differs: $(diff "$T/h1" "$T/h2" | head -5)"
[ $fail -eq 0 ] && echo "workspace migration ok: schema 2 -> 4, report byte-identical"
exit $fail
