#!/usr/bin/python3
"""Run the authors' official TTA code (norm, TENT, EATA, SAR) on an exported Attune stream.

For the fidelity comparison of docs/fidelity.md (made by models/fidelity/fidelity.sh): the same
model (models/fmnist-resnet/state_dict.pt, architecture from models/train_fmnist.py), the same
images (an `attune simulate export --format npy` directory), the same preprocessing (the model
card, models/fmnist-resnet/model.json), and each official method configured as Attune's default
of that method is (adaptation/src/main/java/io/attune/adaptation/method/{Norm,Tent,Eata,Sar}.java).

This script never downloads anything and holds none of the official code: point --official-dir
at a directory holding your own checkouts of

    tent/   https://github.com/DequanWang/tent     (tent.py, norm.py)
    EATA/   https://github.com/mr-eggplant/EATA    (eata.py)
    SAR/    https://github.com/mr-eggplant/SAR     (sar.py, sam.py)

(directory names are matched case-insensitively). Their modules are imported from there by file
path, unmodified; the only thing changed from outside is documented at `sar_with_threshold`.

Needs torch (1.13 tested) and numpy:

    /usr/bin/python3 models/fidelity/run_official.py --official-dir ~/official \
        --stream /tmp/stream --methods norm,tent,eata,sar --json /tmp/official.json

Prints error per domain, the mean over domains and samples/s per method, and writes them as
JSON (--json) and, with --predictions, every sample's predicted class per method (.npz).
"""

import argparse
import importlib.util
import json
import math
import os
import platform
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(HERE)
METHODS = ("source", "norm", "tent", "eata", "sar")


def load_module(path, name):
    """Import one official file by path under a private name (EATA and SAR both ship eata.py)."""
    if not os.path.isfile(path):
        sys.exit("run_official.py: %s is missing (see --official-dir in --help)" % path)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # sar.py's torch.jit.script needs its module registered
    spec.loader.exec_module(module)
    return module


def find_dir(root, name):
    for entry in sorted(os.listdir(root)):
        if entry.lower() == name.lower() and os.path.isdir(os.path.join(root, entry)):
            return os.path.join(root, entry)
    sys.exit("run_official.py: no %s/ checkout in %s (see --help)" % (name, root))


class Official:
    """The official modules."""

    def __init__(self, root):
        tent_dir, eata_dir, sar_dir = (find_dir(root, n) for n in ("tent", "EATA", "SAR"))
        self.tent = load_module(os.path.join(tent_dir, "tent.py"), "official_tent")
        self.norm = load_module(os.path.join(tent_dir, "norm.py"), "official_norm")
        self.eata = load_module(os.path.join(eata_dir, "eata.py"), "official_eata")
        self.sam = load_module(os.path.join(sar_dir, "sam.py"), "official_sam")
        self.sar = load_module(os.path.join(sar_dir, "sar.py"), "official_sar")


# ----------------------------------------------------------------------------- Attune's defaults

CLASSES = 10
# Tent.Config.defaults(): Adam, lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay
# (the official cfgs/tent.yaml read by cifar10c.py's setup_optimizer).
TENT_LR = 1e-3
# Eata.OFFICIAL_LR: SGD, momentum 0.9, lr 0.00025 (EATA's and SAR's main.py), for EATA and SAR.
SGD_LR = 0.00025
SGD_MOMENTUM = 0.9
# Eata.Config.defaults(C): E0 = 0.4 ln C, eps = k(C)/sqrt(C) (0.4 at C = 10), beta = 2000,
# Fisher from the bundle's source images in batches of 64.
E_MARGIN = 0.4 * math.log(CLASSES)
K10, K1000 = 0.4 * math.sqrt(10), 0.05 * math.sqrt(1000)
_T = min(1.0, max(0.0, (math.log10(CLASSES) - 1) / 2))
D_MARGIN = (K10 + _T * (K1000 - K10)) / math.sqrt(CLASSES)
FISHER_ALPHA = 2000.0
FISHER_BATCH = 64
# Sar.Config.defaults(C): E0 = 0.4 ln C, rho = 0.05, e_m = 0.2 ln C / ln 1000.
SAR_RHO = 0.05
SAR_EM = 0.2 * math.log(CLASSES) / math.log(1000)


# ----------------------------------------------------------------------------- model and data

def load_model(model_dir):
    sys.path.insert(0, MODELS)
    from train_fmnist import FmnistResNet  # noqa: E402  (our architecture, not official code)
    model = FmnistResNet(num_classes=CLASSES)
    model.load_state_dict(torch.load(os.path.join(model_dir, "state_dict.pt"),
                                     map_location="cpu"))
    return model


