#!/usr/bin/env bash
# Command-line behaviour: JSON output of `ldos`, the tip commands, and one-line errors with
# exit code 2 for bad input. Usage: test_cli.sh SYNTHSTM_BINARY PYTHON WORK_DIR
set -uo pipefail
bin=$1 python=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
echo '{"defects": [{"type": "vacancy", "site": "Se_top"}]}' >no-cell.json
echo '{"defects": [' >truncated.json
echo '{"defects": [{"type": "hole", "site": "Se_top", "cell": [0, 0]}]}' >bad-type.json
echo '{"defects": [{"type": "vacancy", "site": "W", "cell": [0, 0]}, {"type": "dopant", "site": "W", "cell": [0, 0], "onsite_eV": 0.2}]}' >twice.json
quick=(--points 11 --json)
expect_error "unknown model 'nope'" ldos --model nope "${quick[@]}"
expect_error "unknown LDOS method 'foo'" ldos --method foo "${quick[@]}"
expect_error "unknown site 'Xx'" ldos --site Xx "${quick[@]}"
expect_error "broadening" ldos --broadening -0.1 "${quick[@]}"
expect_error "emin" ldos --emin 2 --emax 1 "${quick[@]}"
expect_error "no-cell.json" ldos --defects no-cell.json "${quick[@]}"
expect_error "truncated.json" ldos --defects truncated.json "${quick[@]}"
expect_error "hole" ldos --defects bad-type.json "${quick[@]}"
expect_error "twice.json" ldos --defects twice.json "${quick[@]}"
expect_error "missing.json" ldos --defects missing.json "${quick[@]}"
expect_error "unknown tip 'nope'" tip show nope --out t
expect_error "unknown tip model 'foo'" tip show w111-sharp --model foo --out t
expect_error "/proc/synthstm" tip show w111-sharp --out /proc/synthstm
expect_error "/proc/synthstm" ldos --points 11 --out /proc/synthstm

# ldos --json: the documented keys, a positive LDOS on the requested grid.
"$bin" ldos --model wse2-single --method tmatrix --site Se_top --emin -1 --emax 1 --points 21 \
  --broadening 0.1 --kgrid 48 --json >ldos.json || fail "ldos --json exited $?"
"$python" - ldos.json <<'PY' || fail "ldos --json output"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["method"] == "tmatrix" and d["site"] == "Se_top", d
assert len(d["energy_eV"]) == 21 and len(d["ldos"]) == 21
assert abs(d["energy_eV"][0] + 1) < 1e-12 and abs(d["energy_eV"][-1] - 1) < 1e-12
assert all(x > 0 for x in d["ldos"])
PY

# ldos without --json writes a CSV and a PNG.
"$bin" ldos --method exact --supercell 6 --points 51 --out ldos-out >/dev/null || fail "ldos --out exited $?"
[[ -s ldos-out/ldos_wse2-single_Se_top_exact.csv && -s ldos-out/ldos_wse2-single_Se_top_exact.png ]] ||
  fail "ldos --out did not write its CSV and PNG"

# tip list: 13 variants, names unique, counts as documented for two of them.
"$bin" tip list --names >names.txt || fail "tip list --names exited $?"
[[ $(wc -l <names.txt) == 13 && $(sort -u names.txt | wc -l) == 13 ]] || fail "tip list --names: $(cat names.txt)"
"$bin" tip list --json >tips.json || fail "tip list --json exited $?"
"$python" - tips.json <<'PY' || fail "tip list --json output"
import json, sys
tips = {t["name"]: t for t in json.load(open(sys.argv[1]))}
assert tips["w111-sharp"]["atoms"] == 4394 and tips["w001-sharp"]["atoms"] == 2470, tips
assert tips["w001-double-1.0nm"]["apexes"] == 2
PY

# tip show: apex picture, LDOS plot and CSV.
"$bin" tip show w001-sharp --points 101 --out tip-out >/dev/null || fail "tip show exited $?"
for f in tip_w001-sharp_apex.png tip_w001-sharp_w-single_ldos.png tip_w001-sharp_w-single_ldos.csv; do
  [[ -s tip-out/$f ]] || fail "tip show did not write $f"
