#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_supplier_id.sh: case ownership by the register's SupplierID (issue 15): the workspace
# story's first extract given SupplierID and Installer columns, then an extract where
#   - Alpha Energy trades as "Alpha Energy Retail" under the same id ALPH: no transfer, a note;
#   - Beta Power's meter 11 goes to ALPH: transferred, Beta's plan empties, Alpha's lists it;
#   - Gamma's meter 21 keeps its name but gets another id (GAM2): a transfer, by id;
#   - meter 02's row leaves the id empty and keeps the old name: matched by name, nothing moves.
# Then --supplier by id, a case opened after the change (straight to the meter's Supplier),
# an extract without the columns (names decide again), the case CSVs' SupplierID column, and
# the report's reasons by installer (issue 20).
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
D=$(cd "$(dirname "$0")/../data/workspace" && pwd)
T=$(mktemp -d /tmp/rfn_supplier_id.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
fail=0
bad() { echo "FAIL: $*"; fail=1; }
export LOGNAME=ops-test SOURCE_DATE_EPOCH=1767225600
# ids by Supplier, installers alternating by line
awk -F, -v OFS=, 'NR == 1 { print $0 ",SupplierID,Installer"; next }
    { id = /Alpha Energy/ ? "ALPH" : /Beta Power/ ? "BETA" : "GAMM"
      print $0 "," id "," (NR % 2 ? "Fitters North" : "Meterworks") }' "$D/register1.csv" >r1.csv
sed -e '/,ALPH,/s/,Alpha Energy,/,Alpha Energy Retail,/' \
    -e '/FE-00-00-11,/s/,Beta Power,\(.*\),BETA,/,Alpha Energy Retail,\1,ALPH,/' \
    -e '/FE-00-00-21,/s/,GAMM,/,GAM2,/' \
    -e '/FE-00-00-02,/s/,Alpha Energy Retail,\(.*\),ALPH,/,Alpha Energy,\1,,/' r1.csv >r2.csv
[ "$(diff r1.csv r2.csv | grep -c '^>')" = 9 ] || bad "r2 fixture: $(diff r1.csv r2.csv)"

export RFNOISE_WORKSPACE=$T/ws
"$rf" workspace init ws >/dev/null &&
"$rf" workspace import-register --as-of 2026-01-05 r1.csv >/dev/null &&
"$rf" workspace add-results "$D/results1" >/dev/null &&
"$rf" remediation open --notice-date 2026-01-10 >out || { echo "FAIL: set-up"; exit 1; }
[ "$(cat out)" = "opened=6 skipped=1" ] || bad "open: $(cat out)"
"$rf" remediation list >list1.csv
head -1 list1.csv | grep -q ',state_since,agreed_due,SupplierID$' || bad "list header: $(head -1 list1.csv)"
[ "$(cut -d, -f1 list1.csv | tail -n +2 | sort | tr '\n' ' ')" = "1 2 3 4 5 6 " ] || bad "cases: $(cat list1.csv)"
grep -q '^5,Beta Power,00-11-22-FF-FE-00-00-11,.*,BETA$' list1.csv || bad "case 5's id: $(cat list1.csv)"
"$rf" remediation list --supplier " alph " >by-id.csv && "$rf" remediation list --supplier "ALPHA energy" >by-name.csv
cmp -s by-id.csv by-name.csv && [ "$(wc -l <by-id.csv)" = 5 ] || bad "--supplier by id vs by name: $(cat by-id.csv)"

"$rf" workspace import-register --as-of 2026-02-01 r2.csv >/dev/null || bad "import r2"
"$rf" remediation history >hist.csv
grep -q '^4,00-11-22-FF-FE-00-00-04,2026-02-01,2,,note,,,"Supplier now named Alpha Energy Retail (ALPH), was Alpha Energy (ALPH) (same SupplierID)",ops-test$' hist.csv ||
    bad "rename under the same id: $(cat hist.csv)"
grep -q '^5,00-11-22-FF-FE-00-00-11,2026-02-01,2,,supplier-changed,,,transferred from Beta Power (BETA) to Alpha Energy Retail (ALPH),ops-test$' hist.csv ||
    bad "transfer of case 5: $(cat hist.csv)"
grep -q '^6,.*,supplier-changed,,,"transferred from =Gamma/""Supply"" <b> (GAMM) to =Gamma/""Supply"" <b> (GAM2)",ops-test$' hist.csv ||
    bad "transfer by id alone: $(cat hist.csv)"
[ "$(grep -c ',2026-02-01,' hist.csv)" = 5 ] || bad "one entry each for cases 1 and 3 to 6: $(cat hist.csv)"
grep -q '^2,.*,2026-02-01,' hist.csv && bad "case 2 (no id, same name) moved: $(cat hist.csv)"
"$rf" remediation plan --supplier ALPH >alph.csv
[ "$(tail -n +2 alph.csv | cut -d, -f1 | sort | tr '\n' ' ')" = "1 2 3 4 5 " ] || bad "ALPH plan: $(cat alph.csv)"
grep -q '^5,Alpha Energy Retail,.*,2026-01-10,2026-01-20,,2026-04-10,2026-01-10,,ALPH$' alph.csv ||
    bad "case 5 keeps its notice in the gaining plan: $(cat alph.csv)"
"$rf" remediation plan --supplier "Beta Power" >beta.csv
[ "$(wc -l <beta.csv)" = 1 ] || bad "the losing Supplier still lists the case: $(cat beta.csv)"
"$rf" remediation plan --supplier gam2 | grep -q '^6,.*,GAM2$' || bad "plan by the new id"
"$rf" remediation plan --supplier GAMX >out 2>err && bad "an unknown id is accepted"
grep -q "no Supplier of that name" err || bad "unknown id message: $(cat err)"

# A case opened after the change belongs to the meter's Supplier in the latest extract, even
# though the verdict (result set 1) named Beta Power.
export RFNOISE_WORKSPACE=$T/ws2
"$rf" workspace init ws2 >/dev/null &&
"$rf" workspace import-register --as-of 2026-01-05 r1.csv >/dev/null &&
"$rf" workspace add-results "$D/results1" >/dev/null &&
"$rf" workspace import-register --as-of 2026-02-01 r2.csv >/dev/null &&
"$rf" remediation open --notice-date 2026-02-10 --supplier alph >out || bad "open by id"
# meter 02's row gives no id and its name is not "alph": not ALPH's by what the extract says
[ "$(cat out)" = "opened=4 skipped=0" ] || bad "open --supplier ALPH: $(cat out)"
"$rf" remediation list | grep -q '^[0-9]*,Alpha Energy Retail,00-11-22-FF-FE-00-00-11,.*,ALPH$' ||
    bad "case of meter 11 opened for its new Supplier: $("$rf" remediation list)"
"$rf" remediation history | grep -c supplier-changed | grep -q '^0$' || bad "a new case has no transfer"

# An extract without the columns: names decide; the cases keep their ids.
export RFNOISE_WORKSPACE=$T/ws
cut -d, -f1-12 r2.csv | sed 's/,Alpha Energy Retail,/,ALPHA ENERGY RETAIL,/' >r3.csv
"$rf" workspace import-register --as-of 2026-03-01 r3.csv >/dev/null || bad "import r3"
[ "$("$rf" remediation history | grep -c ',2026-03-01,')" = 0 ] || bad "r3 moved a case: $("$rf" remediation history)"
"$rf" remediation plan --supplier ALPH | grep -q '^5,.*,ALPH$' || bad "case 5 keeps its id"

# The report's cases.csv and plans carry the id.
"$rf" report --as-of 2026-03-15 --out rep --no-plots >/dev/null || bad report
head -1 rep/cases.csv | grep -q ',days_since_notice,agreed_due,SupplierID$' || bad "cases.csv header: $(head -1 rep/cases.csv)"
grep -q '^6,.*,GAM2$' rep/cases.csv || bad "cases.csv ids: $(cat rep/cases.csv)"

# Reasons by installer (issue 20): each installer's non-compliant installs, counted here from
# results1's devices.csv and the installers given in r1.csv, against reasons-by-installer.csv;
# each reason's total is the same by installer as by Supplier (reasons.csv).
awk -F, 'NR == FNR { if (FNR > 1) inst[$1] = $14; next }
         FNR > 1 && $13 == "non-compliant" { n[inst[$3]]++ }
         END { for (i in n) print i "," n[i] }' r1.csv "$D/results1/devices.csv" | sort >want-inst.txt
awk -F, 'NR > 1 { n[$1] += $4 } END { for (i in n) print i "," n[i] }' rep/reasons-by-installer.csv |
    sort >got-inst.txt
[ -s want-inst.txt ] && diff want-inst.txt got-inst.txt >/dev/null ||
    bad "installs by installer: want $(cat want-inst.txt), got $(cat got-inst.txt)"
by_reason() { awk -F, 'NR > 1 { n[$(NF - 2)] += $(NF - 1) } END { for (r in n) print r, n[r] }' "$1" | sort; }
[ "$(by_reason rep/reasons-by-installer.csv)" = "$(by_reason rep/reasons.csv)" ] ||
    bad "reasons by installer vs by Supplier: $(by_reason rep/reasons-by-installer.csv) / $(by_reason rep/reasons.csv)"
grep -q '<h3 id="reasons-installer">By installer</h3>' rep/report.html || bad "no installer section"
grep -q '(2025-09 to 2025-11), by installer: .*Meterworks: unclassified (1 of 1)\.</p>' rep/report.html ||
    bad "leading reason by installer: $(grep 'by installer:' rep/report.html)"
# Without an Installer column (the story's own extracts), neither the file nor the section.
"$rf" report --workspace ws2 --as-of 2026-03-15 --out rep2 --no-plots >/dev/null || bad "report ws2"
RFNOISE_WORKSPACE=$T/ws3 "$rf" workspace init ws3 >/dev/null
RFNOISE_WORKSPACE=$T/ws3 "$rf" workspace import-register --as-of 2026-01-05 "$D/register1.csv" >/dev/null
RFNOISE_WORKSPACE=$T/ws3 "$rf" workspace add-results "$D/results1" >/dev/null
RFNOISE_WORKSPACE=$T/ws3 "$rf" report --as-of 2026-03-15 --out rep3 --no-plots >/dev/null || bad "report ws3"
[ -e rep3/reasons-by-installer.csv ] && bad "reasons-by-installer.csv without an Installer column"
grep -q 'reasons-installer' rep3/report.html && bad "installer section without an Installer column"
[ $fail -eq 0 ] && echo "supplier id passed"
exit $fail
