"""Streaming throughput of synthstm.torch.SyntheticSTM into a DataLoader, against `synthstm bench`.

Usage (from the repository root):
  PYTHONPATH=build/release/python /usr/bin/python3 bench/python_streaming.py \
      --bench build/release/apps/synthstm/synthstm --preset wse2-main --set resolution_px=32 \
      --samples 20 --workers 2 --rounds 3

Each round runs, one after the other,
  synthstm bench --preset P --set ... --samples N --threads W --seed S --json
and the stream of the same N samples (indices 1..N, those bench simulates) through a DataLoader
with W workers, and prints one JSON line per run. Wall-clock rates on a shared machine vary with
the other load, so the rounds alternate the two, and the CPU time is measured too: for the stream
that of the parent and the workers while streaming; for bench, the CPU time of a run with N + 1
samples minus that of a run with 1 (what the N samples cost beyond the one-time tables), which
covers indices 2..N+1, so the CPU comparison streams those. Like bench, the stream builds the
one-time tables (G0, the apex LDOS of every tip variant) before timing, in the parent process,
which the workers inherit. Without --bench only the stream is measured.
"""
import argparse
import json
import resource
import subprocess
import time

from torch.utils.data import DataLoader

import synthstm
from synthstm.torch import SyntheticSTM


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def own_cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def stream(config, samples, seed, workers, first):
    """(samples/s, CPU s) of streaming samples first .. first+samples-1."""
    loader = DataLoader(SyntheticSTM(config, samples, seed, first=first), batch_size=1, num_workers=workers)
    cpu0, child0, start = own_cpu(), children_cpu(), time.perf_counter()
    count = sum(x.shape[0] for x, _ in loader)  # the exhausted iterator joins its workers
    seconds = time.perf_counter() - start
    return count / seconds, own_cpu() - cpu0 + children_cpu() - child0


def bench(binary, args, samples):
    """(samples/s, CPU s of the whole run) of synthstm bench with this many samples."""
    command = [binary, "bench", "--preset", args.preset, *[a for s in args.sets for a in ("--set", s)],
               "--samples", str(samples), "--threads", str(args.workers), "--seed", str(args.seed), "--json"]
    child0 = children_cpu()
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out)["samples_per_s"], children_cpu() - child0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", help="the synthstm program to compare with")
    parser.add_argument("--preset", default="wse2-main")
    parser.add_argument("--set", action="append", default=[], dest="sets")
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()

    config = synthstm.Config.from_preset(args.preset)
    for assignment in args.sets:
        config.set(assignment)
    tips = config.to_dict()["tip"]
    for tip in tips["choice"] if isinstance(tips, dict) else [tips]:
        warm = synthstm.Config.from_dict(config.to_dict()).set("tip", tip).set("resolution_px", 8)
        synthstm.render(warm, args.seed, 0)

    for r in range(args.rounds):
        if args.bench:
            rate, _ = bench(args.bench, args, args.samples)
            print(json.dumps({"round": r, "run": "bench", "samples_per_s": rate}), flush=True)
        rate, _ = stream(config, args.samples, args.seed, args.workers, first=1)
        print(json.dumps({"round": r, "run": "stream", "samples_per_s": rate}), flush=True)
        if args.bench:
            _, cpu_more = bench(args.bench, args, args.samples + 1)
            _, cpu_one = bench(args.bench, args, 1)
            _, cpu_stream = stream(config, args.samples, args.seed, args.workers, first=2)
            print(json.dumps({"round": r, "run": "cpu", "bench_cpu_s": cpu_more - cpu_one, "stream_cpu_s": cpu_stream,
                              "overhead": cpu_stream / (cpu_more - cpu_one) - 1}), flush=True)


if __name__ == "__main__":
    main()
