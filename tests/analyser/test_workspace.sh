#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_workspace.sh: the scripted 90-day remediation story through the real rfnoise binary:
# snapshot 1 -> validate results -> cases opened with a notice date -> snapshot 2 (one meter
# replaced, one decommissioned, one firmware-upgraded) -> its re-measurement -> snapshots on and
# after the due date -> report. Every case's history must be exactly as scripted
# (tests/data/workspace/expected-history.csv); then the report's files are checked, a forged
# history row is found by status --check, and installs either side of the cut-off's UK
# midnight are judged in UK time.
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
D=tests/data/workspace
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export RFNOISE_WORKSPACE=$T/ws
export LOGNAME=ops-test SOURCE_DATE_EPOCH=1767225600
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
run() { "$rf" "$@" >"$T/out" 2>"$T/err"; echo $? >"$T/rc"; }
expect_rc() { [ "$(cat "$T/rc")" = "$1" ] || bad "$2: exit $(cat "$T/rc"), wanted $1: $(cat "$T/err")"; }

# ---- errors before there is a workspace ----
run workspace status
expect_rc 2 "status without a workspace"
grep -q "not a workspace (no workspace.db; run rfnoise workspace init" "$T/err" || bad "no-workspace message: $(cat "$T/err")"

run workspace init "$T/ws"; expect_rc 0 init
run workspace import-register $D/register1.csv
expect_rc 2 "import-register without --as-of"
grep -q "import-register needs --as-of DATE" "$T/err" || bad "missing --as-of message"

# ---- the story ----
run workspace import-register $D/register1.csv --as-of 2026-01-05; expect_rc 0 snapshot1
grep -q "^snapshot=1 rows_read=11 rows_accepted=10 rows_rejected=1 rows_on_wall=9 " "$T/out" || bad "snapshot 1 line: $(cat "$T/out")"
run workspace add-results $D/results1; expect_rc 0 results1
grep -q "^result_set=1 devices=9 compliant=1 derogation_compliant=1 non_compliant=7 inconclusive=0 retest_required=0 unassessed=0 captures=8 captures_new=8 measurements=0$" "$T/out" || bad "results 1: $(cat "$T/out")"
run remediation open --notice-date 2026-01-10; expect_rc 0 open
[ "$(cat "$T/out")" = "opened=6 skipped=1" ] || bad "open: $(cat "$T/out")"
run remediation open --notice-date 2026-01-10; expect_rc 0 "open again"
[ "$(cat "$T/out")" = "opened=0 skipped=7" ] || bad "open is not idempotent: $(cat "$T/out")"
# An agreed plan dated before the notice or more than 3 years after it is a typing error (issue 15).
run remediation plan-agreed 4 --date 2026-01-09; expect_rc 2 "plan agreed before the notice"
grep -q "case 4: plan agreed on 2026-01-09 is before its notice of 2026-01-10" "$T/err" || bad "plan before notice: $(cat "$T/err")"
run remediation plan-agreed 4 --date 2099-01-01; expect_rc 2 "plan agreed in 2099"
grep -q "over 3 years after" "$T/err" || bad "plan in 2099: $(cat "$T/err")"
run remediation plan-agreed 4 --date 2026-01-18; expect_rc 0 plan-agreed
run remediation note 5 "Supplier says: =cmd|' /C calc'!A0" --date 2026-02-01; expect_rc 0 note
run remediation note 77 "x" --date 2026-02-01; expect_rc 2 "note on a missing case"
grep -q "no remediation case 77" "$T/err" || bad "missing case message: $(cat "$T/err")"

