#!/usr/bin/env bash
# synthstm train / lr-find / evaluate / predict end to end on a tiny generated dataset: bad input,
# train → checkpoint → resume, metrics and model files, evaluate --json, predict on a PNG and on
# the real .gwy and .sxm test files (skipped with a message when absent).
# Usage: test_ml.sh SYNTHSTM_BINARY PYTHON WORK_DIR TESTDATA_DIR
set -uo pipefail
bin=$1 python=$2 work=$3 testdata=${SYNTHSTM_TESTDATA:-$4}
rm -rf "$work" && mkdir -p "$work" && cd "$work"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

"$bin" generate --preset wse2-ideal -n 6 --seed 3 --set resolution_px=16 --set size_nm=1.5 --quiet --out data \
  >/dev/null || fail "generate exited $?"
net=(--depth 2 --width 4 --batch 2 --lr 0.01 --quiet)

expect_error "does not exist" train --data nowhere --out run "${net[@]}"
expect_error "--epochs must be at least 1" train --data data --out run "${net[@]}" --epochs 0
expect_error "--lr must be a number or auto" train --data data --out run --lr fast
expect_error "--device must be cpu or cuda" train --data data --out run "${net[@]}" --device tpu
expect_error "--defect-weight must be in" train --data data --out run "${net[@]}" --defect-weight -1
expect_error "U-Net depth must be 1–6" train --data data --out run --depth 9 --lr 0.01 --quiet
expect_error "--depth 4 halves 16 px images to under 2 px" train --data data --out run --depth 4 --lr 0.01 --quiet
expect_error "does not exist" train --data data --out run "${net[@]}" --resume
[[ ! -e run ]] || fail "a rejected train created its run directory"

# One epoch, then resume to three.
"$bin" train --data data --out run "${net[@]}" --epochs 1 >train1.txt || fail "train exited $?"
for f in model.pt checkpoint.pt model.json metrics.csv loss.png; do [[ -s run/$f ]] || fail "train wrote no run/$f"; done
expect_error "already holds a training run" train --data data --out run "${net[@]}" --epochs 1
"$bin" train --data data --out run "${net[@]}" --epochs 3 --resume >train2.txt || fail "train --resume exited $?"
grep -q "^epoch 2:" train2.txt && ! grep -q "^epoch 1:" train2.txt || fail "resume did not continue at epoch 2: $(cat train2.txt)"
"$python" - run <<'PY' || fail "metrics.csv or model.json"
import csv, json, math, sys
rows = list(csv.DictReader(open(sys.argv[1] + "/metrics.csv")))
assert [int(r["epoch"]) for r in rows] == [1, 2, 3], rows
assert all(math.isfinite(float(r["train_loss"])) and float(r["lr"]) > 0 for r in rows), rows
m = json.load(open(sys.argv[1] + "/model.json"))
assert m["unet"] == {"depth": 2, "width": 4, "in_channels": 1, "out_channels": 2}, m
assert m["pixels"] == 16 and abs(m["nm_per_px"] - 1.5 / 16) < 1e-9, m
assert m["train_samples"] + m["validation_samples"] == 6 and m["validation_samples"] == 1, m
assert m["level_input"] is True, m
PY
"$bin" train --data data --out run "${net[@]}" --epochs 3 --resume >train3.txt || fail "resume of a finished run exited $?"
grep -q "nothing to do" train3.txt || fail "resume of a finished run: $(cat train3.txt)"

# --lr auto runs the range test first and trains at its suggestion.
"$bin" train --data data --out runauto --depth 2 --width 4 --batch 2 --epochs 1 --lr auto --quiet >auto.txt \
  || fail "train --lr auto exited $?"
"$python" -c "import csv,sys; r=list(csv.DictReader(open('runauto/metrics.csv'))); assert len(r)==1 and float(r[0]['lr'])>0" \
  || fail "train --lr auto: metrics.csv"
# --no-level: the seed's unlevelled input, recorded in model.json and used again by evaluate.
"$bin" train --data data --out runraw "${net[@]}" --epochs 1 --no-level >/dev/null || fail "train --no-level exited $?"
"$python" -c "import json; assert json.load(open('runraw/model.json'))['level_input'] is False" || fail "--no-level: model.json"
# --defect-weight: the weighted loss trains and is recorded.
"$bin" train --data data --out runw "${net[@]}" --epochs 1 --defect-weight 5 >/dev/null || fail "train --defect-weight exited $?"
"$python" -c "import json; assert json.load(open('runw/model.json'))['defect_weight'] == 5" || fail "--defect-weight: model.json"
"$bin" evaluate --model runraw --data data --json >/dev/null || fail "evaluate of a --no-level run exited $?"
# Two datasets trained together: each gives its last tenth to validation, the pixel scale spans both.
"$bin" generate --preset wse2-ideal -n 4 --seed 5 --set resolution_px=16 --set size_nm=3 --quiet --out data2 \
  >/dev/null || fail "generate data2 exited $?"
