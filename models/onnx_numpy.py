"""A small numpy evaluator for the ONNX ops convert_tfjs.py emits (NCHW, float64).

It follows the ONNX operator definitions (opset 11) directly: explicit Conv/MaxPool pads
[top, left, bottom, right], Pad's pads input [begins..., ends...], Resize's half_pixel
coordinate transform. It is deliberately independent of the converter and of tfsem.py, so
comparing the two catches a handler that emits the wrong layout or padding. It also holds
the model to opset 11 (Clip takes its bounds as inputs, not attributes).

Used by test_convert_tfjs.py. Needs python3-numpy and python3-onnx.
"""

import numpy as np
from onnx import numpy_helper


class EvalError(Exception):
    pass


def _attrs(node):
    from onnx import helper
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _conv(x, w, b, a):
    kh, kw = a["kernel_shape"]
    sh, sw = a.get("strides", [1, 1])
    if a.get("dilations", [1, 1]) != [1, 1]:
        raise EvalError("dilations unsupported")
    auto = a.get("auto_pad", b"NOTSET")
    if auto in (b"SAME_UPPER", "SAME_UPPER"):
        if "pads" in a:
            raise EvalError("Conv: auto_pad with pads")
        pads = []
        for size, k, st in ((x.shape[2], kh, sh), (x.shape[3], kw, sw)):
            total = max((-(-size // st) - 1) * st + k - size, 0)
            pads.append((total // 2, total - total // 2))  # the odd pixel at the end
        (pt, pb), (pl, pr) = pads
    elif auto not in (b"NOTSET", "NOTSET"):
        raise EvalError("Conv: auto_pad %s not evaluated" % auto)
    else:
        pt, pl, pb, pr = a.get("pads", [0, 0, 0, 0])
    group = a.get("group", 1)
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    n, c = x.shape[:2]
    o = w.shape[0]
    if w.shape[1] * group != c or o % group:
        raise EvalError("Conv: weights %s do not fit %d channels in %d groups" % (w.shape, c, group))
    ho = (xp.shape[2] - kh) // sh + 1
    wo = (xp.shape[3] - kw) // sw + 1
    out = np.zeros((n, o, ho, wo))
    cg, og = c // group, o // group
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, :, i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw]
            if group == c and o == c:  # depthwise: one filter per channel
                out += patch * w[:, 0, i, j][None, :, None, None]
                continue
            for g in range(group):
                out[:, g * og:(g + 1) * og] += np.einsum(
                    "nchw,oc->nohw", patch[:, g * cg:(g + 1) * cg], w[g * og:(g + 1) * og, :, i, j])
    if b is not None:
        out += b[None, :, None, None]
    return out


def _max_pool(x, a):
    kh, kw = a["kernel_shape"]
    sh, sw = a.get("strides", [1, 1])
    pt, pl, pb, pr = a.get("pads", [0, 0, 0, 0])
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)), constant_values=-np.inf)
    ho = (xp.shape[2] - kh) // sh + 1
    wo = (xp.shape[3] - kw) // sw + 1
    out = np.full(x.shape[:2] + (ho, wo), -np.inf)
    for i in range(kh):
        for j in range(kw):
            out = np.maximum(out, xp[:, :, i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw])
    return out


def _resize_linear_half_pixel(x, scales):
    """ONNX Resize, mode linear, coordinate_transformation_mode half_pixel, on H and W."""
    if scales[0] != 1 or scales[1] != 1:
        raise EvalError("Resize: only spatial scales are supported")
    out = x
    for axis, s in ((2, scales[2]), (3, scales[3])):
        n_in = out.shape[axis]
        n_out = int(np.floor(n_in * s))
        pos = (np.arange(n_out) + 0.5) / s - 0.5
        pos = np.clip(pos, 0, n_in - 1)
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, n_in - 1)
        f = pos - lo
        shape = [1, 1, 1, 1]
        shape[axis] = n_out
        f = f.reshape(shape)
        out = np.take(out, lo, axis=axis) * (1 - f) + np.take(out, hi, axis=axis) * f
    return out


def run(model, feeds):
    """Evaluates `model` (an onnx ModelProto) on `feeds` (name -> NCHW array); returns every
    graph output by name."""
    g = model.graph
    v = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    v = {k: (a.astype(np.float64) if a.dtype.kind == "f" else a) for k, a in v.items()}
    v.update({k: np.asarray(a, dtype=np.float64) for k, a in feeds.items()})
    for node in g.node:
        a = _attrs(node)
        ins = [v[i] for i in node.input]
        op = node.op_type
        if op == "Conv":
            r = _conv(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a)
        elif op == "Relu":
            r = np.maximum(ins[0], 0)
        elif op == "Clip":
            if len(ins) != 3 or "min" in a or "max" in a:
                raise EvalError("Clip %s: opset 11 takes min and max as inputs" % node.name)
            r = np.clip(ins[0], ins[1], ins[2])
        elif op == "PRelu":
            r = np.where(ins[0] < 0, ins[0] * ins[1], ins[0])
        elif op == "Add":
            r = ins[0] + ins[1]
        elif op == "Sub":
            r = ins[0] - ins[1]
        elif op == "Mul":
            r = ins[0] * ins[1]
        elif op == "Sigmoid":
            r = 1.0 / (1.0 + np.exp(-ins[0]))
        elif op == "MaxPool":
            r = _max_pool(ins[0], a)
        elif op == "Pad":
            if a.get("mode", b"constant") not in (b"constant", "constant") or len(ins) > 2:
                raise EvalError("Pad %s: only constant zero padding" % node.name)
            p = ins[1].astype(int)
            k = ins[0].ndim
            r = np.pad(ins[0], [(p[i], p[i + k]) for i in range(k)])
        elif op == "Resize":
            mode = a.get("mode")
            ctm = a.get("coordinate_transformation_mode")
            if mode != b"linear" or ctm != b"half_pixel" or ins[1].size != 0:
                raise EvalError("Resize %s: only linear half_pixel with an empty roi" % node.name)
            r = _resize_linear_half_pixel(ins[0], ins[2])
        elif op == "Reshape":
            shape = [int(d) for d in ins[1]]
            shape = [ins[0].shape[i] if d == 0 else d for i, d in enumerate(shape)]
            r = ins[0].reshape(shape)
        elif op == "Identity":
            r = ins[0]
        else:
            raise EvalError("op %s (%s) not evaluated" % (op, node.name))
        v[node.output[0]] = r
    return {o.name: v[o.name] for o in g.output}
