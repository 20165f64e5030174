#!/usr/bin/python3
"""Writes the pickle and torch.save fixtures of the checkpoint-reader tests (zoo/src/test/resources/checkpoints).

Run once with Debian's PyTorch (apt-get install python3-torch python3-torchvision), not a virtual environment:

    /usr/bin/python3 scripts/make-pickle-fixtures.py REFS

REFS is a folder holding the reference code, fetched from its public repositories and never committed:
REFS/timm (pytorch-image-models at tag v0.6.7, its timm/ folder), REFS/stm/classification (OpenGVLab/STM-Evaluation),
REFS/spach (microsoft/SPACH) and REFS/stubs (shared/peers/stubs_einops.py as einops.py and stubs_msda.py as
MultiScaleDeformableAttention.py). Everything written is deterministic for a given PyTorch version.

A parity fixture added later is written alone, so that the committed files stay as they are:

    python3 scripts/make-pickle-fixtures.py REFS --only u-swin-shifted

(u-swin-shifted, u-pvt-two-blocks, u-halo-two-blocks, u-convnext-trained-scale, u-dcnv3-trained-scale and
shiftvit-partial-shift were written so with PyTorch 2.13 from pip; that build reproduces the other parity logits
within 3e-7.)

Three kinds of fixture:
  pickles/sample_pN.pkl   Python's pickle of one value holding every kind of plain data, protocols 2 to 5, and
                          pickles/sample.expected.txt, the value in the canonical text the Java test prints too
  structure/*.pth         torch.save files shaped as training scripts save them (STM-Evaluation's save_model,
                          timm's CheckpointSaver, DeiT's and SPACH's main.py, a release file), around a tiny
                          state dict whose values the Java test knows (model = arange, EMA = arange + 100)
  parity/FAMILY.pth       one tiny model of each family built with the reference code (random init, seed 0,
                          10 classes, 64x64 input), saved in one of those shapes, with FAMILY.logits.npy (and
                          FAMILY.ema_logits.npy) computed by the reference model in eval mode on the input
                          the Java test computes from INPUT_FORMULA; and later, more of a few families with
                          weights on a trained model's scale (two blocks a stage, ShiftViT's unmoved channels)
"""
import argparse
import collections
import importlib.util
import io
import math
import os
import pickle
import sys

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "zoo", "src", "test", "resources", "checkpoints")
IMAGE = 64
CLASSES = 10
BATCH = 2


def input_nchw(size):
    """INPUT_FORMULA: element i of the flattened [2, 3, size, size] NCHW batch is ((37 i) mod 101) / 50 - 1."""
    i = np.arange(BATCH * 3 * size * size, dtype=np.int64)
    return (((i * 37) % 101) / 50.0 - 1.0).astype(np.float32).reshape(BATCH, 3, size, size)


# ---------------------------------------------------------------------------------------------- plain pickles

def sample_value():
    shared = [1, 2]
    namespace = argparse.Namespace(model="unified_convnext_micro", lr=4e-3, epochs=300, betas=(0.9, 0.999),
                                   output_dir=None, use_amp=True)
    return {
        "none": None, "true": True, "false": False,
        "small": 7, "byte": 255, "short": 65535, "int": -2_000_000_000, "long": 2 ** 62, "neg": -(2 ** 63),
        "big": 2 ** 100 + 12345, "negbig": -(3 ** 70),
        "float": 0.1, "negfloat": -1.5e-300, "inf": float("inf"),
        "str": "h\u00e9llo \u2603 \U0001F600", "empty": "", "longstr": "x" * 300,
        "bytes": b"\x00\x01\xfe\xff", "emptybytes": b"", "longbytes": bytes(range(256)) * 2,
        "bytearray": bytearray(b"abc\x00"),
        "list": [1, "two", 3.0, None], "emptylist": [],
        "tuple0": (), "tuple1": (1,), "tuple2": (1, 2), "tuple3": (1, 2, 3), "tuple5": (1, 2, 3, 4, 5),
        "set": {3, 1, 2}, "frozenset": frozenset({"a"}), "emptyset": set(),
        "nested": {"a": [{"b": (1, [2, {"c": 3}])}]},
        "tuplekeys": {(1, "x"): "t", 5: "int key", None: "none key"},
        "shared": (shared, shared),
        "ordered": collections.OrderedDict([("z", 1), ("a", 2)]),
        "namespace": namespace,
        "numpy_scalar": np.float64(81.25),
        "numpy_int": np.int64(3),
    }