"$bin" train --data data,data2 --out runtwo "${net[@]}" --epochs 1 >/dev/null || fail "train on two datasets exited $?"
"$python" - runtwo <<'PY' || fail "two datasets: model.json"
import json, sys
m = json.load(open(sys.argv[1] + "/model.json"))
assert m["train_samples"] == 5 + 3 and m["validation_samples"] == 2, m
assert m["data"] == "data,data2", m
assert abs(m["nm_per_px_min"] - 1.5 / 16) < 1e-9 and abs(m["nm_per_px_max"] - 3 / 16) < 1e-9, m
PY
"$bin" generate --preset wse2-ideal -n 2 --seed 5 --set resolution_px=8 --set size_nm=1 --quiet --out data8 \
  >/dev/null || fail "generate data8 exited $?"
expect_error "datasets trained together must have one image size" train --data data --data data8 --out runmix "${net[@]}"
expect_error "is given twice" train --data data,data --out runmix "${net[@]}"
expect_error "was trained on --data data,data2, not data" train --data data --out runtwo "${net[@]}" --epochs 2 --resume
# A run stopped before its first epoch ended (model.json, no checkpoint) starts afresh.
mkdir -p runstub && cp runtwo/model.json runstub/
"$bin" train --data data --out runstub "${net[@]}" --epochs 1 >/dev/null || fail "train over a run without a checkpoint exited $?"
"$python" -c "import json; assert json.load(open('runstub/model.json'))['data'] == 'data'" || fail "restarted run: model.json"
[[ ! -e runmix ]] || fail "a rejected two-dataset train created its run directory"
printf 'not hdf5' >notdata.h5
expect_error "notdata.h5" train --data notdata.h5 --out runbad "${net[@]}"

"$bin" lr-find --data data --depth 2 --width 4 --batch 2 --steps 12 --out lr.png >lr.txt || fail "lr-find exited $?"
grep -q "suggested learning rate" lr.txt && [[ -s lr.png ]] || fail "lr-find output: $(cat lr.txt)"

"$bin" evaluate --model run --data data --json --png eval.png >eval.json || fail "evaluate exited $?"
"$python" - eval.json <<'PY' || fail "evaluate --json"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["samples"] == 6, r
for m in ("lattice", "defects"):
    assert 0 <= r["maps"][m]["mse"] < 1 and r["maps"][m]["r2"] <= 1, r
d = r["detection"]
assert 0 <= d["precision"] <= 1 and 0 <= d["recall"] <= 1 and abs(d["tolerance_nm"] - 0.166) < 1e-9, d
# The top layer's figures count exactly the top-layer defects of the images (Se_top rows).
import h5py
with h5py.File("data/dataset.h5", "r") as f:
    rows = f["defects"][:]
top = int(((rows["in_image"] == 1) & (rows["sublattice"] == b"Se_top")).sum())
t = r["detection_top_layer"]
assert t["true_positives"] + t["false_negatives"] == top, (t, top)
assert d["true_positives"] + d["false_negatives"] == int((rows["in_image"] == 1).sum()), d
assert t["true_positives"] <= d["true_positives"], (t, d)
# Per tip variant: the samples and the detection counts add up to the totals, and each variant
# is one the parameter table names.
with h5py.File("data/dataset.h5", "r") as f:
    tips = [x.decode().rstrip("\0") for x in f["parameters/tip"][:]]
b = r["by_tip"]
assert sorted(b) == sorted(set(tips)), (b.keys(), tips)
assert all(b[k]["samples"] == tips.count(k) for k in b), b
for key in ("true_positives", "false_positives", "false_negatives"):
    assert sum(v["detection"][key] for v in b.values()) == d[key], (key, b, d)
# Recall per kind of defect: the defects of each kind are the table's rows in the image, the
# found ones add up to the hits, and a dopant's onsite bins add up to its kind.
k = r["recall_by_defect"]
inside = rows[rows["in_image"] == 1]
kinds = {f"{t.decode()} {s.decode()}" for t, s in zip(inside["type"], inside["sublattice"])}
assert set(k) == kinds, (k.keys(), kinds)
for name, v in k.items():
    t, s = name.split(" ")
    assert v["defects"] == int(((inside["type"] == t.encode()) & (inside["sublattice"] == s.encode())).sum()), (name, v)
    if "by_onsite_eV" in v:
        assert sum(x["defects"] for x in v["by_onsite_eV"]) == v["defects"], v
        assert all(x["to"] - x["from"] > 0.09 for x in v["by_onsite_eV"]), v
