#!/usr/bin/env bash
# Command-line behaviour: JSON output of `ldos`, the tip commands, and one-line errors with
# exit code 2 for bad input. Usage: test_cli.sh SYNTHSTM_BINARY PYTHON WORK_DIR
set -uo pipefail
bin=$1 python=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Bad input: exit code 2, exactly one line on stderr naming the problem, nothing on stdout.
expect_error() {
  local needle=$1; shift
  "$bin" "$@" >out.txt 2>err.txt
  local rc=$?
  [[ $rc == 2 ]] || fail "'$*' exited $rc, expected 2"
  [[ $(wc -l <err.txt) == 1 ]] || fail "'$*' wrote $(wc -l <err.txt) lines to stderr: $(cat err.txt)"
  grep -q -- "$needle" err.txt || fail "'$*': error '$(cat err.txt)' does not name '$needle'"
  [[ ! -s out.txt ]] || fail "'$*' wrote to stdout"
}
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

if ((failures)); then echo "$failures failure(s)"; exit 1; fi
echo "all command-line checks passed"
