#!/usr/bin/python3
"""Check the converted ONNX model against a numpy interpreter of the original TF.js graph.

Usage:
  /usr/bin/python3 models/check_reference.py --json .../movenet-lightning.json \
      --bin .../movenet-lightning.bin --onnx models/movenet-lightning.onnx \
      --image ../shared/posture-data/misc/grace_hopper.jpg

It letterboxes the image to 192x192 (see letterbox()), runs
  1. the whole TF.js graph (NHWC, every node up to `Identity`) in numpy,
  2. the ONNX model through OpenCV dnn (needs python3-opencv: a checking aid only,
     not a posturewatch requirement),
  3. the decoder of models/DECODER.md in plain numpy on the ONNX heads,
and prints the max abs differences of the heads, the reference keypoints and the timings.
Needs python3-numpy and python3-opencv (for reading the image and running the ONNX).
"""

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from convert_tfjs import (  # noqa: E402
    HEADS, _attr_b, _attr_i, _attr_list_i, _attr_list_s, _attr_str, load_tfjs, same_pads)

KEYPOINTS = ["nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder",
             "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
             "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle"]


# --------------------------------------------------------------------------- TF op semantics (NHWC)

def conv2d(x, w, stride, padding, depthwise):
    """x [1,H,W,C]; w HWIO (conv) or [kh,kw,C,1] (depthwise)."""
    kh, kw = w.shape[0], w.shape[1]
    h = x.shape[1]
    if padding == "SAME":
        pt, pb = same_pads(h, kh, stride)
        pl, pr = same_pads(x.shape[2], kw, stride)
    else:
        pt = pb = pl = pr = 0
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    ho = (xp.shape[1] - kh) // stride + 1
    wo = (xp.shape[2] - kw) // stride + 1
    if depthwise:
        out = np.zeros((1, ho, wo, x.shape[3]), dtype=np.float64)
        for i in range(kh):
            for j in range(kw):
                patch = xp[:, i:i + stride * (ho - 1) + 1:stride, j:j + stride * (wo - 1) + 1:stride, :]
                out += patch * w[i, j, :, 0]
        return out
    out = np.zeros((1, ho, wo, w.shape[3]), dtype=np.float64)
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, i:i + stride * (ho - 1) + 1:stride, j:j + stride * (wo - 1) + 1:stride, :]
            out += np.tensordot(patch, w[i, j], axes=([3], [0]))
    return out


def resize_bilinear_half_pixel(x, size):
    """tf.image.resize bilinear, half_pixel_centers=True, align_corners=False."""
    def weights(in_size, out_size):
        scale = in_size / out_size
        pos = (np.arange(out_size) + 0.5) * scale - 0.5
        f = np.floor(pos)
        lo = np.maximum(f, 0).astype(int)
        hi = np.minimum(np.ceil(pos), in_size - 1).astype(int)
        return lo, hi, pos - f
    ylo, yhi, yl = weights(x.shape[1], size[0])
    xlo, xhi, xl = weights(x.shape[2], size[1])
    top = x[:, ylo][:, :, xlo] * (1 - xl)[None, None, :, None] + x[:, ylo][:, :, xhi] * xl[None, None, :, None]
    bot = x[:, yhi][:, :, xlo] * (1 - xl)[None, None, :, None] + x[:, yhi][:, :, xhi] * xl[None, None, :, None]
    return top * (1 - yl)[None, :, None, None] + bot * yl[None, :, None, None]


def gather_nd(params, idx):
    idx = np.asarray(idx)
    k = idx.shape[-1]
    flat = idx.reshape(-1, k)
    res = np.stack([params[tuple(i)] for i in flat])
    return res.reshape(idx.shape[:-1] + params.shape[k:])


