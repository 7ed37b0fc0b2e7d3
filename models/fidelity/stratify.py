#!/usr/bin/python3
"""Write a class-stratified subset of the shipped Fashion-MNIST test split as .npy files.

The first --per-class images of each class, kept in test-split order (so classes stay
interleaved as in the split): OUT/subset-images.npy (uint8 [N,28,28]) and
OUT/subset-labels.npy (uint8 [N]). Used by models/fidelity/fidelity.sh.
"""

import argparse
import gzip
import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read_idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--per-class", type=int, default=50)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    data = os.path.join(ROOT, "data", "fashion-mnist")
    images = read_idx(os.path.join(data, "t10k-images-idx3-ubyte.gz"), 16).reshape(-1, 28, 28)
    labels = read_idx(os.path.join(data, "t10k-labels-idx1-ubyte.gz"), 8)
    keep = np.sort(np.concatenate([np.flatnonzero(labels == c)[:args.per_class]
                                   for c in range(int(labels.max()) + 1)]))
    os.makedirs(args.out, exist_ok=True)
    np.save(os.path.join(args.out, "subset-images.npy"), images[keep])
    np.save(os.path.join(args.out, "subset-labels.npy"), labels[keep])
    print("subset: %d images, %d per class" % (len(keep), args.per_class))


if __name__ == "__main__":
    main()
