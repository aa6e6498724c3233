#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_decision_rules_cli.sh: the decision rules end to end (README "Decision rules"). A tone of
# -66 dBFS at 423.05 MHz reads -66 + X dBm/12.5 kHz with --cal-db X against the -110 limit (in a
# copy of the illustrative set holding wan-north-423 alone, so that band's verdict is the
# capture's), so X = -43, -43.8, -44.2, -45 give margins -1, -0.2, +0.2, +1 dB; with U = 0.5 dB
# each rule must give the verdict of the README's table, from --uncertainty-db, a calibration's
# uncertainty_db or a limit set's decision_rule. Then validate and rejudge over the sample batch
# agree with each other under a rule, and no device a rule holds within U is ever judged
# compliant or non-compliant. Bad rule options are one-line input errors (exit 2).
#   name | exit | band verdict | band reasons | stderr ERE | command
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
src=${RFN_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
fail=0
. "$(dirname "$0")/verdict_table.sh"
t=$(mktemp -d /tmp/rfn_rules.XXXXXX)
trap 'rm -rf "$t"' EXIT
cd "$t" || exit 1

"$rf" synth tone.sigmf-meta --rate 2.4e6 --center 423e6 --duration 0.2 --noise -140 \
    --add tone:423.05e6:-66 --seed 1 --quiet || { echo "FAIL: synth"; exit 1; }
/usr/bin/python3 - "$src/data/limits/ichis-annex-f-illustrative.json" <<'PY'
import json, sys
base = json.load(open(sys.argv[1]))
base["bands"] = [b for b in base["bands"] if b["id"] == "wan-north-423"]
for name, extra in (("plain", {}),
                    ("cispr", {"decision_rule": "cispr-16-4-2", "u_cispr_db": 0.25}),
                    ("accept", {"decision_rule": "guarded-accept"})):
    d = dict(base, **extra)
    json.dump(d, open("limits-%s.json" % name, "w"))
PY
printf '{"format": "rfnoise-calibration-1", "id": "u05", "gain_db": -44.2, "uncertainty_db": 0.5}\n' \
    >cal-u05.json
a="analyse tone.sigmf-meta --nfft 4096 --quiet"
p="--limits limits-plain.json"

run_verdict_table <<'TABLE'
simple-m1.0          | 1 | fail | exceeds-limit | - | $a $p --cal-db -43 --decision-rule simple --uncertainty-db 0.5
simple-m0.2          | 1 | fail | exceeds-limit | - | $a $p --cal-db -43.8 --decision-rule simple --uncertainty-db 0.5
simple-p0.2          | 0 | pass | - | - | $a $p --cal-db -44.2 --decision-rule simple --uncertainty-db 0.5
simple-default       | 0 | pass | - | - | $a $p --cal-db -44.2
accept-m1.0          | 1 | fail | exceeds-limit | - | $a $p --cal-db -43 --decision-rule guarded-accept --uncertainty-db 0.5
accept-m0.2          | 1 | fail | exceeds-limit | - | $a $p --cal-db -43.8 --decision-rule guarded-accept --uncertainty-db 0.5
accept-p0.2          | 3 | inconclusive | within-uncertainty | - | $a $p --cal-db -44.2 --decision-rule guarded-accept --uncertainty-db 0.5
accept-p1.0          | 0 | pass | - | - | $a $p --cal-db -45 --decision-rule guarded-accept --uncertainty-db 0.5
reject-m1.0          | 1 | fail | exceeds-limit | - | $a $p --cal-db -43 --decision-rule guarded-reject --uncertainty-db 0.5
reject-m0.2          | 3 | inconclusive | within-uncertainty | - | $a $p --cal-db -43.8 --decision-rule guarded-reject --uncertainty-db 0.5
reject-p0.2          | 0 | pass | - | - | $a $p --cal-db -44.2 --decision-rule guarded-reject --uncertainty-db 0.5
cispr-p0.2           | 1 | fail | exceeds-limit | - | $a --cal-db -44.2 --limits limits-cispr.json --uncertainty-db 0.5
cispr-p1.0           | 0 | pass | - | - | $a --cal-db -45 --limits limits-cispr.json --uncertainty-db 0.5
cispr-no-u           | 3 | inconclusive | uncertainty-not-stated | - | $a --cal-db -45 --limits limits-cispr.json
set-accept-no-u      | 3 | inconclusive | uncertainty-not-stated | - | $a --cal-db -45 --limits limits-accept.json
set-accept-cal-u     | 3 | inconclusive | within-uncertainty | - | $a --cal cal-u05.json --limits limits-accept.json
option-over-set      | 0 | pass | - | - | $a --cal cal-u05.json --limits limits-accept.json --decision-rule simple
option-u-over-cal    | 0 | pass | - | - | $a --cal cal-u05.json --limits limits-accept.json --uncertainty-db 0.1
bad-rule             | 2 | - | - | ^rfnoise: analyse: --decision-rule 'lenient': expected simple, guarded-accept, guarded-reject or cispr-16-4-2$ | $a $p --cal-db -45 --decision-rule lenient
bad-u-negative       | 2 | - | - | ^rfnoise: analyse: --uncertainty-db '-1': expected an expanded uncertainty of 0 \.\.\. 30 dB$ | $a $p --cal-db -45 --uncertainty-db -1
bad-u-large          | 2 | - | - | ^rfnoise: analyse: --uncertainty-db '31': expected | $a $p --cal-db -45 --uncertainty-db 31
bad-u-nan            | 2 | - | - | ^rfnoise: analyse: --uncertainty-db 'nan': expected | $a $p --cal-db -45 --uncertainty-db nan
cispr-no-u-cispr     | 2 | - | - | limits-plain.json: band 'wan-north-423': no u_cispr_db: the cispr-16-4-2 decision rule compares | $a $p --cal-db -45 --decision-rule cispr-16-4-2
TABLE

# The text names the rule and where U came from; the JSON carries both per band.
"$rf" $a --cal cal-u05.json --limits limits-accept.json >out 2>/dev/null
grep -q "^decision .*rule guarded-accept (the limit set's)$" out &&
    grep -q "^  U (k=2) wan-north-423 0.50 dB.* (calibration)$" out ||
    { echo "FAIL: text decision lines: $(grep -A1 '^decision' out)"; fail=1; }
"$rf" $a $p --cal-db -44.2 --decision-rule guarded-reject --uncertainty-db 0.5 --format json >out.json
/usr/bin/python3 - out.json <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
d = d["captures"][0] if "captures" in d else d
b = [x for x in d["bands"] if x["id"] == "wan-north-423"][0]
s = d["settings"]
ok = (b["decision_rule"] == "guarded-reject" and b["uncertainty_db"] == 0.5 and
      b["verdict"] == "pass" and s["decision_rule"] == "guarded-reject" and
      s["decision_rule_given"] == "guarded-reject" and s["uncertainty_db_given"] == 0.5)
if not ok:
    print("FAIL: json decision fields:", b["decision_rule"], b["uncertainty_db"], s)
    sys.exit(1)
PY

# validate under a rule = validate, then rejudge under it; nothing held within U is decided.
"$rf" synth --batch batch --seed 20221 --quiet || { echo "FAIL: synth --batch"; exit 1; }
v=(validate --register batch/register.csv --derogations batch/derogations.csv
   --manifest batch/manifest.csv --lab-results batch/lab --cal-db -40 --quiet)
"$rf" "${v[@]}" --out plain 2>/dev/null
"$rf" "${v[@]}" --decision-rule guarded-reject --uncertainty-db 4 --out direct 2>/dev/null
"$rf" rejudge --results plain --decision-rule guarded-reject --uncertainty-db 4 --out rejudged \
    --quiet 2>/dev/null
"$rf" rejudge --results plain --decision-rule guarded-accept --uncertainty-db 12 --out accept12 \
    --quiet 2>/dev/null
/usr/bin/python3 - <<'PY' || fail=1
import csv, json, sys
def rows(d):
    return {r["DeviceID"]: r for r in csv.DictReader(open(d + "/devices.csv"))}
plain, direct, rej, acc = rows("plain"), rows("direct"), rows("rejudged"), rows("accept12")
bad = []
keys = ("verdict", "reasons", "margin_db", "decision_rule")
if any(tuple(direct[k][c] for c in keys) != tuple(rej[k][c] for c in keys) for k in direct):
    bad.append("validate --decision-rule and rejudge --decision-rule disagree")
if {r["decision_rule"] for r in direct.values()} != {"guarded-reject"}:
    bad.append("devices.csv decision_rule is not guarded-reject everywhere")
if json.load(open("direct/summary.json"))["applied"]["decision_rule"] != "guarded-reject":
    bad.append("summary.json applied.decision_rule")
# Guarded rejection: a non-compliant device exceeds its limit by more than U = 4 dB.
for k, r in rej.items():
    if r["verdict"] == "non-compliant" and r["margin_db"] and float(r["margin_db"]) > -4:
        bad.append("%s non-compliant at margin %s within U" % (k, r["margin_db"]))
held = [k for k in plain if plain[k]["verdict"] == "non-compliant" and plain[k]["margin_db"]
        and -4 <= float(plain[k]["margin_db"]) < 0 and rej[k]["verdict"] == "non-compliant"]
bad += ["%s stayed non-compliant" % k for k in held]
n_held = sum(1 for k in plain if plain[k]["verdict"] != rej[k]["verdict"])
if n_held == 0:
    bad.append("guarded-reject at U = 4 dB held no device (the sample has margins -3 dB)")
# Guarded acceptance at U = 12 dB: every sample pass is within 12 dB, so none stays compliant,
# and what was non-compliant stays so (fails are not guarded).
if any(r["verdict"] == "compliant" for r in acc.values()):
    bad.append("a device compliant under guarded-accept, U = 12 dB")
if any(plain[k]["verdict"] == "non-compliant" and acc[k]["verdict"] != "non-compliant"
       and "exceeds-limit" in plain[k]["reasons"] and "derogation" not in plain[k]["reasons"]
       for k in plain):
    bad.append("guarded-accept changed a plain exceeds-limit fail")
if bad:
    print("FAIL: " + "\nFAIL: ".join(bad[:10]))
    sys.exit(1)
print("validate/rejudge: %d verdicts held by guarded-reject, U = 4 dB" % n_held)
PY
"$rf" "${v[@]}" --decision-rule cispr-16-4-2 --out o-err >/dev/null 2>err
[ $? = 2 ] && [ "$(wc -l <err)" = 1 ] && grep -q "no u_cispr_db" err ||
    { echo "FAIL: validate cispr-16-4-2 without u_cispr_db: $(cat err)"; fail=1; }
"$rf" rejudge --results plain --decision-rule bogus --out o-err2 >/dev/null 2>err
[ $? = 2 ] && grep -q "^rfnoise: rejudge: --decision-rule 'bogus': expected" err ||
    { echo "FAIL: rejudge bad rule: $(cat err)"; fail=1; }

[ $fail -eq 0 ] && echo "decision rules ok"
exit $fail