def run_tfjs(nodes, weights, image_rgb_int):
    """Interprets every node of the TF.js graph; returns the dict of all tensors."""
    v = {}
    for n in nodes:
        name, op = n["name"], n["op"]
        ins = n.get("input", [])

        def a(i):
            ref = ins[i]
            if ":" in ref:
                base, k = ref.split(":")
                return v[base][int(k)]
            r = v[ref]
            return r[0] if isinstance(r, list) else r

        if op == "Const":
            r = weights[name]
            r = r.astype(np.float64) if r.dtype == np.float32 else r
        elif op == "Placeholder":
            r = image_rgb_int
        elif op == "Identity":
            r = a(0)
        elif op == "Cast":
            dst = n["attr"]["DstT"]["type"]
            r = a(0).astype(np.float64 if dst == "DT_FLOAT" else np.int32)
        elif op == "Unpack":
            ax = _attr_i(n, "axis", 0)
            x = a(0)
            r = [np.take(x, i, axis=ax) for i in range(x.shape[ax])]
        elif op == "Pack":
            ax = _attr_i(n, "axis", 0)
            r = np.stack([a(i) for i in range(len(ins))], axis=ax)
        elif op == "ExpandDims":
            r = np.expand_dims(a(0), int(a(1)))
        elif op == "Squeeze":
            r = np.squeeze(a(0), axis=tuple(_attr_list_i(n, "squeeze_dims")))
        elif op == "Reshape":
            r = a(0).reshape([int(d) for d in a(1)])
        elif op in ("Sub",):
            r = a(0) - a(1)
        elif op == "Mul":
            r = a(0) * a(1)
        elif op == "AddV2":
            r = a(0) + a(1)
        elif op == "RealDiv":
            r = a(0) / a(1)
        elif op == "FloorDiv":
            r = np.floor_divide(a(0), a(1))
        elif op == "SquaredDifference":
            r = (a(0) - a(1)) ** 2
        elif op == "Sqrt":
            r = np.sqrt(a(0))
        elif op == "Sigmoid":
            r = 1.0 / (1.0 + np.exp(-a(0)))
        elif op == "ArgMax":
            r = np.argmax(a(0), axis=int(a(1))).astype(np.int32)
        elif op == "GatherNd":
            r = gather_nd(a(0), a(1))
        elif op == "ConcatV2":
            r = np.concatenate([a(i) for i in range(len(ins) - 1)], axis=int(a(len(ins) - 1)))
        elif op == "ResizeBilinear":
            assert _attr_b(n, "half_pixel_centers") and not _attr_b(n, "align_corners")
            r = resize_bilinear_half_pixel(a(0), [int(s) for s in a(1)])
        elif op in ("_FusedConv2D", "FusedDepthwiseConv2dNative", "DepthwiseConv2dNative"):
            s = _attr_list_i(n, "strides")[1]
            r = conv2d(a(0), a(1), s, _attr_str(n, "padding"), op != "_FusedConv2D")
            fused = _attr_list_s(n, "fused_ops")
            for f in fused:
                if f == "BiasAdd":
                    r = r + a(2)
                elif f == "Relu":
                    r = np.maximum(r, 0)
                elif f == "Relu6":
                    r = np.clip(r, 0, 6)
                else:
                    raise ValueError("fused op %s" % f)
        else:
            raise ValueError("op %s (%s) not interpreted" % (op, name))
        v[name] = r
    return v


# --------------------------------------------------------------------------- the decoder of DECODER.md

def decode(heatmaps, center, regress, offsets):
    """NCHW heads [17|1|34|34,48,48] -> [17,3] (y, x, score) normalised to the 192 square.
    Written from DECODER.md, independent of the TF graph nodes."""
    n = 48
    iy, ix = np.meshgrid(np.arange(n, dtype=np.float64), np.arange(n, dtype=np.float64), indexing="ij")
    # 1. person centre: argmax of center * float16(1 / (distance to cell (24, 24) + 1.8))
    weight = (1.0 / (np.sqrt((iy - 24.0) ** 2 + (ix - 24.0) ** 2) + 1.8)).astype(np.float16).astype(np.float64)
    c = int(np.argmax((center[0] * weight).reshape(-1)))  # first maximum in row-major order
    cy, cx = c // n, c % n
    out = np.zeros((17, 3))
    for k in range(17):
        # 2. rough keypoint = centre cell + regress at the centre cell (ch 2k = y, 2k+1 = x)
        ry = cy + regress[2 * k, cy, cx]
        rx = cx + regress[2 * k + 1, cy, cx]
        # 3. heatmap / (distance to the rough keypoint + float16(1.8))
        d = np.sqrt((iy - ry) ** 2 + (ix - rx) ** 2) + 1.7998046875
        kk = int(np.argmax((heatmaps[k] / d).reshape(-1)))
        ky, kx = kk // n, kk % n
        # 4. cell + offset at that cell, times float16(1/48); score = raw heatmap there
        out[k, 0] = (ky + offsets[2 * k, ky, kx]) * 0.0208282470703125
        out[k, 1] = (kx + offsets[2 * k + 1, ky, kx]) * 0.0208282470703125
        out[k, 2] = heatmaps[k, ky, kx]
    return out


