#!/usr/bin/python3
"""Convert the MoveNet SinglePose Lightning TF.js graph model to an NCHW ONNX model.

Usage:
  /usr/bin/python3 models/convert_tfjs.py --json movenet-lightning.json \
      --bin movenet-lightning.bin --out movenet-lightning.onnx

Input : the TF.js graph model shipped in @vladmandic/human (package/models/movenet-lightning.*).
Output: an ONNX model (opset 11, read by OpenCV 4.6 dnn) with
  input    `input`    float32 [1,3,192,192]  RGB, 0..255 (gocv.BlobFromImage(img, 1, 192x192, 0, swapRB=true))
  outputs  `heatmaps` float32 [1,17,48,48]   keypoint heatmaps after the sigmoid
           `center`   float32 [1,1,48,48]    person-centre heatmap after the sigmoid
           `regress`  float32 [1,34,48,48]   keypoint displacement from the centre (ch 2k = y, 2k+1 = x, cells)
           `offsets`  float32 [1,34,48,48]   sub-cell keypoint offsets            (ch 2k = y, 2k+1 = x, cells)

The graph is cut before the reference post-processing (see models/DECODER.md), the in-graph
normalisation is kept, float16 weights are widened to float32 and everything is laid out NCHW.
The output is deterministic: the same inputs give a byte-identical file.

Needs Debian's python3-onnx and python3-numpy (run with /usr/bin/python3).
"""

import argparse
import base64
import json
import os
import sys

try:
    import numpy as np
except ImportError:  # pragma: no cover - message for the user
    sys.exit("convert_tfjs.py: numpy is missing: run `make deps` (apt-get install python3-numpy) "
             "and call the script with /usr/bin/python3")

INPUT_SIZE = 192
HEAD_SIZE = 48
NUM_KPT = 17

# The float tensor right after the int32 -> float Cast and its shape no-ops
# (Unpack / ExpandDims / Squeeze / ExpandDims): the ONNX input replaces it.
TF_FLOAT_INPUT = "StatefulPartitionedCall/stack"
TF_PRE_INPUT = {
    "input",
    "StatefulPartitionedCall/Cast",
    "StatefulPartitionedCall/unstack",
    "StatefulPartitionedCall/ResizeImage/resize/ExpandDims",
    "StatefulPartitionedCall/ResizeImage/resize/Squeeze",
    TF_FLOAT_INPUT,
}

# ONNX output name -> TF node producing it (NHWC there, NCHW here).
HEADS = [
    ("heatmaps", "StatefulPartitionedCall/Sigmoid", NUM_KPT),
    ("center", "StatefulPartitionedCall/Sigmoid_1", 1),
    ("regress", "StatefulPartitionedCall/kpt_regress_0/conv2d_6/BiasAdd", 2 * NUM_KPT),
    ("offsets", "StatefulPartitionedCall/kpt_offset_0/conv2d_7/BiasAdd", 2 * NUM_KPT),
]


class ConvertError(Exception):
    pass


# --------------------------------------------------------------------------- TF.js loading

def _attr_str(node, key, default=None):
    a = node.get("attr", {}).get(key)
    if a is None:
        return default
    return base64.b64decode(a["s"]).decode()


def _attr_list_i(node, key):
    a = node.get("attr", {}).get(key)
    if a is None:
        return None
    return [int(v) for v in a["list"].get("i", [])]


def _attr_list_s(node, key):
    a = node.get("attr", {}).get(key)
    if a is None:
        return []
    return [base64.b64decode(s).decode() for s in a["list"].get("s", [])]


def _attr_b(node, key, default=False):
    a = node.get("attr", {}).get(key)
    if a is None:
        return default
    return bool(a.get("b", False))


def _attr_i(node, key, default=None):
    a = node.get("attr", {}).get(key)
    if a is None:
        return default
    return int(a.get("i", 0))


