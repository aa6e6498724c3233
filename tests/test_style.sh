#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_style.sh: the rules of docs/style.md a script can check: dsp/ stays a pure library (its
# example program, which prints, is tests/dsp/welch_tone.c), each outside dependency has one owner, each
# stage folder includes only what its README allows, no file(GLOB) or -ffast-math, and the
# documentation lives in the repository (no citation of the old design pages kept outside it;
# every docs/ page linked and every docs/ section cited exists).
set -u
fail=0
bad=$(grep -rnE '\b(printf|fprintf|puts|exit|abort|fopen)\s*\(|sndfile\.h|\bstdout\b|\bstderr\b' \
      dsp --include='*.c' --include='*.h')
if [ -n "$bad" ]; then echo "dsp/ must not print, exit or open files:"; echo "$bad"; fail=1; fi
owners() { # header, allowed file regex
    local hits
    hits=$(grep -rlE "#include <$1>" dsp analyser | grep -vE "$2")
    if [ -n "$hits" ]; then echo "only $2 may include <$1>, found in: $hits"; fail=1; fi
}
owners 'fftw3\.h' '^dsp/fft_fftw\.c$'
owners 'sndfile\.h' '^analyser/capture/capture_sndfile\.c$'
owners 'sqlite3\.h' '^analyser/workspace/store\.c$'
owners 'nettle/[a-z0-9]+\.h' '^analyser/util/hash\.c$'
owners 'csv\.h' '^analyser/(register/csv_read|util/csv_util)\.c$'
# jansson: the SigMF, limit, calibration and derogation loaders, the JSON writers (the analysis
# record's writer and reader together in out/records_json.c) and the commands that still write
# their own JSON (issue 13 moves those onto field tables). A new includer is added here on
# purpose, or not at all.
owners 'jansson\.h' '^analyser/(batch/validate|capture/(capture_write|sigmf)|cli/(cli_report\.h|cmd_(apd|detect|info|psd|spectrogram|version))|judge/(calibration|derogation|limits)|out/(compare_out|records_json)|util/field_table|util/io_guard\.h|workspace/(workspace_results|stock_out))(\.c)?$'
# GSL: calibration's interpolation, synth's random numbers and the install trend.
owners 'gsl/[a-z0-9_]+\.h' '^analyser/(judge/calibration|synth/(synth|synth_batch)|workspace/trend)\.c$'

# The stage folders of analyser/ (docs/architecture.md §Layout): each folder's README.md says
# which other folders it may include ("May include:") and names any single exception
# ("Exception: FILE -> HEADER (why)"). Every "header.h" included from analyser/ must resolve to
# exactly one file in one folder, and the root of analyser/ holds no sources.
/usr/bin/python3 - <<'PY' || fail=1
import os, re, sys
root = "analyser"
folders = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
home, rules, exceptions, bad = {}, {}, set(), []
for d in folders:
    readme = os.path.join(root, d, "README.md")
    if not os.path.exists(readme):
        bad.append(f"{root}/{d}/ has no README.md stating what it owns and may include"); continue
    text = open(readme).read()
    m = re.search(r"^May include:(.*)$", text, re.M)
    if not m:
        bad.append(f"{readme}: no 'May include:' line"); continue
    rules[d] = {w for w in m.group(1).split() if w in folders}
    for f, h in re.findall(r"^Exception: (\S+) -> (\S+)", text, re.M):
        exceptions.add((d, f, h))
    for f in os.listdir(os.path.join(root, d)):
        if f.endswith(".h") or f.endswith(".def"):
            if f in home:
                bad.append(f"header {f} is in both {home[f]}/ and {d}/")
            home[f] = d
loose = [f for f in os.listdir(root) if f.endswith((".c", ".h"))]
if loose:
    bad.append(f"sources at the root of {root}/ (put them in a stage folder): {' '.join(loose)}")
for d in rules:
    for f in sorted(os.listdir(os.path.join(root, d))):
        if not f.endswith((".c", ".h")):
            continue
        for h in re.findall(r'^#include "([^"]+)"', open(os.path.join(root, d, f)).read(), re.M):
            to = home.get(h)
            if to is None or to == d or to in rules[d] or (d, f, h) in exceptions:
                continue
            bad.append(f"{root}/{d}/{f} includes {h} from {to}/, which {d}/README.md does not allow")
for line in bad:
    print(line)
sys.exit(1 if bad else 0)
PY
if grep -rn 'file(GLOB' CMakeLists.txt */CMakeLists.txt; then
    echo "no file(GLOB) (docs/style.md §Build)"; fail=1
fi
if grep -rn 'ffast-math' CMakeLists.txt */CMakeLists.txt; then echo "no -ffast-math"; fail=1; fi

# ---- the shape of the code (docs/style.md §Layering, §APIs) ------------------------------------
# Lines of C at most 100 columns (characters, not bytes), no trailing whitespace in any text file,
# every allocation's result checked, and functions that fit on a screen: the number over 100 lines
# in analyser/ and dsp/ may only go down (lower LONG_FUNCTIONS_MAX as they are split; issue 13
# aimed at 8).
LONG_FUNCTIONS_MAX=0
/usr/bin/python3 - "$LONG_FUNCTIONS_MAX" <<'PY' || fail=1
import re, subprocess, sys
limit = int(sys.argv[1])
def tracked(*args):
    out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", *args],
                         capture_output=True, text=True)
    if out.returncode == 0:
        return out.stdout.split()
    import glob  # not a git checkout (a source tarball): every file below the folders
    return [f for a in args for f in glob.glob(a.rstrip("/") + "/**", recursive=True)]
