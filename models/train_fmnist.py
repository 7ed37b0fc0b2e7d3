#!/usr/bin/python3
"""Train Attune's reference Fashion-MNIST classifier and export it to ONNX.

CPU only, seeded and deterministic. Needs only the Debian packages
python3-torch (1.13), python3-onnx (1.12), python3-numpy and dataset-fashion-mnist:

    /usr/bin/python3 models/train_fmnist.py

Writes into --out (default: models/fmnist-resnet next to this script):
    model.onnx          BatchNormalization nodes kept (TrainingMode.PRESERVE, no constant folding)
    model-folded.onnx   default eval-mode export: BN folded into the convolutions
    model.json          manifest (input/output names, preprocessing, class names, accuracy, ...)
    state_dict.pt       PyTorch weights
    source-memory/      2,000 training images (200 per class): images, labels, features, indices
See models/README.md.
"""

import argparse
import gzip
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
MEAN = 0.2860  # Fashion-MNIST training-split pixel mean (pixel/255), checked at start-up
STD = 0.3530   # Fashion-MNIST training-split pixel std (pixel/255), checked at start-up
OPSET = 13
INPUT_NAME = "input"
OUTPUT_NAME = "logits"
MEMORY_PER_CLASS = 200


# ----------------------------------------------------------------------------- data

