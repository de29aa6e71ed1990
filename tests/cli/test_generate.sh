#!/usr/bin/env bash
# synthstm generate / inspect: bad input, determinism across threads, shard sizes and MPI ranks,
# resume after kill -9, the stored parameter table against the preset's ranges, finite arrays,
# and the README's h5py lines. Usage: test_generate.sh SYNTHSTM_BINARY PYTHON WORK_DIR README [MPIRUN]
set -uo pipefail
bin=$1 python=$2 work=$3 readme=$4 mpirun=${5:-}
rm -rf "$work" && mkdir -p "$work" && cd "$work"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Tiny samples: 16 × 16 pixels over 1.5 nm (a fraction of a second each once the caches are warm).
tiny=(--preset wse2-ideal --set resolution_px=16 --set size_nm=1.5 --quiet)
echo '{"size_nm": {"uniform": [3, 1]}}' >min-max.json
echo '{"size_nm": "big"}' >wrong-type.json
echo '{"colour": 1}' >unknown-key.json
expect_error "unknown parameter 'colour'" generate "${tiny[@]}" -n 2 --seed 1 --out e --set colour=red
expect_error "unknown key 'colour'" generate --config unknown-key.json -n 2 --seed 1 --out e
expect_error "min 3 is greater than max 1" generate --config min-max.json -n 2 --seed 1 --out e
expect_error "size_nm must be a number" generate --config wrong-type.json -n 2 --seed 1 --out e
expect_error "resolution_px = 4 is outside" generate "${tiny[@]}" -n 2 --seed 1 --out e --set resolution_px=4
expect_error "resolution_px must be a constant" generate "${tiny[@]}" -n 2 --seed 1 --out e \
  --set 'resolution_px={"choice": [16, 32]}'
expect_error "unknown channel 'nope'" generate "${tiny[@]}" -n 2 --seed 1 --out e --channels nope
expect_error "at least 1" generate "${tiny[@]}" -n 0 --seed 1 --out e
expect_error "at least 1" generate "${tiny[@]}" -n 2 --seed 1 --out e --shard-size 0
expect_error "/proc/synthstm" generate "${tiny[@]}" -n 2 --seed 1 --out /proc/synthstm
expect_error "does not exist" inspect missing-dir
[[ ! -e e ]] || fail "a rejected generate created its output directory"

# Determinism: 1 vs 2 threads, shard sizes 2 vs 3, 2 MPI ranks: the same arrays.
"$bin" generate "${tiny[@]}" -n 6 --seed 5 --out t1 --threads 1 --shard-size 2 --channels z_true_forward \
  >/dev/null || fail "generate --threads 1 exited $?"
"$bin" generate "${tiny[@]}" -n 6 --seed 5 --out t2 --threads 2 --shard-size 3 --channels z_true_forward \
  >/dev/null || fail "generate --threads 2 exited $?"
# Hashes of every array read back through dataset.h5, one line per array.
hashes() {
  "$python" - "$1/dataset.h5" <<'PY'
import hashlib, sys
import h5py
f = h5py.File(sys.argv[1], "r")
def show(name, obj):
    if isinstance(obj, h5py.Dataset):
        print(name, obj.shape, hashlib.sha256(obj[()].tobytes()).hexdigest())
f.visititems(show)
PY
}
hashes t1 >t1.txt && hashes t2 >t2.txt || fail "reading the datasets back with h5py"
[[ $(wc -l <t1.txt) -gt 60 ]] || fail "t1 holds only $(wc -l <t1.txt) arrays"
cmp -s t1.txt t2.txt || fail "1 thread / shards of 2 and 2 threads / shards of 3 differ: $(diff t1.txt t2.txt | head -5)"
# Shards never depend on the run that wrote them: equal shard sizes give equal files.
"$bin" generate "${tiny[@]}" -n 6 --seed 5 --out t3 --threads 2 --shard-size 2 --channels z_true_forward \
  >/dev/null || fail "generate t3 exited $?"