run workspace import-register $D/register2.csv --as-of 2026-03-01; expect_rc 0 snapshot2
grep -q "^cases_to_open=0 cases_to_overdue=0 cases_to_remediated=1 cases_to_resolved=0 cases_to_missing=0$" "$T/out" || bad "snapshot 2 changes: $(cat "$T/out")"
run workspace import-register $D/register2.csv --as-of 2026-03-01; expect_rc 0 "snapshot 2 again"
grep -q "already=1" "$T/out" || bad "re-import not detected"
# A shrunken extract (a stray quote, a partial export) is refused unless accepted on purpose,
# in a copy of the workspace so that the story goes on unchanged (issue 15).
cp -r "$RFNOISE_WORKSPACE" "$T/ws-shrink"
head -n 4 $D/register2.csv >"$T/short.csv"
run workspace import-register "$T/short.csv" --as-of 2026-03-15 --workspace "$T/ws-shrink"
expect_rc 2 "a shrunken extract"
grep -q "short.csv: 3 rows accepted against [0-9]* in the latest snapshot (.* fewer, more than 5 %): a partial or broken extract? give --accept-shrink" "$T/err" || bad "shrink message: $(cat "$T/err")"
run workspace import-register "$T/short.csv" --as-of 2026-03-15 --workspace "$T/ws-shrink" --accept-shrink
expect_rc 0 "a shrunken extract accepted"
if command -v sqlite3 >/dev/null; then
    [ "$(sqlite3 "$T/ws-shrink/workspace.db" "SELECT shrink_accepted FROM snapshot ORDER BY id DESC LIMIT 1")" = 1 ] || bad "--accept-shrink is not recorded"
fi
run workspace import-register $D/register1.csv --as-of 2026-02-01; expect_rc 2 "older snapshot"
grep -q "is before the latest snapshot's (2026-03-01)" "$T/err" || bad "older snapshot message: $(cat "$T/err")"
run workspace add-results $D/results2; expect_rc 0 results2
grep -q "captures=2 captures_new=1 measurements=0$" "$T/out" || bad "capture dedup: $(cat "$T/out")"
grep -q "cases_to_resolved=1 cases_to_missing=0$" "$T/out" || bad "results 2 changes: $(cat "$T/out")"

# on the due date nothing is overdue yet; the day after, the three still installed are
run workspace import-register $D/register3.csv --as-of 2026-04-10; expect_rc 0 snapshot3
grep -q "cases_to_missing=1$" "$T/out" || bad "snapshot 3: meter 01 absent: $(cat "$T/out")"
run workspace status; grep -q "^cases_missing_from_extract: 1$" "$T/out" || bad "status missing: $(cat "$T/out")"
run remediation list; grep -q '^1,Alpha Energy,00-11-22-FF-FE-00-00-01,.*,missing-from-extract,' "$T/out" || bad "case 1 missing: $(cat "$T/out")"
run remediation list
[ "$(grep -c ',overdue,' "$T/out")" = 0 ] || bad "overdue on the due date"
# Agreed plans move the due date, a timetable is agreed or missed (issue 15), in a copy of the
# workspace so that the scripted story goes on unchanged.
cp -r "$RFNOISE_WORKSPACE" "$T/ws-plan"
P=(--workspace "$T/ws-plan")
run remediation plan-agreed --supplier "Alpha Energy" --date 2026-02-01 --due 2026-06-30 "${P[@]}" --by "J. Smith"
expect_rc 0 "plan agreed for a Supplier"
grep -q "^plans_agreed=3$" "$T/out" || bad "plans agreed for Alpha's active cases 1 (missing), 4 and 5: $(cat "$T/out")"
run remediation plan-agreed 6 --date 2026-02-01 --due 2029-06-30 "${P[@]}"; expect_rc 2 "removal due in 2029"
grep -q "case 6: removal due 2029-06-30 is over 3 years after its notice of 2026-01-10" "$T/err" || bad "due date message: $(cat "$T/err")"
run workspace import-register $D/register4.csv --as-of 2026-04-11 "${P[@]}"; expect_rc 0 "snapshot4 with agreed plans"
run remediation list "${P[@]}"
grep -q '^4,Alpha Energy,.*,open,' "$T/out" && grep -q '^5,Alpha Energy,.*,open,' "$T/out" && grep -q '^6,.*,overdue,' "$T/out" ||
    bad "the agreed removal date (2026-06-30) should keep cases 4 and 5 open, 6 overdue: $(cat "$T/out")"