def preprocess(pixels, card):
    """The model card's x = (pixel / pixelScale - mean) / std, in float32 as Attune does."""
    x = pixels.astype(np.float32)[:, None, :, :] / np.float32(card["pixelScale"])
    x = (x - np.float32(card["mean"][0])) / np.float32(card["std"][0])
    return torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))


def load_stream(stream_dir):
    def npy(name):
        path = os.path.join(stream_dir, name + ".npy")
        if not os.path.isfile(path):
            sys.exit("run_official.py: %s is missing; export the stream with "
                     "'attune simulate export --format npy'" % path)
        return np.load(path)
    images, labels, domains = npy("images"), npy("labels"), npy("domains")
    with open(os.path.join(stream_dir, "schedule.json")) as f:
        schedule = json.load(f)
    names = {}
    for d in schedule.get("domains", []):
        names[d["index"]] = d["corruption"] + (":%d" % d["severity"] if "severity" in d else "")
    return images, labels.astype(np.int64), domains.astype(np.int64), names


# ----------------------------------------------------------------------------- the methods

def fishers_on(official, model, source_images):
    """EATA's main.py Fisher loop ('--algorithm eata'), on the configured model, in file order.

    Attune's FisherInformation takes the source images in file order; the official loader
    shuffles the clean set once, which only changes which images share a batch.
    """
    model = official.eata.configure_model(model)
    params, _ = official.eata.collect_params(model)
    ewc_optimizer = torch.optim.SGD(params, 0.001)
    fishers = {}
    loss_fn = nn.CrossEntropyLoss()
    batches = list(range(0, source_images.shape[0], FISHER_BATCH))
    for iter_, start in enumerate(batches, start=1):
        images = source_images[start:start + FISHER_BATCH]
        outputs = model(images)
        _, targets = outputs.max(1)
        loss = loss_fn(outputs, targets)
        loss.backward()
        for name, param in model.named_parameters():
            if param.grad is not None:
                if iter_ > 1:
                    fisher = param.grad.data.clone().detach() ** 2 + fishers[name][0]
                else:
                    fisher = param.grad.data.clone().detach() ** 2
                if iter_ == len(batches):
                    fisher = fisher / iter_
                fishers.update({name: [fisher, param.data.clone().detach()]})
        ewc_optimizer.zero_grad()
    return fishers


def sar_with_threshold(official, model, optimizer, counter):
    """sar.SAR with Attune's e_m, from outside.

    The official forward_and_adapt_sar hard-codes `ema < 0.2` (its reset_constant_em is unused).
    To test e_m = SAR_EM without editing it, the module's update_ema is wrapped so that the
    stored average is the true one times s = 0.2 / e_m (update_ema is linear, so the scaled
    value stays exactly s times the true average, and `ema < 0.2` is `true ema < e_m`).
    SAR.ema is only used for that test. `counter` counts recoveries.
    """
    module = official.sar
    if not hasattr(module, "_original_update_ema"):
        module._original_update_ema = module.update_ema
    s = 0.2 / SAR_EM
    module.update_ema = lambda ema, new: module._original_update_ema(ema, s * new)
    adapt = module.SAR(model, optimizer, margin_e0=E_MARGIN, reset_constant_em=SAR_EM)
    original_reset = adapt.reset

    def counted_reset():
        counter["resets"] += 1
        original_reset()
    adapt.reset = counted_reset
    return adapt


def build(method, official, source_model, fishers, counter):
    """A fresh official wrapper around a fresh copy of the source model (reset per domain)."""
    model = load_copy(source_model)
    if method == "source":
        model.eval()
        return model
    if method == "norm":
        model.eval()
        return official.norm.Norm(model)  # eps 1e-5, momentum 0.1: batch statistics
    if method == "tent":
        model = official.tent.configure_model(model)
        params, _ = official.tent.collect_params(model)
        optimizer = torch.optim.Adam(params, lr=TENT_LR, betas=(0.9, 0.999), weight_decay=0.0)
        return official.tent.Tent(model, optimizer)
    if method == "eata":
        model = official.eata.configure_model(model)
        params, _ = official.eata.collect_params(model)
        optimizer = torch.optim.SGD(params, SGD_LR, momentum=SGD_MOMENTUM)
        return official.eata.EATA(model, optimizer, fishers, FISHER_ALPHA,
                                  e_margin=E_MARGIN, d_margin=D_MARGIN)
    if method == "sar":
        model = official.sar.configure_model(model)
        params, _ = official.sar.collect_params(model)
        optimizer = official.sam.SAM(params, torch.optim.SGD, rho=SAR_RHO, lr=SGD_LR,
                                     momentum=SGD_MOMENTUM)
        return sar_with_threshold(official, model, optimizer, counter)
    raise ValueError(method)


