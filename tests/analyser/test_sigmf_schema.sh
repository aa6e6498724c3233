#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_sigmf_schema.sh: every SigMF recording rfnoise writes (convert to a pair and to a .sigmf
# archive, synth, the sample batch of synth --batch) passes the official SigMF v1.2.6 schema
# (../shared/sigmf/schema-meta.json, JSON Schema draft 2020-12, checked with Debian's
# python3-jsonschema), declares its rfnoise: keys as an optional extension, keeps software in
# core:recorder and out of core:hw, and names no folder in core:description. Skips where
# ../shared/sigmf is absent.
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
py=/usr/bin/python3
schema=$(cd "$(dirname "$0")/../.." && pwd)/../shared/sigmf/schema-meta.json
if [ ! -f "$schema" ]; then
    echo "SigMF schema checks skipped: $schema is absent (see ../shared/sigmf/README.md)"
    exit 77
fi
$py -c 'import jsonschema; jsonschema.Draft202012Validator' 2>/dev/null ||
    { echo "FAIL: python3-jsonschema with Draft 2020-12 is missing: run scripts/bootstrap"; exit 1; }
t=$(mktemp -d /tmp/rfn_sigmf_schema.XXXXXX)
trap 'rm -rf "$t"' EXIT
fail=0
mkdir -p "$t/deep/private folder"

# ---- write every kind of recording ------------------------------------------------------------
"$rf" synth "$t/synth.sigmf-meta" --rate 1e6 --center 433.92e6 --duration 0.02 --annotate \
    --add bursts:434e6:100e3:-30:0.005:0.2 --datetime 2023-11-04T15:35:40Z \
    --device-id 00-12-A5-FF-FE-95-A3-33 --mpxn 1200023456789 --description "a meter" --quiet ||
    { echo "FAIL: synth"; fail=1; }
"$rf" synth "$t/plain.sigmf-meta" --rate 48e3 --duration 0.01 --format ci16_le ||
    { echo "FAIL: synth ci16"; fail=1; }
head -c 8000 /dev/urandom >"$t/deep/private folder/g001_433.92M_250k.cu8"
"$rf" convert "$t/deep/private folder/g001_433.92M_250k.cu8" "$t/conv.sigmf-meta" --quiet ||
    { echo "FAIL: convert to a pair"; fail=1; }
"$rf" convert "$t/synth.sigmf-meta" "$t/again.sigmf-meta" --format ci16_le --quiet ||
    { echo "FAIL: convert SigMF to SigMF"; fail=1; }
"$rf" synth --batch "$t/batch" --quiet || { echo "FAIL: synth --batch"; fail=1; }
"$rf" synth "$t/arc.sigmf" --rate 1e6 --center 868e6 --duration 0.01 --device-id 00-12-A5-FF-FE-95-A3-33 ||
    { echo "FAIL: synth to an archive"; fail=1; }
"$rf" convert "$t/conv.sigmf-meta" "$t/conv-archive.sigmf" --quiet || { echo "FAIL: convert to an archive"; fail=1; }

# Archives: their .sigmf-meta members are checked like the pairs.
metas=$(find "$t" -name '*.sigmf-meta' | sort)
archives=$(find "$t" -name '*.sigmf' | sort)
[ "$(wc -w <<<"$metas")" -ge 6 ] && [ "$(wc -w <<<"$archives")" -eq 2 ] ||
    { echo "FAIL: too few recordings written: $metas $archives"; fail=1; }

$py - "$schema" $metas -- $archives <<'PY' || fail=1
import json, re, sys, tarfile
import jsonschema

schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
args = sys.argv[2:]
cut = args.index("--")
docs = [(p, open(p, encoding="utf-8").read()) for p in args[:cut]]
for a in args[cut + 1:]:
    with tarfile.open(a) as tar:
        for m in tar.getmembers():
            if m.name.endswith(".sigmf-meta"):
                docs.append((a + ":" + m.name, tar.extractfile(m).read().decode("utf-8")))
bad = 0
for name, text in docs:
    meta = json.loads(text)
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(meta)]
    g = meta["global"]
    ext = {e["name"]: e for e in g.get("core:extensions", [])}
    keys = [k for k in g if k.startswith("rfnoise:")]
    keys += [k for seg in meta.get("captures", []) + meta.get("annotations", []) for k in seg
             if k.startswith("rfnoise:")]
    if keys and "rfnoise" not in ext:
        errors.append(f"rfnoise: keys {sorted(set(keys))} without a core:extensions entry")
    if "rfnoise" in ext:
        e = ext["rfnoise"]
        if e.get("optional") is not True or not re.fullmatch(r"\d+\.\d+\.\d+", e.get("version", "")):
            errors.append(f"rfnoise extension entry {e}: want a version X.Y.Z and optional true")
    if g.get("core:recorder") != "rfnoise":
        errors.append(f"core:recorder {g.get('core:recorder')!r}, want 'rfnoise'")
    if g.get("core:hw") in ("rfnoise", "rtl_433", "gqrx", "SDR#", "rfnoise synth"):
        errors.append(f"core:hw holds software: {g['core:hw']!r}")
    if "/" in g.get("core:description", ""):
        errors.append(f"core:description names folders: {g['core:description']!r}")
    if not re.fullmatch(r"\d+\.\d+\.\d+", g.get("core:version", "")):
        errors.append(f"core:version {g.get('core:version')!r}")
    for e in errors:
        print(f"FAIL: {name}: {e}")
    bad += bool(errors)
print(f"{len(docs)} SigMF metadata files checked against the v1.2.6 schema, {bad} failed")
sys.exit(1 if bad else 0)
PY

# The converted rtl_433-named capture says where it came from without the folders.
grep -q '"core:description": "converted by rfnoise from g001_433.92M_250k.cu8 (cu8)"' \
    "$t/conv.sigmf-meta" || { echo "FAIL: convert core:description"; fail=1; }
[ $fail -eq 0 ] && echo "SigMF schema ok"
exit $fail
