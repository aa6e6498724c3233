#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_csv_input.sh: registers as Suppliers really save them, end to end on the sample batch.
# - line 100 of the register given an unmatched leading quote: 1990 rows still read, one
#   bad-quoting error at line 100, lines = header + rows and rows = accepted + rejected, on the
#   terminal line and in summary.json;
# - the same register saved ';'-separated, in Windows-1252, with DD/MM/YYYY dates (and a Supplier
#   with '£' and 'É'): with --encoding cp1252 --date-format dmy, devices.csv equals that of the
#   UTF-8 ISO original byte for byte; without --date-format one error line names dmy; without
#   --encoding the row is rejected with the cp1252 hint; workspace import-register reads it too;
# - a UTF-16 register says so.
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
py=/usr/bin/python3
fail=0
t=$(mktemp -d /tmp/rfn_csvin.XXXXXX)
trap 'rm -rf "$t"' EXIT
cd "$t" || exit 1
"$rf" synth --batch batch --seed 20221 >/dev/null || { echo "FAIL: synth --batch"; exit 1; }
common=(--derogations batch/derogations.csv --manifest batch/manifest.csv
        --lab-results batch/lab --cal-db -40 --jobs 2)

# The original register with one Supplier renamed to non-ASCII text (UTF-8), and its
# spreadsheet-saved twin (';', cp1252, DD/MM/YYYY).
$py - batch/register.csv orig.csv excel.csv stray.csv <<'EOF' || exit 1
import csv, re, sys
src = open(sys.argv[1], newline="", encoding="utf-8").read()
rows = list(csv.reader(src.splitlines()))
hdr = rows[0]
si, di = hdr.index("Supplier"), hdr.index("InstallDate")
rows[1][si] = "\u00c9nergie \u00a3 Ltd"
for r in rows[1:]:  # the sample's deliberate UK dates would read in dmy: make them ISO
    if len(r) > di and r[di] == "31/12/2021": r[di] = "2021-12-31"
with open(sys.argv[2], "w", newline="", encoding="utf-8") as f:
    csv.writer(f, lineterminator="\n").writerows(rows)
def dmy(v):
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", v)
    return "%s/%s/%s" % (m[3], m[2], m[1]) if m else v
ex = [hdr] + [[dmy(c) if i == di else c for i, c in enumerate(r)] for r in rows[1:]]
with open(sys.argv[3], "w", newline="", encoding="cp1252") as f:
    csv.writer(f, delimiter=";", lineterminator="\r\n").writerows(ex)
# Only the rows whose dates read as DD/MM/YYYY (the sample's bad dates dropped): every date
# fails ISO and reads as dmy.
import datetime
def ok(v):
    try: datetime.datetime.strptime(v, "%d/%m/%Y"); return True
    except ValueError: return v == ""
clean = [ex[0]] + [r for r in ex[1:] if len(r) == len(hdr) and ok(r[di])]
with open("excel_clean.csv", "w", newline="", encoding="cp1252") as f:
    csv.writer(f, delimiter=";", lineterminator="\r\n").writerows(clean)
# line 100 starts with an unmatched quote
lines = open(sys.argv[2], encoding="utf-8").read().split("\n")
lines[99] = '"' + lines[99]
open(sys.argv[4], "w", encoding="utf-8").write("\n".join(lines))
EOF

"$rf" validate --register orig.csv "${common[@]}" --out o1 >o1.txt 2>o1.err
"$rf" validate --register stray.csv "${common[@]}" --out o2 >o2.txt 2>o2.err
$py - o1 o2 o2.txt <<'EOF' || fail=1
import csv, json, sys
s1 = json.load(open(sys.argv[1] + "/summary.json"))["register"]
s2 = json.load(open(sys.argv[2] + "/summary.json"))["register"]
e2 = list(csv.DictReader(open(sys.argv[2] + "/register-errors.csv", newline="")))
bad = 0
def want(cond, what):
    global bad
    if not cond: print("FAIL:", what); bad = 1
want(s2["rows_read"] == s1["rows_read"] == 1990, "rows read %s / %s" % (s1["rows_read"], s2["rows_read"]))
want(s2["lines"] == 1 + s2["rows_read"] + s2["blank_lines"] + s2["continuation_lines"], "lines add up %s" % s2)
want(s2["rows_read"] == s2["rows_accepted"] + s2["rows_rejected"], "rows add up %s" % s2)
want(s2["rows_rejected"] == s1["rows_rejected"] + 1, "one more row rejected: %s vs %s" % (s2, s1))
l100 = [e for e in e2 if e["line"] == "100"]
want(len(l100) == 1 and l100[0]["code"] == "bad-quoting" and "8 lines" in l100[0]["message"], "line 100 error %s" % l100)
want(l100 and l100[0]["DeviceID"] == "" , "line 100 DeviceID column %s" % l100)
txt = open(sys.argv[3]).read()
want("register: %d lines: header, 1990 rows; %d accepted, %d rejected" % (s2["lines"], s2["rows_accepted"], s2["rows_rejected"]) in txt, "terminal line: " + txt)
sys.exit(bad)
EOF