for s in t1/shards/*.h5; do cmp -s "$s" "t3/shards/${s##*/}" || fail "${s##*/} differs between 1 and 2 threads"; done
if [[ -n $mpirun ]]; then
  OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 \
    "$mpirun" -n 2 "$bin" generate "${tiny[@]}" -n 6 --seed 5 --out tm --shard-size 2 --channels z_true_forward \
    >mpi.txt 2>&1 || fail "mpirun -n 2 generate exited $?: $(tail -3 mpi.txt)"
  grep -q "by 2 ranks" mpi.txt || fail "mpirun -n 2 did not run 2 ranks: $(cat mpi.txt)"
  hashes tm >tm.txt || fail "reading the MPI dataset"
  cmp -s t1.txt tm.txt || fail "mpirun -n 2 differs from one process: $(diff t1.txt tm.txt | head -5)"
fi

# A directory holding another dataset is refused; the same command resumes (nothing to do).
expect_error "seed there is 5, here 6" generate "${tiny[@]}" -n 6 --seed 6 --out t1 --shard-size 2 --channels z_true_forward
expect_error "samples there is 6, here 7" generate "${tiny[@]}" -n 7 --seed 5 --out t1 --shard-size 2 --channels z_true_forward
expect_error "shard_size there is 2, here 3" generate "${tiny[@]}" -n 6 --seed 5 --out t1 --shard-size 3 --channels z_true_forward
expect_error "config key size_nm" generate "${tiny[@]}" -n 6 --seed 5 --out t1 --shard-size 2 --channels z_true_forward \
  --set size_nm=1.6
"$bin" generate "${tiny[@]}" -n 6 --seed 5 --out t1 --shard-size 2 --channels z_true_forward >again.txt ||
  fail "rerunning a finished generate exited $?"
grep -q "0 written now, 3 found complete" again.txt || fail "rerun did not skip the complete shards: $(cat again.txt)"

# Resume: kill -9 once the first shard is complete, check that every final-named shard is
# complete (temporaries only otherwise), rerun, and compare with an uninterrupted run.
resume=("${tiny[@]}" -n 10 --seed 8 --shard-size 2)
"$bin" generate "${resume[@]}" --out r-full >/dev/null || fail "generate r-full exited $?"
"$bin" generate "${resume[@]}" --out r-killed >/dev/null 2>&1 &
pid=$!
for _ in $(seq 400); do [[ -e r-killed/shards/shard-000000.h5 ]] && break; sleep 0.05; done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
[[ ! -e r-killed/dataset.h5 ]] || fail "the killed run got as far as dataset.h5; the resume test tested nothing"
"$python" - r-killed <<'PY' || fail "a shard with its final name is incomplete after kill -9"
import os, sys
import h5py
shards = os.path.join(sys.argv[1], "shards")
names = sorted(os.listdir(shards))
assert names, "no shard at all"
for name in names:
    if name.endswith(".tmp"):
        continue
    assert name.endswith(".h5"), name
    with h5py.File(os.path.join(shards, name), "r") as f:
        first, end = int(f.attrs["first_index"]), int(f.attrs["end_index"])
        assert end - first == 2, (name, first, end)
        assert list(f["sample_index"][:]) == list(range(first, end)), name
        assert f["inputs/z_recorded"].shape == (2, 16, 16), name
print("complete shards after kill -9:", [n for n in names if not n.endswith(".tmp")])
PY
"$bin" generate "${resume[@]}" --out r-killed >resumed.txt || fail "resuming exited $?"
grep -q "found complete" resumed.txt || fail "resume output: $(cat resumed.txt)"
[[ -z $(find r-killed -name '*.tmp') ]] || fail "temporaries left after the resume: $(find r-killed -name '*.tmp')"
hashes r-full >r-full.txt && hashes r-killed >r-killed.txt || fail "reading the resume datasets"
cmp -s r-full.txt r-killed.txt || fail "killed and resumed differs from uninterrupted: $(diff r-full.txt r-killed.txt | head -5)"

# wse2-main: every stored parameter within the preset's ranges; no NaN or Inf anywhere; targets in
# [0, 1]; inputs/z_recorded spans 0–255; inspect writes its statistics and picture.
"$bin" generate --preset wse2-main --set resolution_px=16 -n 6 --seed 3 --out main --threads 2 --shard-size 4 \
  --channels current_forward --quiet >/dev/null || fail "generate wse2-main exited $?"
"$python" "$(dirname "$readme")/scripts/check_dataset.py" main/dataset.h5 6 >check.txt ||
  fail "wse2-main dataset content (scripts/check_dataset.py): $(tail -3 check.txt)"
"$bin" inspect main --json >inspect.json || fail "inspect exited $?"
[[ -s main/inspect.png ]] || fail "inspect did not write main/inspect.png"
"$python" - inspect.json <<'PY' || fail "inspect --json output"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["samples"] == 6 and s["pixels"] == 16 and s["shards"] == 2, s
assert all(a["non_finite"] == 0 for a in s["arrays"].values())
assert 1.0 <= s["parameters"]["size_nm"]["min"] <= s["parameters"]["size_nm"]["max"] <= 4.0
assert sum(s["parameters"]["tip"]["counts"].values()) == 6
assert s["defects"]["total"] > 0 and "vacancy Se_top" in s["defects"]["by_kind"]
assert abs(sum(s["classes"].values()) - 1) < 1e-9
PY
"$bin" inspect main --png pic.png >inspect.txt || fail "inspect (text) exited $?"
grep -q "defects:" inspect.txt && [[ -s pic.png ]] || fail "inspect text output or --png"

# The README's h5py lines, as written there, against a generated dataset.
"$python" - "$readme" main <<'PY' || fail "the README's h5py lines"
import os, re, sys
text = open(sys.argv[1]).read()
block = re.search(r"<!-- h5py-snippet -->\s*```python\n(.*?)```", text, re.S)
assert block, "no h5py snippet in the README"
code = block.group(1)
assert len(code.strip().splitlines()) == 3, code
os.makedirs("snippet", exist_ok=True)
os.chdir("snippet")
if not os.path.exists("data"):
    os.symlink(os.path.abspath(os.path.join("..", sys.argv[2])), "data")
scope = {}
exec(code, scope)
assert scope["x"].shape == (6, 16, 16) and scope["x"].dtype.name == "uint8", scope["x"].shape
assert scope["y"].shape == (6, 16, 16) and scope["y"].dtype.name == "float32"
PY

if ((failures)); then echo "$failures failure(s)"; exit 1; fi
echo "all generate checks passed"