bad = []
csrc = [f for f in tracked("analyser", "dsp", "tests") if f.endswith((".c", ".h", ".def"))]
for f in csrc:
    for i, line in enumerate(open(f, encoding="utf-8").read().split("\n"), 1):
        if len(line) > 100:
            bad.append(f"{f}:{i}: {len(line)} columns (at most 100)")
for f in tracked():
    if f.startswith("tests/fuzz/corpus_") or "/data/" in f or f.startswith("data/"):
        continue
    try:
        text = open(f, encoding="utf-8").read()
    except (UnicodeDecodeError, IsADirectoryError, FileNotFoundError):
        continue  # binary files (images, captures)
    for i, line in enumerate(text.split("\n"), 1):
        if line != line.rstrip(" \t"):
            bad.append(f"{f}:{i}: trailing whitespace")
alloc = r"(?:malloc|calloc|realloc|aligned_alloc|strdup|strndup)\s*\("
long_fns = []
for f in csrc:
    if not f.startswith(("analyser/", "dsp/")) or not f.endswith(".c"):
        continue
    lines = open(f, encoding="utf-8").read().split("\n")
    start = None
    for i, l in enumerate(lines):
        if l == "{":
            start = i
        elif l == "}" and start is not None:
            if i - start + 1 > 100:
                long_fns.append(f"{f}:{start}: {i - start + 1} lines: {lines[start - 1].strip()}")
            start = None
        # An allocation is checked within the next 12 lines: !p, p == NULL, p && ..., p ? ...
        if not re.search(r"\b" + alloc, l) or l.strip().startswith(("/*", "*")):
            continue
        if re.search(r"!\s*\([^()]*=\s*" + alloc, l):
            continue
        m = re.search(r"(?:\(\*(\w+)\)\[\w*\]|([\w\->.\[\]]+))\s*=\s*(?:\([^()]*\)\s*)?" + alloc, l)
        if not m:
            continue
        v = re.escape(m.group(1) or m.group(2))
        win = "\n".join(lines[i:i + 12])
        if not re.search(r"!\s*" + v + r"(?![\w\[])|\b" + v + r"\s*(==|!=)\s*NULL|\b" + v +
                         r"\s*(&&|\?|\|\|)|(&&|\|\|)\s*" + v + r"\b|if\s*\(\s*" + v + r"\s*\)", win):
            bad.append(f"{f}:{i + 1}: allocation not checked: {l.strip()}")
print(f"long functions (over 100 lines) in analyser/ and dsp/: {len(long_fns)} (at most {limit})")
if len(long_fns) > limit:
    bad.append(f"{len(long_fns)} functions over 100 lines, more than {limit}:")
    bad += long_fns
for line in bad:
    print(line)
sys.exit(1 if bad else 0)
PY

# ---- documentation in the repository (docs/style.md §Comments) ---------------------------------
# The files of the repository: tracked and new ones (not the ignored build folders), or every
# file outside build*/ when this is not a git checkout.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    mapfile -t files < <(git ls-files --cached --others --exclude-standard)
else
    mapfile -t files < <(find . \( -path ./.git -o -path './build*' \) -prune -o -type f -print |
                         sed 's|^\./||')
fi
# The original design and style pages lived outside the repository; docs/ replaces them.
old=$(printf '%s\n' "${files[@]}" | grep -v '^docs/' |
      xargs -d '\n' grep -sInE '(ARCHITECTURE|STYLE)\.md' --)
if [ -n "$old" ]; then
    echo "cite docs/architecture.md or docs/style.md (with the section), not the pages outside" \
         "the repository:"
    echo "$old"; fail=1
fi
# Every docs/ page README.md and CONTRIBUTING.md link, and every page docs/ pages link, exists;
# so does every #anchor of such a link (GitHub's heading slugs).
slug() { tr 'A-Z' 'a-z' | sed -E 's/[^a-z0-9 _-]//g; s/ /-/g'; }
links=$(grep -shoE 'docs/[A-Za-z0-9_./-]+\.md(#[A-Za-z0-9_-]+)?' README.md CONTRIBUTING.md;
        for d in docs/*.md; do
            grep -soE '\]\([a-z0-9_-]+\.md(#[A-Za-z0-9_-]+)?\)' "$d" | sed -E 's/^\]\(/docs\//; s/\)$//'
        done)
for link in $(sort -u <<<"$links"); do
    page=${link%%#*}
    if [ ! -f "$page" ]; then echo "link to $page, which does not exist"; fail=1; continue; fi
    [ "$page" = "$link" ] && continue
    anchor=${link#*#}
    if ! grep -E '^#{1,6} ' "$page" | sed -E 's/^#+ //' | slug | grep -qx "$anchor"; then
        echo "link to $link: $page has no such heading"; fail=1
    fi
done
# A comment citing a section (`docs/architecture.md §Units`) names a heading that starts with it.
while read -r page sec; do
    [ -n "$page" ] || continue
    sec=${sec#§}
    if [ ! -f "$page" ] || ! grep -qE "^#{1,4} $sec\b" "$page"; then
        echo "$page has no section '$sec' (cited as $page §$sec)"; fail=1
    fi
done < <(printf '%s\n' "${files[@]}" | xargs -d '\n' grep -shoE \
             'docs/(architecture|style|performance)\.md §[A-Za-z][A-Za-z-]*' -- | sort -u)

[ $fail -eq 0 ] && echo "style ok"
exit $fail
