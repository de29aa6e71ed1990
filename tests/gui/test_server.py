"""synthstm gui: every endpoint, its error paths, and a saved file used by synthstm render.

Usage: test_server.py SYNTHSTM_BINARY WORK_DIR
Starts `synthstm gui --port 0` (it prints the address on its first line) and talks HTTP to it.
"""
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

binary, work = sys.argv[1], sys.argv[2]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
params_dir = os.path.join(work, "params")
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL:", what)


server = subprocess.Popen([binary, "gui", "--port", "0", "--params-dir", params_dir],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
first = server.stdout.readline()
if "http://127.0.0.1:" not in first:
    server.kill()
    sys.exit(f"no address on the first line: {first!r} {server.stderr.read()}")
base = first.split("http://", 1)[1].split("/", 1)[0]
base = "http://" + base


def call(method, path, body=None, raw=None):
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            text = r.read()
            return r.status, r.headers.get("Content-Type", ""), text
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def call_json(method, path, body=None, raw=None):
    status, ctype, text = call(method, path, body, raw)
    check("application/json" in ctype, f"{method} {path}: content type {ctype}")
    return status, json.loads(text)


small = {"resolution_px": 16, "size_nm": 1.5, "tip": "w111-sharp", "lattice_green_kgrid": 48}

try:
    # The page and its files.
    for path, kind in [("/", "text/html"), ("/index.html", "text/html"), ("/app.js", "javascript"), ("/style.css", "text/css")]:
        status, ctype, text = call("GET", path)
        check(status == 200 and kind in ctype and len(text) > 100, f"GET {path}: {status} {ctype}")
    status, body = call_json("GET", "/nowhere")
    check(status == 404 and "error" in body, f"unknown path: {status} {body}")

    # Schema: every key with group, unit, help; groups as documented.
    status, schema = call_json("GET", "/api/schema")
    check(status == 200, "GET /api/schema")
    check(schema["groups"] == ["sample", "tip", "scan", "feedback", "distortions", "noise"], f"groups {schema['groups']}")
    keys = {p["key"]: p for p in schema["parameters"]}
    check(len(keys) > 40 and all(p["group"] in schema["groups"] and p["help"] for p in keys.values()), "schema entries")
    check(keys["bias_V"]["unit"] == "V" and keys["bias_V"]["signed"], "bias_V entry")
    check(keys["noise_rel"]["group"] == "noise" and keys["tip"]["group"] == "tip" and keys["drift_fast_nm"]["group"] == "distortions", "groups of keys")

    # Presets.
    status, presets = call_json("GET", "/api/presets")
    check(status == 200 and "wse2-main" in presets, f"presets {presets}")
    status, preset = call_json("GET", "/api/presets/wse2-main")
    check(status == 200 and set(preset) == set(keys), "preset wse2-main has every key")
    status, body = call_json("GET", "/api/presets/nope")
    check(status == 404 and "nope" in body["error"], f"unknown preset: {status} {body}")

    # Parameter files: list, save, load, bad names, bad content, size limit.
    status, names = call_json("GET", "/api/params")
    check(status == 200 and names == [], f"no files at first: {names}")
    status, body = call_json("PUT", "/api/params/small-1", dict(small))
    check(status == 200 and body["saved"] == "small-1", f"PUT small-1: {status} {body}")
    status, names = call_json("GET", "/api/params")
    check(names == ["small-1"], f"listed {names}")
    status, loaded = call_json("GET", "/api/params/small-1")
    check(status == 200 and loaded["resolution_px"] == 16 and loaded["tip"] == "w111-sharp" and set(loaded) == set(keys),
          f"GET small-1: {status}")
    status, body = call_json("GET", "/api/params/missing")
    check(status == 404, f"missing file: {status} {body}")
    for bad in ["..%2F..%2Fetc%2Fpasswd", "a.b", "x" * 65, "%20", "a%2Fb"]:
        status, body = call_json("PUT", f"/api/params/{bad}", dict(small))
        check(status in (400, 404) and "error" in body, f"PUT bad name {bad}: {status} {body}")
        status, body = call_json("GET", f"/api/params/{bad}")
        check(status in (400, 404) and "error" in body, f"GET bad name {bad}: {status} {body}")
    check(sorted(os.listdir(params_dir)) == ["small-1.json"], f"params dir holds {os.listdir(params_dir)}")
    status, body = call_json("PUT", "/api/params/bad", {"kp_rel": 500})
    check(status == 400 and body["key"] == "kp_rel" and "kp_rel" in body["errors"], f"out of range: {status} {body}")
    status, body = call_json("PUT", "/api/params/bad", {"no_such_key": 1})
    check(status == 400 and body["key"] == "no_such_key", f"unknown key: {status} {body}")
    status, body = call_json("PUT", "/api/params/bad", {"dopant_onsite_min_eV": 1, "dopant_onsite_max_eV": 0})
    check(status == 400 and body["key"] == "dopant_onsite_min_eV", f"min > max pair: {status} {body}")
    status, body = call_json("PUT", "/api/params/bad", {"size_nm": {"uniform": [3, 1]}})
    check(status == 400 and body["key"] == "size_nm", f"uniform min > max: {status} {body}")
    status, body = call_json("PUT", "/api/params/bad", raw=b"{not json")
    check(status == 400 and "JSON" in body["error"], f"not JSON: {status} {body}")
    status, body = call_json("PUT", "/api/params/bad", raw=b"[1, 2]")
    check(status == 400, f"array config: {status} {body}")
    status, body = call_json("PUT", "/api/params/big", raw=b"{" + b" " * (2 << 20) + b"}")
    check(status == 413 and "error" in body, f"2 MB body: {status} {body}")
    check(not os.path.exists(os.path.join(params_dir, "bad.json")), "a refused config was saved")

    # The saved file works unchanged with synthstm render --config.
    out = os.path.join(work, "render-out")
    r = subprocess.run([binary, "render", "--config", os.path.join(params_dir, "small-1.json"), "--seed", "3", "--out", out],
                       capture_output=True, text=True)
    check(r.returncode == 0 and os.path.exists(os.path.join(out, "params.json")), f"render --config: {r.returncode} {r.stderr}")
    if r.returncode == 0:
        rendered = json.load(open(os.path.join(out, "params.json")))
        check(rendered["parameters"]["resolution_px"]["value"] == 16, "render used the saved resolution")

    # Render jobs: bad input comes back at once with the key; a job runs to its result.
    status, body = call_json("POST", "/api/jobs", {"kind": "render", "config": {"resolution_px": 4096}, "seed": 1})
    check(status == 400 and body["key"] == "resolution_px", f"resolution limit: {status} {body}")
    status, body = call_json("POST", "/api/jobs", {"kind": "render", "config": {"tip_height_nm": -1}, "seed": 1})
    check(status == 400 and body["key"] == "tip_height_nm", f"bad value: {status} {body}")
    status, body = call_json("POST", "/api/jobs", {"kind": "render", "config": dict(small), "seed": -3})
    check(status == 400 and body["key"] == "seed", f"negative seed: {status} {body}")
    status, body = call_json("POST", "/api/jobs", {"kind": "paint", "config": dict(small)})
    check(status == 400 and body["key"] == "kind", f"unknown kind: {status} {body}")
    status, body = call_json("POST", "/api/jobs", {"seed": 1})
    check(status == 400 and body["key"] == "config", f"no config: {status} {body}")
    status, body = call_json("POST", "/api/jobs", raw=b"nonsense")
    check(status == 400, f"not JSON: {status} {body}")
    status, body = call_json("GET", "/api/jobs/999999")
    check(status == 404, f"unknown job: {status} {body}")
    status, body = call_json("DELETE", "/api/jobs/999999")
    check(status == 404, f"cancel unknown job: {status} {body}")

    def wait(job):
        for _ in range(600):
            status, s = call_json("GET", f"/api/jobs/{job}")
            if status != 200 or s["state"] in ("done", "failed", "cancelled"):
                return status, s
            time.sleep(0.1)
        return 0, {}

    # Two renders at once, one cancelled.
    status, a = call_json("POST", "/api/jobs", {"kind": "render", "config": dict(small), "seed": 5})
    check(status == 202, f"submit: {status} {a}")
    slow = dict(small, resolution_px=48)  # still running when it is cancelled
    status, b = call_json("POST", "/api/jobs", {"kind": "render", "config": slow, "seed": 6})
    status, c = call_json("DELETE", f"/api/jobs/{b['id']}")
    check(status == 200 and c["cancelled"], f"cancel: {status} {c}")
    status, s = wait(a["id"])
    check(status == 200 and s["state"] == "done", f"render job: {status} {s.get('state')} {s.get('error')}")
    result = s.get("result", {})
    names = [i["name"] for i in result.get("images", [])]
    for n in ["constant_height_current", "constant_current_height", "z_recorded_forward", "z_recorded_backward",
              "z_true_forward", "current_forward", "lattice", "defects"]:
        check(n in names, f"render result lacks {n}")
    check(all(i["png"].startswith("data:image/png;base64,iVBOR") for i in result.get("images", [])), "images are PNG data URLs")
    check(result.get("hysteresis_png", "").startswith("data:image/png;base64,"), "hysteresis plot")
    check(result.get("sample_ldos_png", "").startswith("data:image/png;base64,"), "sample LDOS plot")
    tip = result.get("tip", {})
    check(tip.get("name") == "w111-sharp" and tip.get("apex_atoms", 0) > 0 and tip.get("apex_png", "").startswith("data:image/png")
          and tip.get("ldos_png", "").startswith("data:image/png"), f"tip apex and LDOS: {tip.get('name')}")
    check(result.get("parameters", {}).get("resolution_px", {}).get("value") == 16, "drawn parameters")
    check(result.get("pixels") == 16, "pixels")
    status, s = call_json("GET", f"/api/jobs/{b['id']}")
    check(status == 200 and s["state"] == "cancelled" and "result" not in s, f"cancelled job: {status} {s}")

    # The synchronous render answers the same; a failing one answers 400.
    status, r2 = call_json("POST", "/api/render", {"config": dict(small), "seed": 5})
    check(status == 200 and [i["png"] for i in r2["images"]] == [i["png"] for i in result.get("images", [])],
          f"POST /api/render: {status} (same seed, same images)")
    status, body = call_json("POST", "/api/render", {"config": {"bias_V": 99}, "seed": 5})
    check(status == 400 and body["key"] == "bias_V", f"render bad bias: {status} {body}")

    # A small dataset into the params directory.
    status, body = call_json("POST", "/api/jobs", {"kind": "dataset", "config": dict(small), "seed": 1, "samples": 2, "name": "../x"})
    check(status == 400 and body["key"] == "name", f"dataset bad name: {status} {body}")
    status, body = call_json("POST", "/api/jobs", {"kind": "dataset", "config": dict(small), "seed": 1, "samples": 0, "name": "d"})
    check(status == 400 and body["key"] == "samples", f"dataset no samples: {status} {body}")
    status, body = call_json("POST", "/api/jobs", {"kind": "dataset", "config": dict(small, resolution_px={"choice": [16, 24]}),
                                                   "seed": 1, "samples": 2, "name": "d"})
    check(status == 400, f"dataset with a random resolution: {status} {body}")
    status, d = call_json("POST", "/api/jobs", {"kind": "dataset", "config": dict(small), "seed": 1, "samples": 2, "name": "tiny"})
    check(status == 202, f"dataset submit: {status} {d}")
    status, s = wait(d["id"])
    check(status == 200 and s["state"] == "done" and os.path.exists(os.path.join(params_dir, "datasets", "tiny", "dataset.h5")),
          f"dataset job: {s.get('state')} {s.get('error')}")

    # Still serving after all of that.
    status, _ = call_json("GET", "/api/presets")
    check(status == 200 and server.poll() is None, "the server survived")
finally:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()

# Bad command-line input: one line, exit 2.
r = subprocess.run([binary, "gui", "--port", "70000"], capture_output=True, text=True, timeout=10)
check(r.returncode == 2 and r.stderr.startswith("synthstm: error:") and "--port" in r.stderr, f"bad port: {r.returncode} {r.stderr}")
r = subprocess.run([binary, "gui", "--host", "203.0.113.7", "--port", "0"], capture_output=True, text=True, timeout=10)
check(r.returncode == 2 and "cannot listen" in r.stderr, f"unbindable host: {r.returncode} {r.stderr}")

print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