def read_idx(path):
    """Read a gzipped IDX file (images: magic 2051, labels: magic 2049) into a uint8 array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    if magic == 2051:
        n, rows, cols = (int.from_bytes(data[i:i + 4], "big") for i in (4, 8, 12))
        arr = np.frombuffer(data, dtype=np.uint8, offset=16).reshape(n, rows, cols)
    elif magic == 2049:
        n = int.from_bytes(data[4:8], "big")
        arr = np.frombuffer(data, dtype=np.uint8, offset=8)
    else:
        raise ValueError("%s: unknown IDX magic %d" % (path, magic))
    if arr.shape[0] != n:
        raise ValueError("%s: header says %d items, found %d" % (path, n, arr.shape[0]))
    return arr.copy()


def load_split(data_dir, prefix):
    images = read_idx(os.path.join(data_dir, prefix + "-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data_dir, prefix + "-labels-idx1-ubyte.gz"))
    assert images.shape[0] == labels.shape[0]
    return images, labels


def normalize(images_u8):
    """uint8 [N,28,28] -> float32 [N,1,28,28], x = (pixel/255 - mean)/std."""
    x = torch.from_numpy(images_u8).float().div_(255.0).unsqueeze(1)
    return (x - MEAN) / STD


def augment(x, gen, pad=2):
    """Random crop with `pad` pixels of zero-pixel padding, and random horizontal flip.

    Padding uses the normalized value of a black pixel, so padded borders look like
    background. All randomness comes from `gen`.
    """
    n, c, h, w = x.shape
    background = (0.0 - MEAN) / STD
    padded = F.pad(x, (pad, pad, pad, pad), value=background)
    dx = torch.randint(0, 2 * pad + 1, (n,), generator=gen)
    dy = torch.randint(0, 2 * pad + 1, (n,), generator=gen)
    flip = torch.rand(n, generator=gen) < 0.5
    rows = (dy.view(n, 1) + torch.arange(h).view(1, h))            # [n,h]
    cols = (dx.view(n, 1) + torch.arange(w).view(1, w))            # [n,w]
    cols = torch.where(flip.view(n, 1), cols.flip(1), cols)
    idx_n = torch.arange(n).view(n, 1, 1)
    out = padded[:, 0][idx_n, rows.view(n, h, 1), cols.view(n, 1, w)]
    return out.unsqueeze(1).contiguous()


# ----------------------------------------------------------------------------- model

class BasicBlock(nn.Module):
    """ResNet basic block: conv3x3-BN-ReLU-conv3x3-BN + shortcut, ReLU."""

    def __init__(self, in_ch, out_ch, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_ch)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_ch)
        if stride != 1 or in_ch != out_ch:
            self.shortcut_conv = nn.Conv2d(in_ch, out_ch, 1, stride=stride, bias=False)
            self.shortcut_bn = nn.BatchNorm2d(out_ch)
        else:
            self.shortcut_conv = None
            self.shortcut_bn = None

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.shortcut_conv is not None:
            shortcut = self.shortcut_bn(self.shortcut_conv(x))
        else:
            shortcut = x
        return F.relu(out + shortcut)


class FmnistResNet(nn.Module):
    """Small 3-stage ResNet for 1x28x28 input (~308k parameters)."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.stem_conv = nn.Conv2d(1, 32, 3, stride=1, padding=1, bias=False)
        self.stem_bn = nn.BatchNorm2d(32)
        self.stage1 = BasicBlock(32, 32, stride=1)    # 28x28
        self.stage2 = BasicBlock(32, 64, stride=2)    # 14x14
        self.stage3 = BasicBlock(64, 128, stride=2)   # 7x7
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(128, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def features(self, x):
        """Penultimate features: global-average-pooled [N,128] that feed the linear head."""
        x = F.relu(self.stem_bn(self.stem_conv(x)))
        x = self.stage3(self.stage2(self.stage1(x)))
        return torch.flatten(self.pool(x), 1)

    def forward(self, x):
        return self.fc(self.features(x))


# ----------------------------------------------------------------------------- training

@torch.no_grad()
def evaluate(model, x_all, y_all, batch=250):
    model.eval()
    correct = 0
    for i in range(0, x_all.shape[0], batch):
        logits = model(x_all[i:i + batch])
        correct += (logits.argmax(1) == y_all[i:i + batch]).sum().item()
    return correct / x_all.shape[0]


@torch.no_grad()
def compute_features(model, x_all, batch=250):
    model.eval()
    return torch.cat([model.features(x_all[i:i + batch]) for i in range(0, x_all.shape[0], batch)])


def train(model, x_train, y_train, x_test, y_test, args, gen):
    n = x_train.shape[0]
    steps_per_epoch = (n + args.batch_size - 1) // args.batch_size
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True,
                                weight_decay=args.weight_decay)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, epochs=args.epochs, steps_per_epoch=steps_per_epoch,
        pct_start=0.25, anneal_strategy="cos", div_factor=25.0, final_div_factor=1e3,
        three_phase=False)
    t_start = time.time()
    epoch_times = []
    for epoch in range(1, args.epochs + 1):
        model.train()
        t0 = time.time()
        perm = torch.randperm(n, generator=gen)
        loss_sum, correct, seen = 0.0, 0, 0
        for step in range(steps_per_epoch):
            idx = perm[step * args.batch_size:(step + 1) * args.batch_size]
            xb = augment(x_train[idx], gen)
            yb = y_train[idx]
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            loss_sum += loss.item() * yb.shape[0]
            correct += (logits.argmax(1) == yb).sum().item()
            seen += yb.shape[0]
            if args.max_steps and step + 1 >= args.max_steps:
                break
            if (step + 1) % 100 == 0:
                print("  epoch %d step %d/%d loss %.4f acc %.4f lr %.4f  %.1fs"
                      % (epoch, step + 1, steps_per_epoch, loss_sum / seen, correct / seen,
                         scheduler.get_last_lr()[0], time.time() - t0), flush=True)
        train_time = time.time() - t0
        epoch_times.append(train_time)
        test_acc = evaluate(model, x_test, y_test)
        print("epoch %d/%d  train loss %.4f  train acc %.4f  test acc %.4f  "
              "epoch time %.1fs (train) / %.1fs (with eval)  total %.1fs"
              % (epoch, args.epochs, loss_sum / seen, correct / seen, test_acc,
                 train_time, time.time() - t0, time.time() - t_start), flush=True)
        if args.max_steps:
            break
    return time.time() - t_start, epoch_times


# ----------------------------------------------------------------------------- export