def load_tfjs(json_path, bin_path):
    """Returns (nodes, weights): nodes as in model.json, weights name -> numpy array
    (float16 widened to float32, int32 kept)."""
    try:
        with open(json_path, "rb") as f:
            model = json.loads(f.read().decode("utf-8"))
    except (OSError, ValueError) as e:
        raise ConvertError("cannot read TF.js model %s: %s" % (json_path, e))
    try:
        with open(bin_path, "rb") as f:
            blob = f.read()
    except OSError as e:
        raise ConvertError("cannot read TF.js weights %s: %s" % (bin_path, e))
    try:
        nodes = model["modelTopology"]["node"]
        groups = model["weightsManifest"]
    except (KeyError, TypeError):
        raise ConvertError("%s is not a TF.js graph model (no modelTopology.node / weightsManifest)" % json_path)
    if len(groups) != 1:
        raise ConvertError("expected one weights group, found %d" % len(groups))
    weights = {}
    off = 0
    for w in groups[0]["weights"]:
        shape = [int(d) for d in w["shape"]]
        count = int(np.prod(shape)) if shape else 1
        q = w.get("quantization")
        if q is not None:
            if q.get("dtype") != "float16":
                raise ConvertError("unsupported quantization %r for %s" % (q, w["name"]))
            nbytes, dt = 2 * count, np.dtype("<f2")
        elif w["dtype"] == "float32":
            nbytes, dt = 4 * count, np.dtype("<f4")
        elif w["dtype"] == "int32":
            nbytes, dt = 4 * count, np.dtype("<i4")
        else:
            raise ConvertError("unsupported weight dtype %s for %s" % (w["dtype"], w["name"]))
        if off + nbytes > len(blob):
            raise ConvertError("%s is truncated: %s needs bytes %d..%d of %d" % (bin_path, w["name"], off, off + nbytes, len(blob)))
        arr = np.frombuffer(blob, dtype=dt, count=count, offset=off).reshape(shape)
        if dt == np.dtype("<f2") or dt == np.dtype("<f4"):
            arr = arr.astype(np.float32)
        else:
            arr = arr.astype(np.int32)
        weights[w["name"]] = arr
        off += nbytes
    if off != len(blob):
        raise ConvertError("%s has %d bytes, the manifest describes %d" % (bin_path, len(blob), off))
    for n in nodes:
        if n["op"] == "Const" and n["name"] not in weights:
            raise ConvertError("constant %s has no weights in the manifest" % n["name"])
    return nodes, weights


