"""TF op semantics in plain numpy (NHWC, float64): the reference the converter is tested against.

These follow TensorFlow's definitions, not the converter's ONNX: SAME padding puts the odd
extra pixel at the end, max pooling ignores padded cells, PReLU is `x if x >= 0 else alpha * x`,
ResizeBilinear with half_pixel_centers samples at (i + 0.5) * scale - 0.5. `run_graph` interprets
the subset of a TF.js graph the three posturewatch models use, node by node.

Used by test_convert_tfjs.py (per-op unit tests and a whole-graph check). Needs python3-numpy.
"""

import base64

import numpy as np


# --------------------------------------------------------------------------- attribute access

def attr_str(node, key, default=None):
    a = node.get("attr", {}).get(key)
    if a is None:
        return default
    return base64.b64decode(a["s"]).decode()


def attr_list_i(node, key):
    a = node.get("attr", {}).get(key)
    if a is None:
        return None
    return [int(v) for v in a["list"].get("i", [])]


def attr_list_s(node, key):
    a = node.get("attr", {}).get(key)
    if a is None:
        return []
    return [base64.b64decode(s).decode() for s in a["list"].get("s", [])]


def attr_b(node, key, default=False):
    a = node.get("attr", {}).get(key)
    if a is None:
        return default
    return bool(a.get("b", False))


def same_pads(in_size, k, stride):
    """TF SAME padding for one spatial axis: (before, after); the odd pixel goes after."""
    out = -(-in_size // stride)
    total = max((out - 1) * stride + k - in_size, 0)
    return total // 2, total - total // 2


# --------------------------------------------------------------------------- ops (NHWC)

def _windows(xp, kh, kw, stride, ho, wo):
    """Yields (i, j, patch) with patch[n, y, x, c] = xp[n, y*stride + i, x*stride + j, c]."""
    for i in range(kh):
        for j in range(kw):
            yield i, j, xp[:, i:i + stride * (ho - 1) + 1:stride, j:j + stride * (wo - 1) + 1:stride, :]


def _pad_for(x, kh, kw, stride, padding):
    if padding == "SAME":
        pt, pb = same_pads(x.shape[1], kh, stride)
        pl, pr = same_pads(x.shape[2], kw, stride)
    elif padding == "VALID":
        pt = pb = pl = pr = 0
    else:
        raise ValueError("padding %s" % padding)
    return pt, pb, pl, pr


def conv2d(x, w, stride, padding):
    """tf.nn.conv2d: x [N,H,W,C], w HWIO."""
    kh, kw = w.shape[0], w.shape[1]
    pt, pb, pl, pr = _pad_for(x, kh, kw, stride, padding)
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    ho = (xp.shape[1] - kh) // stride + 1
    wo = (xp.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], ho, wo, w.shape[3]), dtype=np.float64)
    for i, j, patch in _windows(xp, kh, kw, stride, ho, wo):
        out += np.tensordot(patch, w[i, j], axes=([3], [0]))
    return out


def depthwise_conv2d(x, w, stride, padding):
    """tf.nn.depthwise_conv2d with channel multiplier 1: x [N,H,W,C], w [kh,kw,C,1]."""
    kh, kw = w.shape[0], w.shape[1]
    pt, pb, pl, pr = _pad_for(x, kh, kw, stride, padding)
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    ho = (xp.shape[1] - kh) // stride + 1
    wo = (xp.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], ho, wo, x.shape[3]), dtype=np.float64)
    for i, j, patch in _windows(xp, kh, kw, stride, ho, wo):
        out += patch * w[i, j, :, 0]
    return out


def max_pool(x, k, stride, padding):
    """tf.nn.max_pool: padded cells never win (they are -inf)."""
    pt, pb, pl, pr = _pad_for(x, k, k, stride, padding)
    xp = np.pad(x.astype(np.float64), ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=-np.inf)
    ho = (xp.shape[1] - k) // stride + 1
    wo = (xp.shape[2] - k) // stride + 1
    out = np.full((x.shape[0], ho, wo, x.shape[3]), -np.inf)
    for _, _, patch in _windows(xp, k, k, stride, ho, wo):
        out = np.maximum(out, patch)
    return out


def prelu(x, alpha):
    """TF.js prelu: x where x >= 0, alpha * x elsewhere (alpha broadcast over the last axis)."""
    return np.where(x >= 0, x, alpha * x)


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


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# --------------------------------------------------------------------------- graph interpreter

def run_node(node, args):
    """Evaluates one TF node given its input values (numpy arrays, NHWC)."""
    op = node["op"]
    if op in ("_FusedConv2D", "FusedDepthwiseConv2dNative", "DepthwiseConv2dNative"):
        s = attr_list_i(node, "strides")[1]
        pad = attr_str(node, "padding")
        if op == "_FusedConv2D":
            r = conv2d(args[0], args[1], s, pad)
        else:
            r = depthwise_conv2d(args[0], args[1], s, pad)
        for f in attr_list_s(node, "fused_ops"):
            if f == "BiasAdd":
                r = r + args[2]
            elif f == "Relu":
                r = np.maximum(r, 0)
            elif f == "Relu6":
                r = np.clip(r, 0, 6)
            elif f == "Prelu":
                r = prelu(r, args[3])
            else:
                raise ValueError("fused op %s" % f)
        return r
    if op == "MaxPool":
        k = attr_list_i(node, "ksize")[1]
        return max_pool(args[0], k, attr_list_i(node, "strides")[1], attr_str(node, "padding"))
    if op == "Pad":
        return np.pad(args[0], [tuple(int(v) for v in p) for p in args[1]])
    if op == "AddV2":
        return args[0] + args[1]
    if op == "Sub":
        return args[0] - args[1]
    if op == "Mul":
        return args[0] * args[1]
    if op == "Relu":
        return np.maximum(args[0], 0)
    if op == "Relu6":
        return np.clip(args[0], 0, 6)
    if op == "Prelu":
        return prelu(args[0], args[1])
    if op == "Sigmoid":
        return sigmoid(args[0])
    if op == "Reshape":
        return args[0].reshape([int(d) for d in args[1]])
    if op == "ResizeBilinear":
        assert attr_b(node, "half_pixel_centers") and not attr_b(node, "align_corners")
        return resize_bilinear_half_pixel(args[0], [int(s) for s in args[1]])
    if op == "Identity":
        return args[0]
    raise ValueError("op %s (%s) not interpreted" % (op, node["name"]))


def run_graph(nodes, weights, feeds, wanted):
    """Evaluates the nodes `wanted` need, starting from `feeds` (tensor name -> NHWC value).
    Float constants are computed in float64. Returns {name: value} for `wanted`."""
    by_name = {n["name"]: n for n in nodes}
    values = dict(feeds)

    def value(name):
        todo = [name]
        while todo:
            n = todo[-1]
            if n in values:
                todo.pop()
                continue
            node = by_name[n]
            if node["op"] == "Const":
                w = weights[n]
                values[n] = w.astype(np.float64) if w.dtype.kind == "f" else w
                todo.pop()
                continue
            ins = [i.split(":")[0] for i in node.get("input", [])]
            missing = [i for i in ins if i not in values]
            if missing:
                todo.extend(missing)
                continue
            values[n] = run_node(node, [values[i] for i in ins])
            todo.pop()
        return values[name]

    return {w: value(w) for w in wanted}