def letterbox(img_bgr, size=192):
    import cv2
    h, w = img_bgr.shape[:2]
    scale = size / max(h, w)
    nw, nh = int(round(w * scale)), int(round(h * scale))
    resized = cv2.resize(img_bgr, (nw, nh), interpolation=cv2.INTER_LINEAR)
    out = np.zeros((size, size, 3), dtype=np.uint8)
    ox, oy = (size - nw) // 2, (size - nh) // 2
    out[oy:oy + nh, ox:ox + nw] = resized
    return out, dict(src=(w, h), scale=scale, size=(nw, nh), offset=(ox, oy))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--threads", type=int, default=0, help="cv2.setNumThreads (0 = leave default)")
    args = ap.parse_args()
    import cv2

    img = cv2.imread(args.image)
    if img is None:
        sys.exit("cannot read image %s" % args.image)
    lb, info = letterbox(img)
    print("letterbox:", info)
    rgb = lb[:, :, ::-1]

    nodes, weights = load_tfjs(args.json, args.bin)
    t = time.time()
    v = run_tfjs(nodes, weights, rgb[None].astype(np.int32))
    print("numpy TF.js interpreter: %.1f s" % (time.time() - t))
    ident = v["Identity"].reshape(17, 3)

    if args.threads:
        cv2.setNumThreads(args.threads)
    t0 = time.time()
    net = cv2.dnn.readNetFromONNX(args.onnx)
    t1 = time.time()
    blob = cv2.dnn.blobFromImage(lb, 1.0, (192, 192), (0, 0, 0), swapRB=True, crop=False)
    names = [h[0] for h in HEADS]
    net.setInput(blob, "input")
    outs = net.forward(names)
    t2 = time.time()
    times = []
    for _ in range(20):
        s = time.time()
        net.setInput(blob, "input")
        net.forward(names)
        times.append(time.time() - s)
    print("OpenCV %s: load %.1f ms, first forward %.1f ms, median forward %.1f ms (threads=%d)" % (
        cv2.__version__, (t1 - t0) * 1e3, (t2 - t1) * 1e3, sorted(times)[len(times) // 2] * 1e3, cv2.getNumThreads()))
    got = dict(zip(names, outs))
    worst = 0.0
    for out_name, tf_name, ch in HEADS:
        ref = v[tf_name].transpose(0, 3, 1, 2)
        o = got[out_name]
        assert o.shape == ref.shape, (out_name, o.shape, ref.shape)
        d = float(np.max(np.abs(o - ref)))
        worst = max(worst, d)
        print("  %-8s %-16s max|onnx-ref| = %.3g  (ref range %.3g..%.3g)" % (
            out_name, str(o.shape), d, ref.min(), ref.max()))
    dec_ref = decode(*(v[tf].transpose(0, 3, 1, 2)[0] for _, tf, _ in HEADS))
    dec_onnx = decode(*(got[h][0] for h in names))
    print("decoder(DECODER.md) on the reference heads vs graph Identity: max diff %.3g" % np.max(np.abs(dec_ref - ident)))
    print("decoder(DECODER.md) on the ONNX heads vs graph Identity:      max diff %.3g" % np.max(np.abs(dec_onnx - ident)))
    print("reference Identity (y, x, score), normalised to the 192 square:")
    for k in range(17):
        print("  %2d %-15s %.6f %.6f %.6f" % (k, KEYPOINTS[k], ident[k, 0], ident[k, 1], ident[k, 2]))
    print("worst head difference %.3g" % worst)
    return 0 if worst < 1e-3 else 1


if __name__ == "__main__":
    sys.exit(main())