def load_copy(model):
    copy = type(model)(num_classes=CLASSES)
    copy.load_state_dict(model.state_dict())
    return copy


def run(method, official, source_model, fishers, x, labels, domains, batch, names):
    counter = {"resets": 0, "used": 0}
    predictions = np.empty(len(labels), dtype=np.int64)
    seconds = 0.0
    per_domain = []
    for d in sorted(set(domains.tolist())):
        rows = np.flatnonzero(domains == d)
        adapt = build(method, official, source_model, fishers, counter)
        for start in range(0, len(rows), batch):
            idx = rows[start:start + batch]
            xb = x[idx]
            t0 = time.perf_counter()
            if method == "source":
                with torch.no_grad():
                    out = adapt(xb)
            else:
                out = adapt(xb)
            seconds += time.perf_counter() - t0
            predictions[idx] = out.detach().argmax(1).numpy()
        # EATA counts its reliable and non-redundant samples; the others use every sample
        # (SAR's second filter is not exposed by its code).
        counter["used"] += adapt.num_samples_update_2 if method == "eata" else len(rows)
        wrong = int((predictions[rows] != labels[rows]).sum())
        per_domain.append({"index": d, "name": names.get(d, str(d)), "samples": len(rows),
                           "error": wrong / len(rows)})
    return {
        "method": method,
        "error": float(np.mean([p["error"] for p in per_domain])),
        "domains": per_domain,
        "samplesPerSecond": len(labels) / seconds,
        "shareUsed": counter["used"] / len(labels) if method != "sar" else None,
        "recoveries": counter["resets"] if method == "sar" else None,
    }, predictions


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n", 2)[2])
    p.add_argument("--official-dir", required=True,
                   help="directory with checkouts tent/, EATA/, SAR/ of the official repositories")
    p.add_argument("--stream", required=True, help="an 'attune simulate export --format npy' dir")
    p.add_argument("--methods", default="norm,tent,eata,sar",
                   help="comma-separated, of: " + ", ".join(METHODS))
    p.add_argument("--model-dir", default=os.path.join(MODELS, "fmnist-resnet"))
    p.add_argument("--source-images", default=None,
                   help="uint8 clean images for EATA's Fisher (default: MODEL_DIR/source-memory/"
                        "images.npy, what Attune's bundle keeps)")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    p.add_argument("--json", default=None, help="write the results here")
    p.add_argument("--predictions", default=None, help="write predictions per method (.npz)")
    args = p.parse_args()

    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    for m in methods:
        if m not in METHODS:
            sys.exit("run_official.py: unknown method '%s' (valid: %s)" % (m, ", ".join(METHODS)))
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    official = Official(args.official_dir)
    with open(os.path.join(args.model_dir, "model.json")) as f:
        card = json.load(f)
    source_model = load_model(args.model_dir)
    images, labels, domains, names = load_stream(args.stream)
    x = preprocess(images, card)

    fishers = None
    if "eata" in methods:
        src = np.load(args.source_images or os.path.join(args.model_dir, "source-memory",
                                                          "images.npy"))
        fishers = fishers_on(official, load_copy(source_model), preprocess(src, card))

    results, preds = [], {}
    for m in methods:
        r, preds[m] = run(m, official, source_model, fishers, x, labels, domains, args.batch,
                          names)
        results.append(r)
        extra = " (%d recoveries)" % r["recoveries"] if r["recoveries"] is not None else ""
        used = " used %5.1f%%" % (100 * r["shareUsed"]) if r["shareUsed"] is not None else ""
        print("%-6s mean error %6.2f%%  %7.1f samples/s%s%s" % (
            m, 100 * r["error"], r["samplesPerSecond"], used, extra), flush=True)
        print("       " + "  ".join("%s %.1f" % (d["name"], 100 * d["error"])
                                    for d in r["domains"]), flush=True)
    out = {
        "format": "attune-fidelity-official/1",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "batch": args.batch,
        "machine": "%s, %d cores, %s" % (platform.processor() or platform.machine(),
                                          os.cpu_count(), platform.platform()),
        "samples": int(len(labels)),
        "results": results,
    }
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
    if args.predictions:
        np.savez_compressed(args.predictions, labels=labels, domains=domains, **preds)


if __name__ == "__main__":
    main()