def undo_initializer_dedup(path):
    """Give every parameter its own initializer again.

    In eval mode torch's exporter merges initializers with equal values into one and
    re-creates the others with Identity nodes. In a ResNet block with a projection shortcut,
    bn2.bias and shortcut_bn.bias start equal (zero) and always receive the same gradient
    (both are added straight into the block's sum), so they stay bit-identical and get merged.
    Replace each `Identity(initializer) -> name` by an initializer `name` holding a copy, so
    that every BatchNormalization reads its own PyTorch-named scale/bias/mean/var.
    """
    import onnx

    m = onnx.load(path)
    inits = {i.name: i for i in m.graph.initializer}
    keep, restored = [], []
    for node in m.graph.node:
        if node.op_type == "Identity" and node.input[0] in inits:
            copy = onnx.TensorProto()
            copy.CopyFrom(inits[node.input[0]])
            copy.name = node.output[0]
            m.graph.initializer.append(copy)
            restored.append("%s (= %s)" % (node.output[0], node.input[0]))
        else:
            keep.append(node)
    if restored:
        del m.graph.node[:]
        m.graph.node.extend(keep)
        onnx.save(m, path)
        print("%s: replaced %d de-duplicating Identity nodes by own initializers: %s"
              % (os.path.basename(path), len(restored), ", ".join(restored)))


def export_onnx(model, out_dir):
    import onnx

    model.eval()
    dummy = torch.zeros(2, 1, 28, 28)
    common = dict(input_names=[INPUT_NAME], output_names=[OUTPUT_NAME],
                  dynamic_axes={INPUT_NAME: {0: "N"}, OUTPUT_NAME: {0: "N"}},
                  opset_version=OPSET)
    preserved = os.path.join(out_dir, "model.onnx")
    folded = os.path.join(out_dir, "model-folded.onnx")
    # PRESERVE keeps the module's mode (eval) but stops the exporter from folding
    # BatchNormalization into the preceding Conv; constant folding must be off too.
    torch.onnx.export(model, dummy, preserved, training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=False, **common)
    undo_initializer_dedup(preserved)
    # The default eval-mode export: BN folded into Conv weights and biases.
    torch.onnx.export(model, dummy, folded, training=torch.onnx.TrainingMode.EVAL,
                      do_constant_folding=True, **common)
    assert not model.training

    report = {}
    for path in (preserved, folded):
        m = onnx.load(path)
        onnx.checker.check_model(m)
        ops = {}
        for node in m.graph.node:
            ops[node.op_type] = ops.get(node.op_type, 0) + 1
        inits = [i.name for i in m.graph.initializer]
        print("%s: opset %s, ops %s, %d initializers"
              % (os.path.basename(path), [o.version for o in m.opset_import], ops, len(inits)))
        for vi in list(m.graph.input) + list(m.graph.output):
            dims = [d.dim_param or d.dim_value for d in vi.type.tensor_type.shape.dim]
            print("  %s %s %s" % ("input " if vi in m.graph.input else "output", vi.name, dims))
        report[os.path.basename(path)] = (m, ops)

    m, ops = report["model.onnx"]
    bn_nodes = [n for n in m.graph.node if n.op_type == "BatchNormalization"]
    n_bn = sum(1 for mod in model.modules() if isinstance(mod, nn.BatchNorm2d))
    assert len(bn_nodes) == n_bn, "model.onnx: %d BN nodes, expected %d" % (len(bn_nodes), n_bn)
    state_names = set(model.state_dict().keys())
    init_names = set(i.name for i in m.graph.initializer)
    for node in bn_nodes:
        scale, bias, mean, var = node.input[1:5]
        for name in (scale, bias, mean, var):
            assert name in state_names, "BN input %s does not carry a PyTorch name" % name
            # torch's exporter de-duplicates equal-valued initializers (via Identity nodes),
            # which happens for an untrained model; after training each must be its own.
            assert name in init_names, "BN input %s is not an initializer" % name
        print("  BN %-22s scale=%s bias=%s mean=%s var=%s"
              % (node.name, scale, bias, mean, var))
    m, ops = report["model-folded.onnx"]
    assert "BatchNormalization" not in ops, "model-folded.onnx still has BatchNormalization"
    for name, (m, _) in report.items():
        assert m.graph.input[0].name == INPUT_NAME and m.graph.output[0].name == OUTPUT_NAME
        assert m.graph.input[0].type.tensor_type.shape.dim[0].dim_param, name + ": batch not dynamic"
    return {k: v[1] for k, v in report.items()}