run remediation history 4 "${P[@]}"
grep -q ',plan-agreed,,,remediation plan agreed: removal due 2026-06-30,J. Smith$' "$T/out" || bad "plan-agreed history: $(cat "$T/out")"
run report --workspace "$T/ws-plan" --as-of 2026-04-30 --out "$T/rep-plan" --no-plots; expect_rc 0 "report with plans"
grep -q 'Timetable of the notice of 2026-01-10 (agreement due 2026-01-20): <strong class="overdue">not agreed: timetable missed</strong>' "$T/rep-plan/report.html" || bad "missed timetable not flagged"
run remediation timetable-agreed --notice-date 2026-01-10 --date 2026-01-15 "${P[@]}" --by "Ops Group"; expect_rc 0 "timetable agreed"
run remediation timetable-agreed --notice-date 2026-02-10 --date 2026-02-15 "${P[@]}"; expect_rc 2 "timetable of no notice"
run report --workspace "$T/ws-plan" --as-of 2026-04-30 --out "$T/rep-plan2" --no-plots; expect_rc 0 "report with a timetable"
grep -q 'agreement due 2026-01-20): agreed on 2026-01-15 by Ops Group.' "$T/rep-plan2/report.html" || bad "agreed timetable not shown"
run workspace status --check "${P[@]}"; expect_rc 0 "chain after plans"
grep -q "^history_chain: ok$" "$T/out" || bad "history chain: $(cat "$T/out")"
run workspace import-register $D/register4.csv --as-of 2026-04-11; expect_rc 0 snapshot4
run remediation list
[ "$(grep -c ',overdue,' "$T/out")" = 3 ] || bad "three cases should be overdue after the due date: $(cat "$T/out")"
run remediation list --as-of 2026-03-15
[ "$(grep -c ',overdue,' "$T/out")" = 0 ] || bad "list --as-of 2026-03-15 shows overdue"
grep -q '^4,Alpha Energy,.*,open,' "$T/out" || bad "case 4 open on 2026-03-15"

run remediation history; expect_rc 0 history
if diff -u $D/expected-history.csv "$T/out"; then ok "history exactly as scripted"; else bad "history differs"; fi
run remediation plan --supplier "Alpha Energy"; expect_rc 0 plan
# Case 5 followed its meter from Beta Power to Alpha Energy (register3), notice date kept.
[ "$(tail -n +2 "$T/out" | cut -d, -f1 | tr '\n' ' ')" = "4 5 " ] || bad "Alpha plan: $(cat "$T/out")"
grep -q '^5,Alpha Energy,00-11-22-FF-FE-00-00-11,.*,overdue,2026-01-10,' "$T/out" || bad "transferred case 5 in Alpha's plan: $(cat "$T/out")"
cp "$T/out" "$T/alpha-plan.csv"
run remediation plan --supplier "  alpha   ENERGY"; expect_rc 0 "plan, other spelling"
cmp -s "$T/out" "$T/alpha-plan.csv" || bad "--supplier ignoring case and spacing: $(cat "$T/out")"
run remediation plan --supplier "Alpha Enrgy"; expect_rc 2 "plan of an unknown Supplier"
grep -q "rfnoise: remediation: --supplier 'Alpha Enrgy': no Supplier of that name" "$T/err" || bad "unknown Supplier message: $(cat "$T/err")"
run remediation plan --supplier "Beta Power"; expect_rc 0 "Beta plan"
[ "$(wc -l < "$T/out")" = 1 ] || bad "the losing Supplier still lists the case: $(cat "$T/out")"

run workspace status --check; expect_rc 0 status
grep -q "^integrity: ok$" "$T/out" || bad "integrity"
grep -q "^cases_overdue: 3$" "$T/out" || bad "status overdue count"

