#!/usr/bin/env python3
"""Writes the embedded Fashion-MNIST demo set (data spec `fashion-mnist-demo`).

A balanced subset of Debian's dataset-fashion-mnist files: the first TRAIN_PER_CLASS images of each class of the
training split and the first TEST_PER_CLASS of the test split, in file order, as gzipped IDX files with the
official names. Deterministic (gzip mtime 0), so running it again rewrites identical bytes.

usage: scripts/make-fashion-mnist-demo.py [SOURCE_FOLDER]   (default /usr/share/datasets/fashion-mnist)
"""
import gzip
import os
import struct
import sys

TRAIN_PER_CLASS = 500
TEST_PER_CLASS = 100
CLASSES = 10
SIDE = 28
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "datasets", "src", "main", "resources",
                   "org", "stmzoo", "datasets", "fashion-mnist-demo")


def read_idx(path, rank):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack(">I", data[:4])[0]
    if magic != 0x0800 | rank:
        raise SystemExit(f"{path}: not an unsigned-byte IDX file of rank {rank}")
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return dims, data[4 + 4 * rank:]


def write_idx(path, dims, payload):
    header = struct.pack(">I", 0x0800 | len(dims)) + struct.pack(">" + "I" * len(dims), *dims)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0, filename="") as f:
        f.write(header + payload)


def subset(source, prefix, per_class):
    (count, rows, cols), images = read_idx(os.path.join(source, prefix + "-images-idx3-ubyte.gz"), 3)
    (labels_count,), labels = read_idx(os.path.join(source, prefix + "-labels-idx1-ubyte.gz"), 1)
    if (rows, cols) != (SIDE, SIDE) or labels_count != count:
        raise SystemExit(f"{source}: unexpected {prefix} shapes")
    taken = [0] * CLASSES
    picked_images, picked_labels = [], []
    for i in range(count):
        label = labels[i]
        if taken[label] < per_class:
            taken[label] += 1
            picked_images.append(images[i * SIDE * SIDE:(i + 1) * SIDE * SIDE])
            picked_labels.append(label)
    if min(taken) < per_class:
        raise SystemExit(f"{source}: {prefix} has fewer than {per_class} images of some class")
    n = len(picked_labels)
    write_idx(os.path.join(OUT, prefix + "-images-idx3-ubyte.gz"), (n, SIDE, SIDE), b"".join(picked_images))
    write_idx(os.path.join(OUT, prefix + "-labels-idx1-ubyte.gz"), (n,), bytes(picked_labels))
    print(f"{prefix}: {n} images ({per_class} per class)")


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
    os.makedirs(OUT, exist_ok=True)
    subset(source, "train", TRAIN_PER_CLASS)
    subset(source, "t10k", TEST_PER_CLASS)


if __name__ == "__main__":
    main()
