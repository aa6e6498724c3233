# 10-robust.sh: fixtures of the device/FIFO, output-is-input, regular-file, terminal and message
# cases (tests/bad_inputs/cases/robust.tsv). Sourced by run.sh in the work folder, rfnoise on
# PATH. Everything here must be made without a GPU or network, in a few seconds.
rfnoise synth cap.sigmf-meta --rate 1e6 --center 422.5e6 --duration 0.05 \
    --add tone:422.6e6:-40 >/dev/null || return 1
python3 - <<'PY' || return 1
import json, struct, tarfile
# One complex sample; 40 samples (shorter than any FFT segment); finite floats far beyond full
# scale, whose squares overflow a float.
open("one.cf32", "wb").write(struct.pack("<ff", 0.1, 0.2))
open("s40.cf32", "wb").write(struct.pack("<80f", *([0.1, 0.2] * 40)))
open("huge.cf32", "wb").write(struct.pack("<2000f", *([3e38, -3e38] * 1000)))
# A 16-bit raw capture with a stray trailing byte, and a WAV whose header says 0 Hz.
open("trunc.cs16", "wb").write(bytes(4001))
fmt = struct.pack("<HHIIHH", 1, 2, 0, 0, 4, 16)
body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", 400) \
    + bytes(400)
open("rate0.wav", "wb").write(b"RIFF" + struct.pack("<I", len(body)) + body)
# Metadata that would retitle and recolour a terminal.
m = json.load(open("cap.sigmf-meta"))
m["global"]["rfnoise:device_id"] = "\x1b]0;pwned\x07\x1b[31mRED"
del m["global"]["core:sha512"]
json.dump(m, open("esc.sigmf-meta", "w"))
# A SigMF archive whose members climb out of the folder.
with tarfile.open("climb.sigmf", "w") as t:
    t.add("cap.sigmf-meta", arcname="../climb.sigmf-meta")
    t.add("cap.sigmf-data", arcname="../climb.sigmf-data")
# Manifests naming a device and a FIFO.
row = ",BC-33-AC-FF-FE-FA-55-3D,2023-01-01T08:00:00Z\n"
for name, cap in (("m-zero.csv", "/dev/zero"), ("m-fifo.csv", "fifo")):
    open(name, "w").write("capture,DeviceID,captured_at\ncap.sigmf-meta" + row + cap + row)
PY
cp cap.sigmf-data esc.sigmf-data
mkfifo fifo fifo-out || return 1
printf 'capture,DeviceID,captured_at\ncap.sigmf-meta,BC-33-AC-FF-FE-FA-55-3D,2023-01-01T08:00:00Z\n' \
    >manifest.csv
ln cap.sigmf-data hard.csv && ln -s cap.sigmf-meta sym.csv && ln -s /dev/null null.png || return 1
mkdir outm pl && ln manifest.csv outm/skipped.csv && ln cap.sigmf-data pl/cap.spectrum.png || return 1
cp "$SRC/tests/data/register_small.csv" register.csv
mkdir out && cp register.csv out/devices.csv
for k in 0 1; do
    rfnoise validate --register register.csv --manifest manifest.csv --shard $k/2 --out sh$k \
        --quiet || return 1
done
mkdir ws-bad ws-fifo mine && echo "not a database" >ws-bad/workspace.db && mkfifo ws-fifo/workspace.db
echo "my own notes" >mine/notes.txt
# A character device of our own, the same as /dev/null (root only; cases skip without it).
mknod nul c 1 3 2>/dev/null || true
return 0