# Supplier and DeviceID columns of register-errors.csv are filled from the row.
$py - o1/register-errors.csv orig.csv <<'EOF' || fail=1
import csv, sys
errs = list(csv.DictReader(open(sys.argv[1], newline="")))
rows = list(csv.reader(open(sys.argv[2], newline="")))
h = rows[0]
ok = 0
for e in errs:
    r = rows[int(e["line"]) - 1]
    if len(r) == len(h) and e["code"] != "duplicate-device-id":
        if e["Supplier"].lstrip("'") != r[h.index("Supplier")].strip() or e["DeviceID"] != r[h.index("DeviceID")].strip():
            print("FAIL: error row", e, "vs", r); sys.exit(1)
        ok += 1
ok > 10 or (print("FAIL: only", ok, "error rows checked"), sys.exit(1))
EOF

# The spreadsheet twin gives the same verdicts byte for byte.
"$rf" validate --register excel.csv "${common[@]}" --encoding cp1252 --date-format dmy \
    --out o3 >o3.txt 2>o3.err
cmp -s o1/devices.csv o3/devices.csv || { echo "FAIL: devices.csv differs for the ';' cp1252 dmy register"; fail=1; }
grep -q "(';'-separated); " o3.txt || { echo "FAIL: separator not named: $(cat o3.txt)"; fail=1; }
grep -q "^register: 1991 lines: header, 1990 rows (';'-separated); 1952 accepted, 38 rejected" o3.txt || { echo "FAIL: o3 line: $(head -1 o3.txt)"; fail=1; }

"$rf" validate --register excel_clean.csv "${common[@]}" --encoding cp1252 --out o4 >/dev/null 2>o4.err
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <o4.err)" -eq 1 ] && grep -q "excel_clean.csv: no InstallDate reads as YYYY-MM-DD, but every one reads as DD/MM/YYYY (line 2: '.*'): give --date-format dmy$" o4.err ||
    { echo "FAIL: dmy hint (exit $rc): $(cat o4.err)"; fail=1; }

"$rf" validate --register excel.csv "${common[@]}" --date-format dmy --out o5 >/dev/null 2>&1
grep -q "^excel.csv,2,Supplier,bad-text,.*byte 0xC9 is 'É' in Windows-1252: give --encoding cp1252" o5/register-errors.csv ||
    { echo "FAIL: cp1252 hint: $(grep ',2,' o5/register-errors.csv)"; fail=1; }

# workspace import-register with the same options.
"$rf" workspace init ws >/dev/null
"$rf" workspace --workspace ws import-register excel.csv --as-of 2024-03-01 --quiet \
    --encoding cp1252 --date-format dmy >ws.txt 2>ws.err
grep -q "rows_read=1990 .* lines=1991 separator=semicolon$" ws.txt ||
    { echo "FAIL: workspace import: $(cat ws.txt ws.err)"; fail=1; }

# UTF-16
$py -c "import sys; open('u16.csv','wb').write(open('orig.csv',encoding='utf-8').read().encode('utf-16'))"
"$rf" validate --register u16.csv "${common[@]}" --out o6 >/dev/null 2>o6.err
rc=$?
[ $rc -eq 2 ] && grep -q "u16.csv: UTF-16 text - save it as UTF-8" o6.err ||
    { echo "FAIL: UTF-16 (exit $rc): $(cat o6.err)"; fail=1; }

"$rf" validate --register orig.csv --encoding utf16 --out o7 >/dev/null 2>o7.err
[ $? -eq 2 ] && grep -q -- "--encoding 'utf16': expected utf8, cp1252 or latin1" o7.err ||
    { echo "FAIL: bad --encoding: $(cat o7.err)"; fail=1; }

# Batch-level messages on stderr: unreadable captures named, uncalibrated once, no evidence.
[ "$(grep -c '^rfnoise: validate: unreadable capture: batch/captures/cap-0[0-9][0-9].sigmf-data: ' o1.err)" -eq 2 ] ||
    { echo "FAIL: unreadable captures: $(cat o1.err)"; fail=1; }
"$rf" validate --register orig.csv --derogations batch/derogations.csv --manifest batch/manifest.csv \
    --lab-results batch/lab --jobs 2 --quiet --out o8 2>o8.err
[ "$(grep -c 'devices inconclusive: uncalibrated — give --cal FILE or --cal-db X$' o8.err)" -eq 1 ] ||
    { echo "FAIL: uncalibrated line: $(cat o8.err)"; fail=1; }
"$rf" validate --register orig.csv --quiet --out o9 2>o9.err
grep -q "warning: no captures and no lab results were given: every device is unassessed" o9.err &&
    $py -c "import json,sys; d=json.load(open('o9/summary.json'))['devices']['by_verdict']; sys.exit(0 if d.get('unassessed',0) > 1500 and sum(d.values()) == d['unassessed'] else 1)" ||
    { echo "FAIL: no-evidence warning: $(cat o9.err)"; fail=1; }

[ $fail -eq 0 ] && echo "test_csv_input: ok"
exit $fail