def canonical(v):
    """The text the Java test prints for the value the reader builds (PickleCanonical.java)."""
    if v is None:
        return "None"
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, np.generic):
        return "<numpy.core.multiarray.scalar>"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return float(v).hex()
    if isinstance(v, str):
        return "'" + v.encode("unicode_escape").decode("ascii").replace("'", "\\'") + "'"
    if isinstance(v, bytes):
        return "b" + v.hex()
    if isinstance(v, bytearray):
        return "ba" + bytes(v).hex()
    if isinstance(v, list):
        return "[" + ", ".join(canonical(x) for x in v) + "]"
    if isinstance(v, tuple):
        return "(" + ", ".join(canonical(x) for x in v) + ")"
    if isinstance(v, frozenset):
        return "frozenset{" + ", ".join(canonical(x) for x in v) + "}"
    if isinstance(v, set):
        return "{" + ", ".join(canonical(x) for x in v) + "}"
    if isinstance(v, dict):
        return "{" + ", ".join(canonical(k) + ": " + canonical(x) for k, x in v.items()) + "}"
    if isinstance(v, argparse.Namespace):
        return "<argparse.Namespace " + canonical(vars(v)) + ">"
    raise TypeError(type(v))


def write_plain_pickles():
    d = os.path.join(OUT, "pickles")
    os.makedirs(d, exist_ok=True)
    value = sample_value()
    for protocol in (2, 3, 4, 5):
        data = pickle.dumps(value, protocol=protocol)
        assert canonical(pickle.loads(data)) == canonical(value)
        with open(os.path.join(d, "sample_p%d.pkl" % protocol), "wb") as f:
            f.write(data)
    with open(os.path.join(d, "sample.expected.txt"), "w") as f:
        f.write(canonical(value) + "\n")


# ---------------------------------------------------------------------------------------------- structures

def tiny_state_dict(base):
    """Values the Java test knows: conv [2, 1, 1, 1], a transposed [3, 2] view, an offset [2] slice, BN stats."""
    sd = collections.OrderedDict()
    sd["conv.weight"] = torch.arange(2, dtype=torch.float32).reshape(2, 1, 1, 1) + base
    storage = torch.arange(6, dtype=torch.float32) + base
    sd["fc.weight"] = storage.reshape(2, 3).t()  # strided: element (i, j) = storage[i + 3 j]
    sd["fc.bias"] = storage[4:6]  # offset 4 into the same storage
    sd["bn.running_var"] = torch.ones(2) + base
    sd["bn.num_batches_tracked"] = torch.tensor(7 + int(base), dtype=torch.int64)
    sd._metadata = collections.OrderedDict([("", {"version": 1}), ("bn", {"version": 2})])
    return sd


def adamw_state_dict(state_dict_like):
    params = [torch.nn.Parameter(t.clone().float()) for t in state_dict_like.values() if t.is_floating_point()]
    optimizer = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.05)
    sum(p.sum() for p in params).backward()
    optimizer.step()
    return optimizer.state_dict()


def amp_scaler_state():
    return {"scale": 65536.0, "growth_factor": 2.0, "backoff_factor": 0.5, "growth_interval": 2000,
            "_growth_tracker": 0}


def train_args(model):
    return argparse.Namespace(model=model, batch_size=128, epochs=300, lr=4e-3, opt="adamw",
                              opt_betas=None, model_ema=True, model_ema_decay=0.9999, output_dir="out",
                              input_size=224, smoothing=0.1, seed=0, use_amp=True)


def cosine_scheduler_state():
    return {"t_initial": 300, "lr_min": 1e-5, "cycle_mul": 1.0, "cycle_decay": 0.1, "cycle_limit": 1,
            "warmup_t": 5, "warmup_lr_init": 1e-6, "warmup_prefix": False, "t_in_epochs": True, "noise_range_t": None,
            "base_values": [0.001], "warmup_steps": [0.0002], "metric": None}