assert sum(v["found"] for v in k.values()) == d["true_positives"], (k, d)
assert all(sum(v["recall_by_defect"].get(n, {"defects": 0})["defects"] for v in b.values()) == k[n]["defects"] for n in k), b
PY
[[ -s eval.png ]] || fail "evaluate wrote no picture"
# --tta: the maps averaged over the 8 symmetries, recorded in the figures.
"$bin" evaluate --model run --data data --json --tta --quiet >evaltta.json || fail "evaluate --tta exited $?"
"$python" -c "
import json; a = json.load(open('eval.json')); b = json.load(open('evaltta.json'))
assert b['average_symmetries'] is True and a['average_symmetries'] is False
assert 0 <= b['maps']['defects']['mse'] < 1 and b['samples'] == a['samples']" || fail "evaluate --tta figures"
expect_error "model.json does not exist" evaluate --model nowhere --data data

# predict on a PNG (the picture inspect draws of a sample is as good as any grey image).
"$bin" inspect data --png inspect.png --preview 1 >/dev/null || fail "inspect exited $?"
expect_error "give --size-nm" predict inspect.png --model run --out p0
"$bin" predict inspect.png --model run --out p1 --size-nm 3 --json >p1.json || fail "predict PNG exited $?"
for f in lattice.npy defects.npy input.npy lattice.png defects.png overlay.png defects.csv predict.json; do
  [[ -s p1/$f ]] || fail "predict wrote no p1/$f"
done
"$python" - p1 <<'PY' || fail "predict outputs"
import json, sys
import numpy as np
s = json.load(open(sys.argv[1] + "/predict.json"))
cols, rows = s["model_pixels"]
assert abs(cols * s["nm_per_px"] - 3) < s["nm_per_px"], s
d = np.load(sys.argv[1] + "/defects.npy")
assert d.shape == (rows, cols) and d.min() >= 0 and d.max() <= 1, d.shape
lines = open(sys.argv[1] + "/defects.csv").read().splitlines()
assert lines[0] == "x_nm,y_nm,x_px,y_px,score" and len(lines) - 1 == len(s["defects"]), lines[:3]
PY
"$bin" predict inspect.png --model run --out p1tta --size-nm 3 --tta >/dev/null || fail "predict --tta exited $?"
[[ -s p1tta/defects.npy ]] || fail "predict --tta wrote no defects.npy"
printf 'not a png' >bad.png
expect_error "bad.png is not a PNG file" predict bad.png --model run --out p2 --size-nm 2
expect_error "unknown scan format" predict eval.json --model run --out p2
expect_error "--direction must be forward or backward" predict inspect.png --model run --out p2 --size-nm 2 --direction up

# A second input channel: the current.
expect_error "has no inputs/current_forward" train --data data --out runc "${net[@]}" --inputs z_recorded,current_forward
expect_error "first input channel must be z_recorded" train --data data --out runc "${net[@]}" --inputs current_forward
"$bin" generate --preset wse2-ideal -n 4 --seed 3 --set resolution_px=16 --set size_nm=1.5 --quiet --out datac \
  --channels current_forward >/dev/null || fail "generate --channels current_forward exited $?"
"$bin" train --data datac --out runc "${net[@]}" --epochs 1 --inputs z_recorded,current_forward >/dev/null \
  || fail "train with the current exited $?"
grep -q '"in_channels": 2' runc/model.json || fail "model.json of a two-channel run: $(cat runc/model.json)"
"$bin" evaluate --model runc --data datac --json >/dev/null || fail "evaluate of a two-channel run exited $?"
expect_error "which a PNG does not hold" predict inspect.png --model runc --out p4 --size-nm 2

# The real scans, when the test files are here.
gwy=$testdata/gwyddion/synthetic_128.gwy sxm=$testdata/nanonis/hexagonal_lattice_4nm.sxm
if [[ -f $gwy && -f $sxm ]]; then
  "$bin" predict "$gwy" --model run --out pg --size-nm 2 >pg.txt || fail "predict .gwy exited $?"
  [[ -s pg/overlay.png && -s pg/defects.csv ]] || fail "predict .gwy outputs"
  "$bin" predict "$sxm" --model run --out ps --direction backward >ps.txt || fail "predict .sxm exited $?"
  grep -q "Z backward" ps.txt && grep -q "4 × 4 nm" ps.txt || fail "predict .sxm: $(cat ps.txt)"
  "$bin" predict "$sxm" --model runc --out psc >/dev/null || fail "predict .sxm with Z and current exited $?"
  head -c 20000 "$sxm" >truncated.sxm
  expect_error "truncated data" predict truncated.sxm --model run --out p3
else
  echo "skipped the real-scan checks: no test files under $testdata (set SYNTHSTM_TESTDATA)"
fi

if ((failures)); then echo "$failures failure(s)"; exit 1; fi
echo "all ml checks passed"
