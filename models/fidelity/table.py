#!/usr/bin/python3
"""Write docs/fidelity.md (to stdout) from the work files of models/fidelity/fidelity.sh.

Reads WORK/attune-M.json and WORK/attune-M.npy (`attune evaluate --report --predictions`),
the official side's JSON and .npz files (run_official.py --json --predictions; by default
WORK/official.json and WORK/official.npz, or several with --official, merged by method),
WORK/stream/schedule.json and the load averages fidelity.sh recorded (WORK/load-start,
WORK/load-end). Nothing here is typed by hand: every number comes from
those files.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess

import numpy as np

LIMIT_PP = 0.5
NORM = "norm"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def java_version():
    try:
        out = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr
        return out.splitlines()[0].strip()
    except (OSError, IndexError):
        return "unknown"


def read(path):
    """A recorded value, or "not recorded" when the file is absent (a run not made by
    fidelity.sh)."""
    if not os.path.isfile(path):
        return "not recorded"
    with open(path) as f:
        return f.read().strip()


def batches(domains, batch):
    """Index arrays of the batches both sides ran: `batch` at a time within each domain."""
    out = []
    for d in sorted(set(domains.tolist())):
        rows = np.flatnonzero(domains == d)
        out.extend(rows[i:i + batch] for i in range(0, len(rows), batch))
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--work", required=True)
    p.add_argument("--methods", default="norm,tent,eata,sar")
    p.add_argument("--official", nargs="+", default=None, metavar="JSON",
                   help="run_official.py --json files, each with its --predictions .npz beside "
                        "it (same name, .npz); default WORK/official.json")
    p.add_argument("--speed", default=None, metavar="DIR",
                   help="take samples/s from these back-to-back runs (models/fidelity/speed.sh: "
                        "DIR/attune-M.json, DIR/official.json) instead of from the runs above")
    p.add_argument("--note", action="append", default=[],
                   help="a line about the conditions of the runs, printed under the machine")
    p.add_argument("--command", required=True, action="append",
                   help="the command(s) that made the page, one per option")
    args = p.parse_args()
    w = args.work
    methods = args.methods.split(",")
    attune = {m: json.load(open(os.path.join(w, "attune-%s.json" % m))) for m in methods}
    attune_pred = {m: np.load(os.path.join(w, "attune-%s.npy" % m)) for m in methods}
    off, off_pred = {}, {}
    for path in args.official or [os.path.join(w, "official.json")]:
        official = json.load(open(path))
        preds = np.load(os.path.splitext(path)[0] + ".npz")
        labels, domains = preds["labels"], preds["domains"]
        for r in official["results"]:
            off[r["method"]] = r
            off_pred[r["method"]] = preds[r["method"]]
    schedule = json.load(open(os.path.join(w, "stream", "schedule.json")))
    names = {d["index"]: "%s:%d" % (d["corruption"], d["severity"])
             for d in schedule["domains"]}
    batch = official["batch"]
    runs = batches(domains, batch)
    per_domain = len(labels) // len(names)

    def pct(x):
        return "%.2f" % (100 * x)

    o = []
    o.append("# Fidelity: Attune's methods against the authors' code")
    o.append("")
    o.append("Generated; do not edit by hand. To regenerate (see models/fidelity/README.md; "
             "OFFICIAL_DIR holds checkouts of DequanWang/tent, mr-eggplant/EATA and "
             "mr-eggplant/SAR):")
    o.append("")
    o.append("```bash")
    o.extend(args.command)
    o.append("```")
    o.append("")
    o.append("- **date**: %s" % datetime.date.today().isoformat())
    o.append("- **machine**: %d cores, %s, %s; Java: %s; Python %s, torch %s; "
             "one-minute load average at the start: %s, at the end: %s (the machine is "
             "shared: samples/s are what each run got, not what the machine can do)"
             % (os.cpu_count(), cpu_model(), platform.system() + " " + platform.machine(),
                java_version(), platform.python_version(), official["torch"],
                read(os.path.join(w, "load-start")), read(os.path.join(w, "load-end"))))
    o.append("- **threads**: %d ONNX Runtime intra-op threads for Attune "
             "(`evaluate --threads`), `torch.set_num_threads(%d)` for the official code"
             % (official["threads"], official["threads"]))
    for note in args.note:
        o.append("- **note**: " + note)
    o.append("- **model**: models/fmnist-resnet, `model.onnx` in Attune's bundle, "
             "`state_dict.pt` in PyTorch (the same trained weights)")
    o.append("- **stream**: `%s`, %d images per corruption (a class-stratified subset of the "
             "test split, the same images under every corruption), %d in all, exported once "
             "(`attune simulate export --format npy`) and read by both sides"
             % (schedule["spec"], per_domain, len(labels)))
    o.append("- **protocol**: batch %d, online (each batch predicted, then adapted on), every "
             "method reset to the source at each corruption; the official wrappers are rebuilt "
             "per corruption; %d batches in all" % (batch, len(runs)))
    o.append("- **errors** in %; means unweighted over the corruptions. **samples/s** counts "
             "the method's steps alone (Attune: `StreamEvaluation`'s method time; official: "
             "the wrapper's forward calls).")
    speed_a = {m: attune[m]["samplesPerSecond"] for m in methods}
    speed_o = {m: off[m]["samplesPerSecond"] for m in methods}
    if args.speed:
        sp = json.load(open(os.path.join(args.speed, "official.json")))
        speed_o = {r["method"]: r["samplesPerSecond"] for r in sp["results"]}
        speed_a = {m: json.load(open(os.path.join(args.speed, "attune-%s.json" % m)))
                   ["samplesPerSecond"] for m in methods}
        sched = json.load(open(os.path.join(args.speed, "stream", "schedule.json")))
        o.append("- **samples/s** from separate back-to-back runs (models/fidelity/speed.sh, "
                 "one run at a time): `%s`, %d samples, batch %d, %d threads each side; "
                 "one-minute load average at the start: %s, at the end: %s"
                 % (sched["spec"], sp["samples"], sp["batch"], sp["threads"],
                    read(os.path.join(args.speed, "load-start")),
                    read(os.path.join(args.speed, "load-end"))))
    o.append("")
    o.append("## Summary")
    o.append("")
    o.append("Source (no adaptation): Attune %s%%, PyTorch %s%% mean error."
             % (pct(attune[methods[0]]["sourceError"]), pct(off["source"]["error"]))
             if "source" in off else "")
    o.append("")
    o.append("| method | Attune error | official error | difference (pp) | within %.1f pp | "
             "same prediction | identical batches | differs from norm | of those, same "
             "| Attune samples/s | PyTorch samples/s |" % LIMIT_PP)
    o.append("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for m in methods:
        a, r = attune[m], off[m]
        diff = round(100 * (a["error"] - r["error"]), 2) + 0.0  # no "-0.00"
        same = attune_pred[m] == off_pred[m]
        identical = sum(bool(same[b].all()) for b in runs)
        moved = attune_pred[m] != attune_pred[NORM] if NORM in attune_pred else None
        moved_cells = ("%d" % moved.sum(), "%d" % same[moved].sum()) if m != NORM \
            and moved is not None else ("", "")
        o.append("| %s | %s | %s | %+.2f | %s | %.2f%% | %d / %d | %s | %s | %.0f | %.0f |" % (
            m, pct(a["error"]), pct(r["error"]), diff,
            "yes" if abs(diff) <= LIMIT_PP else "**no**", 100 * same.mean(), identical,
            len(runs), moved_cells[0], moved_cells[1], speed_a[m], speed_o[m]))
    o.append("")
    o.append("*same prediction*: share of the %d samples whose predicted class is the same on "
             "both sides; *identical batches*: batches in which every prediction agrees; "
             "*differs from norm*: samples on which the method's prediction (Attune's) is not "
             "norm's, i.e. where its updates changed the outcome, and how many of those the "
             "official code predicts the same: the agreement that the gradient steps, filters "
             "and optimizer account for, beyond the shared batch normalization."
             % len(labels))
    o.append("")
    if "eata" in off and "eata" in attune and off["eata"].get("shareUsed") is not None:
        o.append("EATA's filters kept %.1f%% of the samples for its updates in Attune and %.1f%% "
                 "in the official code." % (100 * attune["eata"]["shareUsed"],
                                             100 * off["eata"]["shareUsed"]))
        o.append("")
    if "sar" in off and off["sar"].get("recoveries") is not None:
        o.append("SAR's model recovery fired %d times in the official run (with Attune's e_m; "
                 "see models/fidelity/README.md)." % off["sar"]["recoveries"])
        o.append("")
    o.append("## Per corruption")
    o.append("")
    o.append("Error (%), Attune / official:")
    o.append("")
    head = "| corruption | source |" + "".join(" %s |" % m for m in methods)
    o.append(head)
    o.append("|---|---:|" + "---:|" * len(methods))
    first = attune[methods[0]]["domains"]
    for i, d in enumerate(first):
        idx = d["index"]
        src_off = off["source"]["domains"][i]["error"] if "source" in off else float("nan")
        row = "| %s | %s / %s |" % (names.get(idx, str(idx)), pct(d["sourceError"]),
                                     pct(src_off))
        for m in methods:
            row += " %s / %s |" % (pct(attune[m]["domains"][i]["error"]),
                                   pct(off[m]["domains"][i]["error"]))
        o.append(row)
    o.append("")
    print("\n".join(o))


if __name__ == "__main__":
    main()