def stm_save_model(model_sd, ema_sd, epoch, name):
    """STM-Evaluation classification/utils.py save_model, plus a numpy scalar as many scripts keep beside."""
    return {"model": model_sd, "optimizer": adamw_state_dict(model_sd), "epoch": epoch, "scaler": amp_scaler_state(),
            "args": train_args(name), "model_ema": ema_sd, "max_accuracy": np.float64(12.5)}


def timm_saver(model_sd, ema_sd, epoch, name):
    """timm's CheckpointSaver._save (train.py)."""
    return {"epoch": epoch, "arch": name, "state_dict": model_sd, "optimizer": adamw_state_dict(model_sd),
            "version": 2, "args": train_args(name), "amp_scaler": amp_scaler_state(),
            "state_dict_ema": ema_sd, "metric": np.float64(71.25)}


def deit_main(model_sd, ema_sd, epoch, name):
    """DeiT's and SPACH's main.py checkpoint (timm's NativeScaler, CosineLRScheduler)."""
    return {"model": model_sd, "optimizer": adamw_state_dict(model_sd), "lr_scheduler": cosine_scheduler_state(),
            "epoch": epoch, "model_ema": ema_sd, "scaler": amp_scaler_state(), "args": train_args(name)}


def write_structures():
    d = os.path.join(OUT, "structure")
    os.makedirs(d, exist_ok=True)
    model, ema = tiny_state_dict(0.0), tiny_state_dict(100.0)
    torch.save(stm_save_model(model, ema, 3, "tiny"), os.path.join(d, "stm_save_model.pth"))
    torch.save(stm_save_model(model, ema, 3, "tiny"), os.path.join(d, "stm_save_model_p4.pth"), pickle_protocol=4)
    torch.save(timm_saver(model, ema, 3, "tiny"), os.path.join(d, "timm_checkpoint.pth"))
    torch.save(deit_main(model, ema, 3, "tiny"), os.path.join(d, "deit_checkpoint.pth"))
    torch.save({"model": model}, os.path.join(d, "deit_release.pth"))
    torch.save(model, os.path.join(d, "bare_state_dict.pth"))
    torch.save({"model_ema": ema, "epoch": 1, "args": train_args("tiny")}, os.path.join(d, "ema_only.pth"))


# ---------------------------------------------------------------------------------------------- fuzz seeds

def safetensors_bytes(tensors, metadata=None):
    """A safetensors file written by hand (the format: u64 header length, JSON header, data)."""
    import json
    import struct
    header, data = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def write_fuzz_seeds():
    """Seed corpora of CheckpointReadersFuzzTest (Jazzer's regression inputs, run by every mvn test)."""
    base = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "zoo", "src", "test", "resources", "org",
                        "stmzoo", "zoo", "weights", "CheckpointReadersFuzzTestInputs")
    seeds = {"fuzzSafetensors": {}, "fuzzTorchPickle": {}, "fuzzCheckpointFile": {}}
    f32 = np.arange(6, dtype="<f4").tobytes()
    seeds["fuzzSafetensors"]["f32_f16_bf16"] = safetensors_bytes({
        "a.weight": ("F32", [2, 3], f32), "b": ("F16", [2], np.array([1, -2], dtype="<f2").tobytes()),
        "c": ("BF16", [1], b"\xc0\x3f")}, {"format": "pt"})
    seeds["fuzzSafetensors"]["ints_scalar_empty"] = safetensors_bytes({
        "n": ("I64", [], np.array([7], dtype="<i8").tobytes()), "e": ("F32", [0, 3], b""),
        "u": ("U8", [4], bytes([1, 2, 3, 250]))})
    seeds["fuzzSafetensors"]["empty"] = safetensors_bytes({})
    for name in sorted(os.listdir(os.path.join(OUT, "structure"))):
        path = os.path.join(OUT, "structure", name)
        with open(path, "rb") as f:
            seeds["fuzzCheckpointFile"][name[:-4]] = f.read()
        import zipfile
        with zipfile.ZipFile(path) as z:
            pickle_name = [n for n in z.namelist() if n.endswith("/data.pkl")][0]
            # the fuzz target's zip holds one storage '0' of 16 floats: point every storage there
            data = z.read(pickle_name)
            seeds["fuzzTorchPickle"][name[:-4]] = data
    for protocol in (2, 5):
        with open(os.path.join(OUT, "pickles", "sample_p%d.pkl" % protocol), "rb") as f:
            seeds["fuzzTorchPickle"]["sample_p%d" % protocol] = f.read()
    # a state dict whose tensors all read the fuzz target's storage '0' (16 floats)
    sd = collections.OrderedDict([("w", torch.arange(16.0).reshape(4, 4)[1:, ::2]), ("b", torch.arange(16.0)[3:5])])
    buf = io.BytesIO()
    torch.save(sd, buf)
    import zipfile
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        seeds["fuzzTorchPickle"]["views_of_storage_0"] = z.read([n for n in z.namelist() if n.endswith("data.pkl")][0])
    for target, files in seeds.items():
        d = os.path.join(base, target)
        os.makedirs(d, exist_ok=True)
        for name, data in files.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)