# ---- the report ----
run report --workspace "$T/ws" --as-of 2026-04-30 --out "$T/rep1"; expect_rc 0 report
grep -q "cases=6 active=3 suppliers=3 plans=2 non_compliant=6" "$T/out" || bad "report summary: $(cat "$T/out")"
run report --workspace "$T/ws" --as-of 2026-04-30 --out "$T/rep2"; expect_rc 0 "report again"
for f in "$T"/rep1/*; do
    cmp -s "$f" "$T/rep2/$(basename "$f")" || bad "$(basename "$f") differs between two runs"
done
[ "$(ls "$T/rep1" | wc -l)" = "$(ls "$T/rep2" | wc -l)" ] || bad "file lists differ"
H=$T/rep1/report.html
[ -e "$T/rep1/remediation-plan-Beta_Power.csv" ] && bad "a plan for Beta Power, whose only case moved"
for f in report.html cases.csv trend.csv remediation-plan-Alpha_Energy.csv \
         remediation-plan-_Gamma__Supply___b_.csv; do
    [ -s "$T/rep1/$f" ] || bad "missing $f"
done
# self-contained: no URL, script, stylesheet link, frame or remote resource; links only to #ids
if grep -qiE 'https?:|<script|<link|<iframe|<object|<embed|@import|url\(|src=|//[a-z]' "$H"; then
    bad "report.html has an external reference: $(grep -oiE '.{20}(https?:|<script|<link|<iframe|<object|<embed|@import|url\(|src=|//[a-z]).{20}' "$H" | head -3)"
else ok "no external references"; fi
grep -oE 'href="[^"]*"' "$H" | grep -v '^href="#' && bad "a link leaves the page"
grep -oE "href='[^']*'" "$H" | grep -v "^href='#" && bad "a link leaves the page"
grep -q '=Gamma/&quot;Supply&quot; &lt;b&gt;' "$H" || bad "Supplier name not escaped"
grep -q '"Supply" <b>' "$H" && bad "raw Supplier name in the HTML"
grep -q '<table class="headline">' "$H" || bad "no headline table"
grep -q '<h3>Alpha Energy (0 open, 2 overdue, 0 missing from the extract)</h3>' "$H" || bad "timetable heading counts by state: $(grep -o '<h3>Alpha[^<]*' "$H")"
grep -q 'Illustrative limits' "$H" && bad "the note on illustrative limits without an illustrative result set"
grep -q 'The share of installs that are non-compliant meters is flat (neither rising nor falling) at 95 % confidence' "$H" || bad "trend statement"
if command -v gnuplot >/dev/null || [ -n "${RFN_GNUPLOT:-}" ]; then
    # the three gnuplot charts and the reasons chart (drawn by rfnoise itself)
    [ "$(grep -c '<svg' "$H")" = 4 ] || bad "four inline charts expected"
else
    grep -q 'class="note">Charts are not drawn' "$H" || bad "no gnuplot: the page must say so"
fi
grep -q "^6,\"'=Gamma/\"\"Supply\"\" <b>\"," "$T/rep1/cases.csv" || bad "cases.csv Supplier not neutralised"
# each Supplier's plan holds only that Supplier's devices, and exactly its open/overdue cases
/usr/bin/python3 - "$T/rep1" <<'EOF' || fail=1
import csv, sys, os
d = sys.argv[1]
cases = list(csv.DictReader(open(os.path.join(d, 'cases.csv'))))
names = {'Alpha Energy': 'Alpha_Energy', "'=Gamma/\"Supply\" <b>": '_Gamma__Supply___b_'}
bad = 0
for sup, base in names.items():
    rows = list(csv.DictReader(open(os.path.join(d, 'remediation-plan-%s.csv' % base))))
    want = sorted(c['DeviceID'] for c in cases
                  if c['Supplier'] == sup and c['state'] in ('open', 'overdue'))
    got = sorted(r['DeviceID'] for r in rows)
    if any(r['Supplier'] != sup for r in rows) or got != want or not got:
        print('FAIL: plan of %r: %r, wanted %r' % (sup, got, want)); bad = 1
sys.exit(bad)
EOF
head -1 "$T/rep1/trend.csv" | grep -q "^month,installs,non_compliant,share," || bad "trend.csv header"
grep -q "^2025-11,2,2,1.0000,1,1,0,0,1,1$" "$T/rep1/trend.csv" || bad "trend.csv 2025-11 row"
# The window ends at the last install month the extract covers (2026-02 here), whatever the
# report's date: a report dated years later states the same trend (issue 15).
tail -1 "$T/rep1/trend.csv" | grep -q "^2026-02," || bad "trend window end: $(tail -1 "$T/rep1/trend.csv")"
run report --workspace "$T/ws" --as-of 2030-01-01 --out "$T/rep-late" --no-plots; expect_rc 0 "report 2030"
cmp -s "$T/rep1/trend.csv" "$T/rep-late/trend.csv" || bad "the trend moves with the report date"

# as of an earlier date the report shows the states of that date
run report --workspace "$T/ws" --as-of 2026-03-15 --out "$T/rep3"; expect_rc 0 "report 2026-03-15"
grep -q ',open,2026-01-10,' "$T/rep3/cases.csv" || bad "2026-03-15: open cases expected"
grep -q ',overdue,' "$T/rep3/cases.csv" && bad "2026-03-15: nothing overdue yet"
grep -q 'register3.csv' "$T/rep3/report.html" && bad "2026-03-15: a later snapshot in the provenance"
grep -q '(due date passed; no snapshot since)' "$T/rep3/report.html" && bad "2026-03-15: not past due yet"
run report --workspace "$T/ws" --as-of 2026-04-10 --out "$T/rep6" --no-plots
grep -q '(due date passed; no snapshot since)' "$T/rep6/report.html" && bad "2026-04-10 is the due date itself"
run report --workspace "$T/ws" --as-of 2026-04-11 --out "$T/rep7" --no-plots
grep -q 'class="overdue">overdue' "$T/rep7/report.html" || bad "2026-04-11: overdue after the snapshot of that day"
# past the due date with no snapshot since: still open (nothing shows the meter installed), with
# a hint in the timetable
"$rf" workspace init "$T/ws-hint" >/dev/null
RFNOISE_WORKSPACE=$T/ws-hint "$rf" workspace import-register $D/register1.csv --as-of 2026-01-05 >/dev/null
RFNOISE_WORKSPACE=$T/ws-hint "$rf" workspace add-results $D/results1 >/dev/null
RFNOISE_WORKSPACE=$T/ws-hint "$rf" remediation open --notice-date 2026-01-10 >/dev/null
run report --workspace "$T/ws-hint" --as-of 2026-05-01 --out "$T/rep8" --no-plots
[ "$(grep -c '>open (due date passed; no snapshot since)<' "$T/rep8/report.html")" = 6 ] || bad "past-due hint on the 6 open cases"
grep -q 'register2.csv' "$T/rep3/report.html" || bad "2026-03-15: snapshot 2 missing from the provenance"
run report --workspace "$T/ws" --as-of 2026-02-01 --out "$T/rep5" --no-plots; expect_rc 0 "report 2026-02-01"
grep -q 'workspace/results1<' "$T/rep5/report.html" || bad "2026-02-01: result set 1 missing"
grep -q 'workspace/results2<' "$T/rep5/report.html" && bad "2026-02-01: result set 2 (made later) shown"
grep -q "^3,Alpha Energy,.*,open,2026-01-10," "$T/rep5/cases.csv" || bad "2026-02-01: case 3 not yet resolved"

# without gnuplot the page still renders and says why there are no charts
RFN_GNUPLOT=/nonexistent/gnuplot run report --workspace "$T/ws" --as-of 2026-04-30 --out "$T/rep4"
expect_rc 0 "report without gnuplot"
grep -q "plots=no" "$T/out" || bad "plots=no expected"
grep -q 'class="note">Charts are not drawn: /nonexistent/gnuplot not found' "$T/rep4/report.html" || bad "no-gnuplot note"
grep -q '<table class="headline">' "$T/rep4/report.html" || bad "no-gnuplot page lacks the headline"

# a workspace made by a newer rfnoise is refused with a clear message
if command -v sqlite3 >/dev/null; then
    cp -r "$T/ws" "$T/ws-new"
    sqlite3 "$T/ws-new/workspace.db" "PRAGMA user_version = 99" >/dev/null
    run workspace status --workspace "$T/ws-new"; expect_rc 2 "newer schema"
    grep -q "workspace schema version 99 is newer than this rfnoise supports (5): upgrade rfnoise" "$T/err" || bad "newer schema message: $(cat "$T/err")"
    # an empty database (version 0) is migrated forward to the current version when opened
    mkdir "$T/ws-old" && sqlite3 "$T/ws-old/workspace.db" "PRAGMA user_version = 0; VACUUM" >/dev/null
    run workspace status --workspace "$T/ws-old"; expect_rc 0 "migrate version 0"
    grep -q "^schema_version: 5$" "$T/out" || bad "migration: $(cat "$T/out")"
    [ "$(sqlite3 "$T/ws-old/workspace.db" "PRAGMA user_version")" = 5 ] || bad "user_version after migration"
else
    echo "note: sqlite3 CLI absent: newer-schema and migration checks skipped"
fi
# a file that is not a database
mkdir "$T/ws-bad" && echo "not a database" >"$T/ws-bad/workspace.db"
run workspace status --workspace "$T/ws-bad"; expect_rc 2 "not a database"
grep -q "^rfnoise: workspace: $T/ws-bad: not an rfnoise workspace: workspace.db is not a" "$T/err" ||
    bad "not-a-database message: $(cat "$T/err")"

# ---- a broken audit chain, found by status --check (issue 15) ----
# A history row changed behind the database's back (its append-only trigger dropped first) is
# named by --check; Python's sqlite3 module plays the forger (no sqlite3 CLI needed).
cp -r "$T/ws" "$T/ws-forged"
/usr/bin/python3 - "$T/ws-forged/workspace.db" <<'PY' || bad "forging a history row"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("DROP TRIGGER case_history_append_only_update;"
                 "UPDATE case_history SET detail = 'forged' WHERE id = 2;")
db.commit()
PY
run workspace status --check --workspace "$T/ws-forged"; expect_rc 2 "a forged history row"
grep -q "^history_chain: case history row 2 (case 2, opened)" "$T/out" "$T/err" ||
    bad "the forged row is not named: $(cat "$T/out" "$T/err")"
run workspace status --check; expect_rc 0 "the untouched workspace"

# ---- UK time: installs either side of the cut-off's midnight (issue 15) ----
# DRG-SAMPLE-001 (sample batch) covers AM-100 1.3.0 in AB/IV/KW until 2022-03-31. 23:30 at
# +01:00 is 23:30 BST on 31 March (inside); 23:30 at -01:00 is 01:30 BST on 1 April (after).
"$rf" synth --batch "$T/b" --seed 20221 >/dev/null || bad "synth --batch"
{ head -n 1 "$T/b/register.csv"
  echo 'Acorn Energy,00-12-A5-FF-FE-00-00-01,ESME,1100243731100,Acme Meters,AM-100,1.3.0,North,Single Band,AB5 3ES,2022-03-31T23:30+01:00,Commissioned,'
  echo 'Acorn Energy,00-12-A5-FF-FE-00-00-02,ESME,1764444432768,Acme Meters,AM-100,1.3.0,North,Dual Band,KW5 0WQ,2022-03-31T23:30-01:00,Commissioned,'
} >"$T/uk.csv"
printf 'capture,DeviceID,captured_at\n' >"$T/uk-manifest.csv"
run validate --register "$T/uk.csv" --derogations "$T/b/derogations.csv" \
    --manifest "$T/uk-manifest.csv" --lab-results "$T/b/lab" --cal-db -40 --quiet --out "$T/uk"
expect_rc 1 "validate across the UK midnight"
grep -q '^Acorn Energy,[0-9]*,00-12-A5-FF-FE-00-00-01,.*,2022-03-31,Commissioned,derogation-compliant,' "$T/uk/devices.csv" &&
    grep -q '^Acorn Energy,[0-9]*,00-12-A5-FF-FE-00-00-02,.*,2022-04-01,Commissioned,non-compliant,exceeds-limit;installed-after-cutoff,' "$T/uk/devices.csv" ||
    bad "the UK midnight: $(cut -d, -f3,11-14 "$T/uk/devices.csv")"
U=(--workspace "$T/ws-uk")
run workspace init "$T/ws-uk" && run workspace import-register "$T/uk.csv" --as-of 2022-06-01 "${U[@]}" &&
    run workspace add-results "$T/uk" "${U[@]}" && run remediation open --notice-date 2022-06-10 "${U[@]}"
[ "$(cat "$T/out")" = "opened=1 skipped=0" ] || bad "one case, the install after the cut-off: $(cat "$T/out")"

[ $fail -eq 0 ] && echo "workspace story passed"
exit $fail