def run_onnx_numpy(path, x):
    """Minimal NumPy evaluator for the ops these exports use (no onnxruntime here).

    Only a sanity check that the exported graphs compute what PyTorch computes.
    """
    import onnx
    from onnx import numpy_helper

    m = onnx.load(path)
    env = {i.name: numpy_helper.to_array(i).astype(np.float64) for i in m.graph.initializer}
    env[m.graph.input[0].name] = x.astype(np.float64)

    def attr(node, name, default=None):
        for a in node.attribute:
            if a.name == name:
                return onnx.helper.get_attribute_value(a)
        return default

    def conv(xv, w, b, strides, pads):
        n, c, h, wd = xv.shape
        k, _, kh, kw = w.shape
        xp = np.pad(xv, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
        oh = (xp.shape[2] - kh) // strides[0] + 1
        ow = (xp.shape[3] - kw) // strides[1] + 1
        cols = np.empty((n, c, kh, kw, oh, ow))
        for i in range(kh):
            for j in range(kw):
                cols[:, :, i, j] = xp[:, :, i:i + strides[0] * oh:strides[0],
                                      j:j + strides[1] * ow:strides[1]]
        out = np.einsum("ncijhw,kcij->nkhw", cols, w)
        if b is not None:
            out += b.reshape(1, -1, 1, 1)
        return out

    for node in m.graph.node:
        ins = [env[i] if i else None for i in node.input]
        op = node.op_type
        if op == "Conv":
            assert attr(node, "group", 1) == 1
            out = conv(ins[0], ins[1], ins[2] if len(ins) > 2 else None,
                       attr(node, "strides", [1, 1]), attr(node, "pads", [0, 0, 0, 0]))
        elif op == "BatchNormalization":
            xv, s, b, mu, var = ins
            eps = attr(node, "epsilon", 1e-5)
            sh = (1, -1, 1, 1)
            out = (xv - mu.reshape(sh)) / np.sqrt(var.reshape(sh) + eps) * s.reshape(sh) + b.reshape(sh)
        elif op == "Identity":
            out = ins[0]
        elif op == "Relu":
            out = np.maximum(ins[0], 0)
        elif op == "Add":
            out = ins[0] + ins[1]
        elif op in ("GlobalAveragePool", "ReduceMean"):
            out = ins[0].mean(axis=(2, 3), keepdims=True)
        elif op == "Flatten":
            out = ins[0].reshape(ins[0].shape[0], -1)
        elif op == "Gemm":
            a, bm = ins[0], ins[1]
            if attr(node, "transA", 0):
                a = a.T
            if attr(node, "transB", 0):
                bm = bm.T
            out = attr(node, "alpha", 1.0) * a @ bm
            if len(ins) > 2 and ins[2] is not None:
                out = out + attr(node, "beta", 1.0) * ins[2]
        else:
            raise NotImplementedError(op)
        env[node.output[0]] = out
    return env[m.graph.output[0].name]


# ----------------------------------------------------------------------------- main

def torch_version_string():
    try:  # Debian's python3-torch reports 1.13.0a0; the package version is the truth
        v = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "python3-torch"],
                           capture_output=True, text=True, check=True).stdout.strip()
        if v:
            return "torch " + v.split("+")[0].split("-")[0]
    except (OSError, subprocess.CalledProcessError):
        pass
    return "torch " + torch.__version__


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--out", default=os.path.join(here, "fmnist-resnet"))
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--seed", type=int, default=20171025)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.1, help="peak learning rate (OneCycle)")
    p.add_argument("--weight-decay", type=float, default=5e-4)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--max-steps", type=int, default=0,
                   help="debug/timing: stop after this many steps of the first epoch")
    p.add_argument("--from-state-dict", default=None, metavar="PATH",
                   help="skip training, load these weights (e.g. OUT/state_dict.pt) and only "
                        "re-export; pass the --epochs/--seed it was trained with")
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.use_deterministic_algorithms(True)
    gen = torch.Generator().manual_seed(args.seed)
    print("torch %s (%s), onnx export opset %d, %d threads, seed %d, epochs %d"
          % (torch.__version__, torch_version_string(), OPSET, torch.get_num_threads(),
             args.seed, args.epochs), flush=True)

    train_u8, train_labels = load_split(args.data_dir, "train")
    test_u8, test_labels = load_split(args.data_dir, "t10k")
    px = train_u8.astype(np.float64) / 255.0
    print("train %s, test %s; train pixel mean %.4f std %.4f (using %.4f / %.4f)"
          % (train_u8.shape, test_u8.shape, px.mean(), px.std(), MEAN, STD), flush=True)
    assert abs(px.mean() - MEAN) < 5e-4 and abs(px.std() - STD) < 5e-4
    del px

    x_train, y_train = normalize(train_u8), torch.from_numpy(train_labels.astype(np.int64))
    x_test, y_test = normalize(test_u8), torch.from_numpy(test_labels.astype(np.int64))

    model = FmnistResNet(len(CLASS_NAMES))
    n_params = sum(p.numel() for p in model.parameters())
    print("model: %d parameters" % n_params, flush=True)

    if args.from_state_dict:
        model.load_state_dict(torch.load(args.from_state_dict))
        print("skipping training: weights from %s" % args.from_state_dict, flush=True)
        wall, epoch_times = 0.0, [0.0]
    else:
        wall, epoch_times = train(model, x_train, y_train, x_test, y_test, args, gen)
    model.eval()
    acc = evaluate(model, x_test, y_test)
    print("training wall time %.1fs (%.1f min), mean epoch %.1fs; clean test accuracy %.4f"
          % (wall, wall / 60, float(np.mean(epoch_times)), acc), flush=True)
    if args.max_steps:
        print("--max-steps given: timing run only, nothing written")
        return

    os.makedirs(args.out, exist_ok=True)
    if not args.from_state_dict:
        torch.save(model.state_dict(), os.path.join(args.out, "state_dict.pt"))
    ops = export_onnx(model, args.out)

    # Sanity check of both exports against PyTorch with a NumPy evaluator.
    x_chk = x_test[:16]
    with torch.no_grad():
        ref = model(x_chk).double().numpy()
    for name in ("model.onnx", "model-folded.onnx"):
        got = run_onnx_numpy(os.path.join(args.out, name), x_chk.numpy())
        print("%s vs PyTorch eval logits (16 test images, NumPy evaluator): max abs diff %.2e"
              % (name, np.abs(got - ref).max()), flush=True)
        assert np.abs(got - ref).max() < 1e-3

    # Source memory: 200 training images per class, chosen with the seed.
    rng = np.random.default_rng(args.seed)
    chosen = [rng.choice(np.flatnonzero(train_labels == c), MEMORY_PER_CLASS, replace=False)
              for c in range(len(CLASS_NAMES))]
    indices = np.sort(np.concatenate(chosen)).astype(np.int64)
    feats = compute_features(model, x_train[torch.from_numpy(indices)]).numpy().astype(np.float32)
    mem_dir = os.path.join(args.out, "source-memory")
    os.makedirs(mem_dir, exist_ok=True)
    np.save(os.path.join(mem_dir, "images.npy"), np.ascontiguousarray(train_u8[indices]))
    np.save(os.path.join(mem_dir, "labels.npy"), np.ascontiguousarray(train_labels[indices]))
    np.save(os.path.join(mem_dir, "features.npy"), np.ascontiguousarray(feats))
    np.save(os.path.join(mem_dir, "indices.npy"), np.ascontiguousarray(indices))
    print("source memory: %d images, class counts %s, features %s"
          % (len(indices), np.bincount(train_labels[indices]).tolist(), feats.shape))

    manifest = {
        "name": "fmnist-resnet",
        "inputName": INPUT_NAME,
        "outputName": OUTPUT_NAME,
        "inputShape": [1, 28, 28],
        "mean": [MEAN],
        "std": [STD],
        "pixelScale": 255.0,
        "classNames": CLASS_NAMES,
        "cleanTestAccuracy": round(acc, 4),
        "testSamples": int(x_test.shape[0]),
        "parameters": n_params,
        "opset": OPSET,
        "seed": args.seed,
        "epochs": args.epochs,
        "trainedWith": torch_version_string(),
    }
    with open(os.path.join(args.out, "model.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(json.dumps(manifest, indent=2))
    print("ops: %s" % ops)
    print("done, wrote %s" % args.out)


if __name__ == "__main__":
    sys.exit(main())
