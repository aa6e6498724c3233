#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_report_browser.sh: the report page renders in headless Chromium (Debian's chromium): a
# screenshot is taken and checked to be a real picture of the page (PNG of the window size, not
# blank), Chromium's DOM dump holds the headline table and the trend chart, and at a 1280-pixel
# viewport no table column lies out of view. Chromium is
# installed here only when it is missing and apt works (root); otherwise the test skips (77).
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
D=tests/data/workspace
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing chromium (Debian package) for this test"
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq --no-install-recommends \
        chromium >/dev/null 2>&1 || true
    browser=$(command -v chromium || true)
fi
if [ -z "$browser" ]; then
    echo "skip: chromium is not installed and could not be installed (apt unavailable)"
    exit 77
fi
export RFNOISE_WORKSPACE=$T/ws
"$rf" workspace init "$T/ws" >/dev/null &&
"$rf" workspace import-register $D/register1.csv --as-of 2026-01-05 >/dev/null &&
"$rf" workspace add-results $D/results1 >/dev/null &&
"$rf" remediation open --notice-date 2026-01-10 >/dev/null &&
"$rf" workspace import-register $D/register2.csv --as-of 2026-03-01 >/dev/null &&
"$rf" workspace add-results $D/results2 >/dev/null &&
"$rf" workspace import-register $D/register4.csv --as-of 2026-04-11 >/dev/null &&
"$rf" report --as-of 2026-04-30 --out "$T/rep" >/dev/null || { echo "FAIL: building the report"; exit 1; }

flags=(--headless --no-sandbox --disable-gpu --disable-background-networking
       --disable-component-update --no-first-run --hide-scrollbars)
out=${RFN_REPORT_SCREENSHOT:-$T/report.png}
timeout 120 "$browser" "${flags[@]}" --user-data-dir="$(mktemp -d -p "$T")" \
    --window-size=1200,2000 --screenshot="$out" "file://$T/rep/report.html" >/dev/null 2>&1
timeout 120 "$browser" "${flags[@]}" --user-data-dir="$(mktemp -d -p "$T")" \
    --dump-dom "file://$T/rep/report.html" >"$T/dom.html" 2>/dev/null
fail=0
[ -s "$out" ] || { echo "FAIL: no screenshot"; exit 1; }
/usr/bin/python3 - "$out" <<'EOF' || fail=1
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
w, h = struct.unpack('>II', data[16:24])
if (w, h) != (1200, 2000):
    print('FAIL: screenshot is %dx%d' % (w, h)); sys.exit(1)
# decompress and count distinct bytes of the image: a blank page has almost none
idat = b''.join(data[i + 8:i + 8 + struct.unpack('>I', data[i:i + 4])[0]]
                for i in range(8, len(data)) if data[i + 4:i + 8] == b'IDAT')
raw = zlib.decompress(idat)
nonwhite = sum(1 for b in raw[::97] if b < 200)
if nonwhite < 200:
    print('FAIL: the screenshot looks blank (%d dark samples)' % nonwhite); sys.exit(1)
print('ok: screenshot %dx%d, %d dark samples' % (w, h, nonwhite))
EOF
# Every column stays visible at a 1280-pixel-wide viewport (issue 15): a copy of the page with a
# script that finds each table cell whose right edge lies past the viewport, rendered at 1280 px
# wide; the script writes what it found into the DOM Chromium dumps, and the screenshot shows it.
sed 's#</body>#<script>var w = document.documentElement.clientWidth, bad = [];\
document.querySelectorAll("th, td").forEach(function (c) {\
  var r = c.getBoundingClientRect();\
  if (r.width > 0 \&\& r.right > w + 0.5) bad.push(c.closest("table").className + ": " +\
    c.textContent.trim().slice(0, 30) + " ends at " + Math.round(r.right));\
});\
var p = document.createElement("pre"); p.id = "overflow-check";\
p.textContent = "viewport " + w + " px; cells past it: " + bad.length + "\\n" + bad.join("\\n");\
document.body.appendChild(p);</script></body>#' "$T/rep/report.html" >"$T/rep/check1280.html"
timeout 120 "$browser" "${flags[@]}" --user-data-dir="$(mktemp -d -p "$T")" \
    --window-size=1280,2000 --screenshot="$T/report1280.png" "file://$T/rep/check1280.html" \
    >/dev/null 2>&1
timeout 120 "$browser" "${flags[@]}" --user-data-dir="$(mktemp -d -p "$T")" \
    --window-size=1280,2000 --dump-dom "file://$T/rep/check1280.html" >"$T/dom1280.html" \
    2>/dev/null
if ! grep -q 'id="overflow-check">viewport 12[0-9][0-9] px; cells past it: 0' "$T/dom1280.html"; then
    echo "FAIL: at 1280 px some columns are out of view:"
    sed -n '/id="overflow-check"/,/<\/pre>/p' "$T/dom1280.html" | head -12
    fail=1
else
    echo "ok: at 1280 px every table column is in view"
fi
[ -s "$T/report1280.png" ] || { echo "FAIL: no 1280-px screenshot"; fail=1; }
grep -q '<table class="headline">' "$T/dom.html" || { echo "FAIL: rendered DOM lacks the headline table"; fail=1; }
grep -q 'Non-compliant share of installs per install month' "$T/dom.html" || { echo "FAIL: rendered DOM lacks the trend chart"; fail=1; }
[ $fail = 0 ] && echo "report renders in $($browser --version 2>/dev/null | head -1)"
exit $fail