# ---------------------------------------------------------------------------------------------- parity

def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reference_models(refs):
    """FAMILY -> (tiny reference model, checkpoint shape): the configurations of ReferenceScriptCheckpointsTest.java."""
    sys.path[:0] = [refs, os.path.join(refs, "stubs"), os.path.join(refs, "stm", "classification")]
    from models.meta_arch import MetaArch
    from models.blocks.convnext import UnifiedConvNeXtBlock
    from models.blocks.halonet import UnifiedHaloBlock
    from models.blocks.swin import SwinBlock
    from models.blocks.pvt import PvtBlock
    from models.blocks.dcn_v3 import DCNv3Block
    from timm.models.pit import PoolingVisionTransformer
    from timm.models.vision_transformer import VisionTransformer
    shiftvit = load_module("spach_shiftvit", os.path.join(refs, "spach", "models", "shiftvit.py"))

    dims = [4, 8, 12, 16]
    depths = [1, 1, 1, 1]

    def unified(block, block_kwargs, dims=dims, image=IMAGE, depths=depths, **kw):
        return MetaArch(img_size=image, num_classes=CLASSES, depths=depths, dims=dims, block_type=block,
                        block_kwargs=block_kwargs, drop_path_rate=0, **kw)

    dcn_dims = [4, 8, 16, 32]
    dcn_heads = [d // 4 for d in dcn_dims]  # 4 channels per group
    return {
        "u-convnext": (lambda: unified(UnifiedConvNeXtBlock, None), stm_save_model),
        # the reference halo attention needs every stage's side to be a multiple of its 7x7 blocks: 224
        "u-halo": (lambda: unified(UnifiedHaloBlock, dict(num_heads=[1, 2, 4, 8], block_size=7, halo_size=3,
                                                          pos_embed_type="query_related"), image=224,
                                    dims=[8, 8, 16, 16]),  # q/k widths multiples of 8, as the reference rounds them
                   stm_save_model),
        "u-swin": (lambda: unified(SwinBlock, dict(num_heads=[1, 2, 4, 8], window_size=7), image=224), stm_save_model),
        "u-pvt": (lambda: unified(PvtBlock, dict(num_heads=[1, 2, 5, 8], mlp_ratios=[8, 8, 4, 4], qkv_bias=True,
                                                 sr_ratios=[8, 4, 2, 1]), dims=[4, 8, 20, 16]), stm_save_model),
        "u-dcnv3": (lambda: unified(DCNv3Block, dict(num_heads=dcn_heads, deform_points=9, kernel_size=3,
                                                     deform_padding=True), dims=dcn_dims, num_heads=dcn_heads,
                                    forward_kwargs=dict(deform_points=9, deform_padding=True)), stm_save_model),
        "pit": (lambda: PoolingVisionTransformer(img_size=IMAGE, patch_size=16, stride=8, base_dims=[4, 4, 4],
                                                 depth=[1, 1, 1], heads=[1, 2, 4], mlp_ratio=4,
                                                 num_classes=CLASSES), timm_saver),
        "deit": (lambda: VisionTransformer(img_size=IMAGE, patch_size=16, embed_dim=16, depth=2, num_heads=2,
                                           mlp_ratio=4, qkv_bias=True, num_classes=CLASSES), deit_main),
        "shiftvit": (lambda: shiftvit.ShiftViT(img_size=IMAGE, embed_dim=4, depths=(1, 1, 1, 1), mlp_ratio=2,
                                               n_div=4, num_classes=CLASSES, drop_path_rate=0.0), deit_main),
        # Added later, so that the reference logits cover what one block per stage and 4 channels never reach;
        # narrower than the fixtures above where that keeps each file under 100 KB; their weights are trained_like.
        # The second block of a stage shifts its windows: window 4 on a 64-pixel input shifts by 2 on the 16x16 and
        # 8x8 maps (the 4x4 and 2x2 maps shrink the window to the map and never shift, hence one block there); the
        # checkpoint holds the shifted blocks' attn_mask buffers, as real ones do.
        "u-swin-shifted": (lambda: unified(SwinBlock, dict(num_heads=[1, 2, 2, 4], window_size=4),
                                           depths=[2, 2, 1, 1], dims=[4, 8, 8, 8]), stm_save_model),
        # A stage's later blocks have no pos_embed; two blocks where the keys are reduced 8x and 4x and where
        # they are not (sr_ratio 1)
        "u-pvt-two-blocks": (lambda: unified(PvtBlock, dict(num_heads=[1, 2, 5, 4], mlp_ratios=[8, 8, 4, 4],
                                                            qkv_bias=True, sr_ratios=[8, 4, 2, 1]),
                                             depths=[2, 2, 1, 2], dims=[4, 4, 10, 8]), stm_save_model),
        # A stage's later blocks take the previous block's NHWC output (pre_stage_transform runs once a stage)
        "u-halo-two-blocks": (lambda: unified(UnifiedHaloBlock, dict(num_heads=[1, 2, 4, 8], block_size=7,
                                                                     halo_size=3, pos_embed_type="query_related"),
                                              image=224, depths=[2, 2, 2, 2], dims=[8, 8, 8, 8]),
                              stm_save_model),
        # The blocks of the u-convnext fixture above hardly reach its logits (see trained_like)
        "u-convnext-trained-scale": (lambda: unified(UnifiedConvNeXtBlock, None, dims=[4, 8, 8, 8]), stm_save_model),
        # The U-DCNv3 blocks on a trained model's scale (zeroing every gamma moves the logits by 1.1, u-dcnv3's by
        # 5e-5; offsets reach 3.4 pixels) and a second block in the stages of 1 and 2 groups. The dims cannot be
        # narrower (stmzoo's widths double from a base, here 4, with 4 channels a group, as in u-dcnv3) and the
        # last stage's 32-wide block is most of the 190 KB, hence one block there and in the third stage
        "u-dcnv3-trained-scale": (lambda: unified(DCNv3Block, dict(num_heads=dcn_heads, deform_points=9,
                                                                   kernel_size=3, deform_padding=True),
                                                  dims=dcn_dims, depths=[2, 2, 1, 1], num_heads=dcn_heads,
                                                  forward_kwargs=dict(deform_points=9, deform_padding=True)),
                                  stm_save_model),
        # g = C / n_div channels move each way: 4 of 6 in the first stage, 32 of 48 in the last; the rest pass
        # through unchanged, as most do in the released models (32 of 96 channels move at n_div 12)
        "shiftvit-partial-shift": (lambda: shiftvit.ShiftViT(img_size=IMAGE, embed_dim=6, depths=(1, 1, 1, 1),
                                                             mlp_ratio=2, n_div=6, num_classes=CLASSES,
                                                             drop_path_rate=0.0), deit_main),
    }


# Fixtures whose weights are trained_like (the others': perturbed)
TRAINED_SCALE = ("u-swin-shifted", "u-pvt-two-blocks", "u-halo-two-blocks", "u-convnext-trained-scale",
                 "u-dcnv3-trained-scale", "shiftvit-partial-shift")


def trained_like(model, seed):
    """Random weights on a trained model's scale. With perturbed's (0.02-wide matrices, layer scales near MetaArch's
    1e-6) attention is all but uniform and the blocks hardly reach the logits: zeroing every layer scale of the
    U-model fixtures moves their logits by under 6e-5, within the Java test's 1e-4. Here matrices and kernels are
    N(0, 1/fan-in), layer scales and norm weights 1 + N(0, 0.2^2), biases and BN means N(0, 0.2^2), BN variances
    exp(N(0, 0.2^2)), position tables and embeddings N(0, 0.5^2); buffers derived from the geometry (attn_mask,
    relative_position_index) stay as built, as in a trained checkpoint."""
    g = torch.Generator().manual_seed(seed)
    parameters = dict(model.named_parameters())
    sd = collections.OrderedDict()
    for key, v in model.state_dict().items():
        noise = torch.randn(v.shape, generator=g) if v.is_floating_point() else None
        name = key.rsplit(".", 1)[-1]
        if key in parameters:
            if "gamma" in name or (v.dim() == 1 and name == "weight"):
                v = 1 + 0.2 * noise
            elif v.dim() == 1:
                v = 0.2 * noise
            elif name == "weight":
                v = noise / math.sqrt(v[0].numel())
            else:
                v = 0.5 * noise
        elif name == "running_mean":
            v = 0.2 * noise
        elif name == "running_var":
            v = torch.exp(0.2 * noise)
        sd[key] = v.detach().clone()
    return sd


def perturbed(model, seed):
    """Random init as built, then small noise on every float tensor so that norms and scales are not 0 or 1."""
    g = torch.Generator().manual_seed(seed)
    sd = collections.OrderedDict()
    for k, v in model.state_dict().items():
        if v.is_floating_point():
            v = v + 0.02 * torch.randn(v.shape, generator=g)
        sd[k] = v.detach().clone()
    return sd


def image_size(model):
    """The size the tiny model was built for (MetaArch's stem grid, timm's patch_embed.img_size, ShiftViT's)."""
    if hasattr(model, "patch_grid"):
        return model.patch_grid[0] * 4
    return IMAGE if not hasattr(model, "patch_embed") or not hasattr(model.patch_embed, "img_size") \
        else model.patch_embed.img_size[0]


def logits(model, sd):
    model.load_state_dict(sd)
    model.eval()
    with torch.no_grad():
        return model(torch.from_numpy(input_nchw(image_size(model)))).numpy().astype(np.float32)


def write_parity(refs, only=None):
    d = os.path.join(OUT, "parity")
    os.makedirs(d, exist_ok=True)
    models = reference_models(refs)
    unknown = sorted(set(only or ()) - set(models))
    if unknown:
        raise SystemExit("--only: no parity fixture named %s (known: %s)" % (", ".join(unknown), ", ".join(models)))
    for family, (build, shape) in models.items():
        if only and family not in only:
            continue
        torch.manual_seed(0)
        model = build()
        sd = (trained_like if family in TRAINED_SCALE else perturbed)(model, 1)
        if family == "u-convnext":
            # the one fixture with distinct EMA weights: --ema must pick them
            ema = perturbed(model, 2)
            np.save(os.path.join(d, family + ".ema_logits.npy"), logits(model, ema))
        else:
            ema = sd  # a fresh ModelEma equals the model; shared tensors are also stored once
        out = logits(model, sd)
        checkpoint = shape(sd, ema, 1, family)
        # the moments of a whole model would dominate the fixture: an optimizer before its first step (the
        # structure fixtures carry AdamW state after a step)
        checkpoint["optimizer"] = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))]).state_dict()
        torch.save(checkpoint, os.path.join(d, family + ".pth"))
        np.save(os.path.join(d, family + ".logits.npy"), out)
        print(family, "image", image_size(model), "params", sum(v.numel() for v in sd.values()), "logits", out.shape)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("refs", nargs="?", help="folder of reference code (parity fixtures are skipped without it)")
    parser.add_argument("--only", nargs="+", metavar="FIXTURE",
                        help="write only these parity fixtures (e.g. u-swin-shifted) and nothing else, leaving the "
                             "committed files of another PyTorch build as they are")
    a = parser.parse_args()
    if a.only and not a.refs:
        parser.error("--only needs REFS")
    torch.set_num_threads(1)
    if not a.only:
        write_plain_pickles()
        write_structures()
        write_fuzz_seeds()
    if a.refs:
        write_parity(os.path.abspath(a.refs), a.only)


if __name__ == "__main__":
    main()