done


# render: bad input names the key or path.
small=(--preset wse2-ideal --seed 3 --set tip=w111-sharp --set size_nm=1.0 --set resolution_px=16)
echo '{"size_nm": {"uniform": [3, 1]}, "colour": 1}' >bad-config.json
expect_error "unknown parameter 'colour'" render "${small[@]}" --out r --set colour=red
expect_error "resolution_px = 4 is outside" render "${small[@]}" --out r --set resolution_px=4
expect_error "resolution_px = 5000 is outside" render "${small[@]}" --out r --set resolution_px=5000
expect_error "kappa_per_nm = -1 is outside" render "${small[@]}" --out r --set kappa_per_nm=-1
expect_error "size_nm = 0 is outside" render "${small[@]}" --out r --set size_nm=0
expect_error "greater than max" render --config bad-config.json --seed 1 --out r
expect_error "unknown key 'colour'" render --config bad-config.json --seed 1 --out r
expect_error "unknown preset 'nope'" render --preset nope --seed 1 --out r
expect_error "/proc/synthstm" render "${small[@]}" --out /proc/synthstm

# render: every file, and the same bytes for 1 and 2 threads.
"$bin" render "${small[@]}" --out r1 --threads 1 >/dev/null || fail "render exited $?"
"$bin" render "${small[@]}" --out r2 --threads 2 >/dev/null || fail "render --threads 2 exited $?"
for ch in z_recorded_forward z_recorded_backward z_true_forward z_true_backward current_forward current_backward \
          constant_height_current constant_current_height lattice defects classes; do
  [[ -s r1/$ch.npy && -s r1/$ch.png ]] || fail "render did not write $ch.npy and $ch.png"
  cmp -s r1/$ch.npy r2/$ch.npy || fail "$ch differs between 1 and 2 threads"
done
for f in params.json defects.csv sample.gwy index.html; do [[ -s r1/$f ]] || fail "render did not write $f"; done
"$python" - r1 <<'PY' || fail "render output"
import json, struct, sys, os
d = sys.argv[1]
p = json.load(open(os.path.join(d, "params.json")))
assert p["parameters"]["size_nm"] == {"value": 1.0, "unit": "nm"}, p["parameters"]["size_nm"]
assert p["parameters"]["kappa_per_nm"]["unit"] == "1/nm"
raw = open(os.path.join(d, "z_recorded_forward.npy"), "rb").read()
assert raw[:6] == b"\x93NUMPY" and b"'<f4'" in raw[:128] and b"(16, 16)" in raw[:128]
header_len = struct.unpack("<H", raw[8:10])[0]
assert len(raw) == 10 + header_len + 16 * 16 * 4
html = open(os.path.join(d, "index.html")).read()
assert html.count("<img") == 11
lines = open(os.path.join(d, "defects.csv")).read().splitlines()
assert lines[0].startswith("type,sublattice,")
PY
if [[ -n ${SYNTHSTM_GWYDDION_THUMBNAILER:-} && -x ${SYNTHSTM_GWYDDION_THUMBNAILER} ]]; then
  "$SYNTHSTM_GWYDDION_THUMBNAILER" gnome2 64 r1/sample.gwy thumb.png || fail "gwyddion-thumbnailer rejected sample.gwy"
  "$python" - thumb.png <<'PY' || fail "gwyddion thumbnail of sample.gwy has the wrong size"
import struct, sys
raw = open(sys.argv[1], "rb").read()
width, height = struct.unpack(">II", raw[16:24])
assert (width, height) == (16, 16), (width, height)  # no upscaling: the channel's xres × yres
# Gwyddion writes the physical size it read into the thumbnail: 1 nm × 1 nm.
assert b"Thumb::X-Gwyddion::RealSize\x001.00\xc3\x971.00 nm" in raw or b"1.00 nm" in raw, raw[:400]
PY
fi

if ((failures)); then echo "$failures failure(s)"; exit 1; fi
echo "all command-line checks passed"