def same_pads(in_size, k, stride):
    """TF SAME padding: (before, after) for one spatial axis."""
    out = -(-in_size // stride)
    total = max((out - 1) * stride + k - in_size, 0)
    return total // 2, total - total // 2


# --------------------------------------------------------------------------- ONNX building

def build_onnx(nodes, weights):
    try:
        import onnx
        from onnx import helper, numpy_helper, TensorProto
    except ImportError:
        raise ConvertError("python3-onnx is missing: run `make deps` (apt-get install python3-onnx) "
                           "and call the script with /usr/bin/python3")

    by_name = {n["name"]: n for n in nodes}
    for _, tf_name, _ in HEADS:
        if tf_name not in by_name:
            raise ConvertError("head %s not found in the graph" % tf_name)

    # Nodes needed for the four heads, in the graph's (topological) order.
    needed = set()
    stack = [tf for _, tf, _ in HEADS]
    while stack:
        name = stack.pop()
        if name in needed or name in TF_PRE_INPUT:
            continue
        needed.add(name)
        for i in by_name[name].get("input", []):
            stack.append(i.split(":")[0])

    order = []
    done = set(TF_PRE_INPUT)

    def visit(name):
        # iterative DFS keeps the order deterministic and independent of recursion limits
        todo = [(name, False)]
        while todo:
            n, expanded = todo.pop()
            if n in done:
                continue
            if expanded:
                done.add(n)
                order.append(n)
                continue
            todo.append((n, True))
            for i in reversed(by_name[n].get("input", [])):
                i = i.split(":")[0]
                if i not in done:
                    todo.append((i, False))

    for _, tf, _ in HEADS:
        visit(tf)

    initializers = []
    onnx_nodes = []
    spatial = {TF_FLOAT_INPUT: INPUT_SIZE}  # tensor -> H (= W) of NHWC activations
    channels = {TF_FLOAT_INPUT: 3}
    renamed = {TF_FLOAT_INPUT: "input"}
    counter = [0]

    def uid(prefix):
        counter[0] += 1
        return "%s_%d" % (prefix, counter[0])

    def add_init(name, arr):
        initializers.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def t(name):
        return renamed.get(name, name)

    def const(name):
        if name not in weights:
            raise ConvertError("expected a constant for %s" % name)
        return weights[name]

    for name in order:
        n = by_name[name]
        op = n["op"]
        ins = [i.split(":")[0] for i in n.get("input", [])]
        if op == "Const":
            continue  # constants are emitted where they are used, in the layout the op needs
        if op in ("_FusedConv2D", "FusedDepthwiseConv2dNative", "DepthwiseConv2dNative"):
            if _attr_str(n, "data_format", "NHWC") != "NHWC":
                raise ConvertError("%s: only NHWC supported" % name)
            if any(d != 1 for d in (_attr_list_i(n, "dilations") or [1])):
                raise ConvertError("%s: dilations unsupported" % name)
            strides = _attr_list_i(n, "strides")
            if strides[0] != 1 or strides[3] != 1 or strides[1] != strides[2]:
                raise ConvertError("%s: unsupported strides %s" % (name, strides))
            s = strides[1]
            fused = _attr_list_s(n, "fused_ops")
            if op == "DepthwiseConv2dNative":
                fused = []
                bias_name = None
            else:
                if not fused or fused[0] != "BiasAdd" or len(ins) != 3:
                    raise ConvertError("%s: unsupported fused ops %s" % (name, fused))
                bias_name = ins[2]
            act = fused[1:] if fused else []
            if act not in ([], ["Relu"], ["Relu6"]):
                raise ConvertError("%s: unsupported activation %s" % (name, act))
            w = const(ins[1])
            kh, kw = w.shape[0], w.shape[1]
            h_in = spatial[ins[0]]
            c_in = channels[ins[0]]
            if op == "_FusedConv2D":
                if w.shape[2] != c_in:
                    raise ConvertError("%s: weight in-channels %d != %d" % (name, w.shape[2], c_in))
                w_onnx = w.transpose(3, 2, 0, 1)  # HWIO -> OIHW
                group = 1
                c_out = w.shape[3]
            else:
                if w.shape[3] != 1 or w.shape[2] != c_in:
                    raise ConvertError("%s: depthwise multiplier %d unsupported" % (name, w.shape[3]))
                w_onnx = w.transpose(2, 3, 0, 1)  # [kh,kw,C,1] -> [C,1,kh,kw]
                group = c_in
                c_out = c_in
            pad = _attr_str(n, "padding")
            if pad == "SAME":
                pt, pb = same_pads(h_in, kh, s)
                pl, pr = same_pads(h_in, kw, s)
                h_out = -(-h_in // s)
            elif pad == "VALID":
                pt = pb = pl = pr = 0
                h_out = (h_in - kh) // s + 1
            else:
                raise ConvertError("%s: padding %s unsupported" % (name, pad))
            base = uid("conv")
            conv_inputs = [t(ins[0]), add_init(base + "_w", w_onnx.astype(np.float32))]
            if bias_name is not None:
                b = const(bias_name).reshape(-1)
                if b.shape[0] != c_out:
                    raise ConvertError("%s: bias size %d != %d" % (name, b.shape[0], c_out))
                conv_inputs.append(add_init(base + "_b", b.astype(np.float32)))
            out = base + "_out" if act else name
            onnx_nodes.append(helper.make_node(
                "Conv", conv_inputs, [out], name=base,
                kernel_shape=[kh, kw], strides=[s, s], pads=[pt, pl, pb, pr],
                dilations=[1, 1], group=group))
            if act == ["Relu"]:
                onnx_nodes.append(helper.make_node("Relu", [out], [name], name=base + "_relu"))
            elif act == ["Relu6"]:
                # OpenCV 4.6 reads Clip only in its attribute form (opset < 11); it maps it to ReLU6.
                onnx_nodes.append(helper.make_node("Clip", [out], [name], name=base + "_relu6",
                                                   min=0.0, max=6.0))
            spatial[name] = h_out
            channels[name] = c_out
        elif op == "AddV2":
            a, b = ins
            if spatial[a] != spatial[b] or channels[a] != channels[b]:
                raise ConvertError("%s: shape mismatch" % name)
            onnx_nodes.append(helper.make_node("Add", [t(a), t(b)], [name], name=uid("add")))
            spatial[name] = spatial[a]
            channels[name] = channels[a]
        elif op in ("Sub", "Mul") and ins[0] in spatial and ins[1] in weights:
            c = const(ins[1])
            if c.size == 1:
                c_onnx = c.reshape([]).astype(np.float32)
            elif c.shape == (1, 1, 1, channels[ins[0]]):
                c_onnx = c.reshape(1, -1, 1, 1).astype(np.float32)
            else:
                raise ConvertError("%s: unsupported broadcast constant shape %s" % (name, c.shape))
            base = uid(op.lower())
            onnx_nodes.append(helper.make_node(op, [t(ins[0]), add_init(base + "_c", c_onnx)], [name], name=base))
            spatial[name] = spatial[ins[0]]
            channels[name] = channels[ins[0]]
        elif op == "ResizeBilinear":
            if _attr_b(n, "align_corners") or not _attr_b(n, "half_pixel_centers"):
                raise ConvertError("%s: only half_pixel_centers resize supported" % name)
            size = const(ins[1]).reshape(-1)
            h_in = spatial[ins[0]]
            if size[0] != size[1] or size[0] % h_in != 0:
                raise ConvertError("%s: unsupported resize %s from %d" % (name, size, h_in))
            f = float(size[0] // h_in)
            base = uid("resize")
            roi = add_init(base + "_roi", np.zeros([0], dtype=np.float32))
            scales = add_init(base + "_scales", np.array([1.0, 1.0, f, f], dtype=np.float32))
            onnx_nodes.append(helper.make_node(
                "Resize", [t(ins[0]), roi, scales], [name], name=base,
                mode="linear", coordinate_transformation_mode="half_pixel"))
            spatial[name] = int(size[0])
            channels[name] = channels[ins[0]]
        elif op == "Sigmoid":
            onnx_nodes.append(helper.make_node("Sigmoid", [t(ins[0])], [name], name=uid("sigmoid")))
            spatial[name] = spatial[ins[0]]
            channels[name] = channels[ins[0]]
        else:
            raise ConvertError("%s: op %s is not supported before the heads" % (name, op))

    outputs = []
    for out_name, tf_name, ch in HEADS:
        if spatial.get(tf_name) != HEAD_SIZE or channels.get(tf_name) != ch:
            raise ConvertError("head %s has shape %sx%sx%s, want %dx%dx%d" % (
                tf_name, spatial.get(tf_name), spatial.get(tf_name), channels.get(tf_name), HEAD_SIZE, HEAD_SIZE, ch))
        onnx_nodes.append(helper.make_node("Identity", [t(tf_name)], [out_name], name="out_" + out_name))
        outputs.append(helper.make_tensor_value_info(out_name, TensorProto.FLOAT, [1, ch, HEAD_SIZE, HEAD_SIZE]))

    # Short, stable tensor names (the TF names are long; OpenCV does not care either way).
    short = {}
    for nd in onnx_nodes:
        for i, o in enumerate(nd.output):
            if o not in [h[0] for h in HEADS]:
                if o not in short:
                    short[o] = "t%d" % len(short)
                nd.output[i] = short[o]
    for nd in onnx_nodes:
        for i, x in enumerate(nd.input):
            if x in short:
                nd.input[i] = short[x]

    graph = helper.make_graph(
        onnx_nodes, "movenet_singlepose_lightning",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, INPUT_SIZE, INPUT_SIZE])],
        outputs, initializer=initializers)
    model = helper.make_model(
        graph, producer_name="posturewatch-convert_tfjs", producer_version="1",
        opset_imports=[helper.make_opsetid("", 11)])
    model.ir_version = 6  # pinned so the bytes do not depend on the installed onnx version
    model.doc_string = ("MoveNet SinglePose Lightning (Apache-2.0), from @vladmandic/human 3.3.6 "
                        "models/movenet-lightning; cut at the four heads, NCHW, float32.")
    return model


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", required=True, help="TF.js model.json (movenet-lightning.json)")
    ap.add_argument("--bin", required=True, help="TF.js weights (movenet-lightning.bin)")
    ap.add_argument("--out", required=True, help="ONNX file to write")
    args = ap.parse_args(argv)
    try:
        nodes, weights = load_tfjs(args.json, args.bin)
        model = build_onnx(nodes, weights)
        data = model.SerializeToString(deterministic=True)
    except ConvertError as e:
        print("convert_tfjs.py: %s" % e, file=sys.stderr)
        return 1
    tmp = args.out + ".part"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, args.out)
    print("convert_tfjs.py: wrote %s (%d bytes, %d nodes, %d initializers)" % (
        args.out, len(data), len(model.graph.node), len(model.graph.initializer)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
