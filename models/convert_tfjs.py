#!/usr/bin/python3
"""Convert a TF.js graph model of @vladmandic/human to an NCHW ONNX model for ONNX Runtime.

Usage:
  /usr/bin/python3 models/convert_tfjs.py [--graph NAME] --json M.json --bin M.bin --out M.onnx

NAME is one of the graphs below (default: the --json file's name without .json):

  movenet-lightning  input  `input` [1,3,192,192] RGB 0..255 (normalisation kept in the graph)
                     out    `heatmaps` [1,17,48,48], `center` [1,1,48,48],
                            `regress` [1,34,48,48], `offsets` [1,34,48,48]
  blazeface          input  `input` [1,3,256,256] RGB scaled to -1..1 (done outside: x/127.5 - 1);
                            the file leaves height and width free (multiples of 32)
                     out    `scores16` [1,2,16,16], `boxes16` [1,32,16,16],
                            `scores8` [1,6,8,8],    `boxes8` [1,96,8,8] (on 256x256)
  facemesh           input  `input` [1,3,192,192] RGB scaled to 0..1 (done outside: x/255)
                     out    `mesh` [1,1404] (468 x, y, z in crop pixels), `score` [1,1]

models/README.md has the full contract. Every graph is cut at its heads (the libraries'
post-processing is left to Go), float16 weights are widened to float32 and activations are
laid out NCHW. The output is deterministic: the same inputs give a byte-identical file.

How it works: a small per-graph spec (GRAPHS) names the TF tensor the ONNX input replaces and
the heads to cut at; the nodes the heads need are visited in a fixed depth-first order and each
TF op is translated by one handler function (HANDLERS, op name -> handler). Handlers share the
shape bookkeeping (Converter.shape: the NCHW shape of every translated tensor) and layout
helpers (NHWC weights and constants -> NCHW). An op without a handler, or a shape a handler
cannot translate exactly, stops the conversion with a ConvertError that names the node.

Needs Debian's python3-onnx and python3-numpy (run with /usr/bin/python3).
"""

import argparse
import json
import os
import sys
import time

try:
    import numpy as np
except ImportError:  # pragma: no cover - message for the user
    sys.exit("convert_tfjs.py: numpy is missing: run `make deps` (apt-get install python3-numpy) "
             "and call the script with /usr/bin/python3")

from tfsem import attr_b, attr_list_i, attr_list_s, attr_str, same_pads

OPSET = 11       # Resize's half-pixel mode needs 11; every node is valid opset 11 (onnx.checker)
IR_VERSION = 6   # pinned so the bytes do not depend on the installed onnx version
PRODUCER = "posturewatch-convert_tfjs"


class ConvertError(Exception):
    pass


# --------------------------------------------------------------------------- per-graph specs

class Head:
    """One output: the ONNX name, the TF node producing it, its NCHW shape."""

    def __init__(self, onnx_name, tf_node, shape):
        self.onnx_name = onnx_name
        self.tf_node = tf_node
        self.shape = tuple(shape)


class GraphSpec:
    """What to convert: the TF tensor the ONNX input `input` stands for (with its NCHW
    shape), TF nodes before it that are dropped, the heads, and the names written into
    the file."""

    def __init__(self, name, graph_name, doc, tf_input, input_shape, heads, skip=(), free_size=False):
        self.name = name
        # free_size: the graph is fully convolutional (every op works at any input size
        # that is a multiple of its deepest stride), so the file leaves the input's height
        # and width free, and the heads' with them. The runtime then feeds a canvas that
        # fits the camera's aspect instead of a padded square. The conversion itself is
        # traced at input_shape.
        self.free_size = free_size
        self.graph_name = graph_name
        self.doc = doc
        self.tf_input = tf_input
        self.input_shape = tuple(input_shape)
        self.heads = list(heads)
        self.skip = set(skip) | {tf_input}


MOVENET_PREFIX = "StatefulPartitionedCall/"
BLAZEFACE_PREFIX = "StatefulPartitionedCall/functional_1/"
FACEMESH_PREFIX = "StatefulPartitionedCall/model_1/"

GRAPHS = {
    "movenet-lightning": GraphSpec(
        name="movenet-lightning",
        graph_name="movenet_singlepose_lightning",
        doc=("MoveNet SinglePose Lightning (Apache-2.0), from @vladmandic/human 3.3.6 "
             "models/movenet-lightning; cut at the four heads, NCHW, float32."),
        # The float tensor right after the int32 -> float Cast: the int32 input, the Cast and
        # its shape no-ops (Unpack / ExpandDims / Squeeze / ExpandDims) are dropped, the
        # normalisation after it (Sub, Mul, Sub) is kept.
        tf_input=MOVENET_PREFIX + "stack",
        input_shape=(1, 3, 192, 192),
        skip=("input", MOVENET_PREFIX + "Cast", MOVENET_PREFIX + "unstack",
              MOVENET_PREFIX + "ResizeImage/resize/ExpandDims",
              MOVENET_PREFIX + "ResizeImage/resize/Squeeze"),
        heads=[
            Head("heatmaps", MOVENET_PREFIX + "Sigmoid", (1, 17, 48, 48)),
            Head("center", MOVENET_PREFIX + "Sigmoid_1", (1, 1, 48, 48)),
            Head("regress", MOVENET_PREFIX + "kpt_regress_0/conv2d_6/BiasAdd", (1, 34, 48, 48)),
            Head("offsets", MOVENET_PREFIX + "kpt_offset_0/conv2d_7/BiasAdd", (1, 34, 48, 48)),
        ]),
    "blazeface": GraphSpec(
        name="blazeface",
        graph_name="blazeface_back_256",
        doc=("BlazeFace 256 'back' face detector (Google MediaPipe, Apache-2.0), from "
             "@vladmandic/human 3.3.6 models/blazeface; input RGB scaled to -1..1; cut at the "
             "four raw conv heads (logits and box/landmark offsets), NCHW, float32."),
        tf_input="input",
        input_shape=(1, 3, 256, 256),
        free_size=True,
        # The graph's own outputs reshape these to [1,512|384,1|16] in NHWC order; the Go
        # decoder reads the NCHW maps directly (see models/README.md for the layout).
        heads=[
            Head("scores16", BLAZEFACE_PREFIX + "conv2d_33/BiasAdd", (1, 2, 16, 16)),
            Head("boxes16", BLAZEFACE_PREFIX + "conv2d_35/BiasAdd", (1, 32, 16, 16)),
            Head("scores8", BLAZEFACE_PREFIX + "conv2d_34/BiasAdd", (1, 6, 8, 8)),
            Head("boxes8", BLAZEFACE_PREFIX + "conv2d_36/BiasAdd", (1, 96, 8, 8)),
        ]),
    "facemesh": GraphSpec(
        name="facemesh",
        graph_name="facemesh_468",
        doc=("FaceMesh 468 landmarks (Google MediaPipe, Apache-2.0), from @vladmandic/human "
             "3.3.6 models/facemesh; input RGB scaled to 0..1; outputs the mesh (468 x, y, z "
             "in crop pixels) and the face presence score after its sigmoid; the contour "
             "branch is dropped. NCHW, float32."),
        tf_input="input_1",
        input_shape=(1, 3, 192, 192),
        heads=[
            Head("mesh", FACEMESH_PREFIX + "output_mesh/Reshape", (1, 1404)),
            Head("score", FACEMESH_PREFIX + "output_faceflag/Reshape", (1, 1)),
        ]),
}


# --------------------------------------------------------------------------- TF.js loading

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
        raise ConvertError("%s: expected one weights group, found %d" % (json_path, len(groups)))
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
            arr = arr.astype(np.float32)  # float16 weights widened: the runtime computes in float32
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


# --------------------------------------------------------------------------- the converter

HANDLERS = {}


def handles(*ops):
    """Registers a handler for TF ops. A handler gets (converter, node, inputs) with the
    inputs' TF names, emits ONNX nodes whose last output is named after the TF node, and
    returns that tensor's NCHW shape."""
    def register(fn):
        for op in ops:
            HANDLERS[op] = fn
        return fn
    return register


class Converter:
    def __init__(self, nodes, weights, spec):
        try:
            from onnx import helper, numpy_helper, TensorProto
        except ImportError:
            raise ConvertError("python3-onnx is missing: run `make deps` (apt-get install python3-onnx) "
                               "and call the script with /usr/bin/python3")
        self.helper, self.numpy_helper, self.TensorProto = helper, numpy_helper, TensorProto
        self.nodes = nodes
        self.weights = weights
        self.spec = spec
        self.by_name = {n["name"]: n for n in nodes}
        self.initializers = []
        self.onnx_nodes = []
        self.shapes = {spec.tf_input: spec.input_shape}  # TF tensor -> NCHW shape of its ONNX tensor
        self.renamed = {spec.tf_input: "input"}
        self.counter = 0

    # ---- bookkeeping shared by the handlers

    def uid(self, prefix):
        self.counter += 1
        return "%s_%d" % (prefix, self.counter)

    def add_init(self, name, arr):
        self.initializers.append(self.numpy_helper.from_array(np.asarray(arr, order="C"), name))  # keeps 0-d scalars
        return name

    def emit(self, op, inputs, outputs, name, **attrs):
        self.onnx_nodes.append(self.helper.make_node(op, inputs, outputs, name=name, **attrs))

    def t(self, name):
        """The ONNX tensor holding TF tensor `name`."""
        return self.renamed.get(name, name)

    def const(self, node, name):
        if name not in self.weights:
            raise ConvertError("%s (%s): input %s must be a constant" % (node["name"], node["op"], name))
        return self.weights[name]

    def shape(self, node, name):
        """NCHW shape of an activation input of `node`."""
        if name not in self.shapes:
            if name in self.weights:
                raise ConvertError("%s (%s): input %s is a constant where an activation is expected"
                                   % (node["name"], node["op"], name))
            raise ConvertError("%s (%s): input %s has no known shape" % (node["name"], node["op"], name))
        return self.shapes[name]

    def channel_vector(self, node, arr, c, what):
        """A TF constant that broadcasts along the last (channel) axis, as a flat [C] vector."""
        a = np.asarray(arr)
        if a.size != c or any(d != 1 for d in a.shape[:-1]):
            raise ConvertError("%s (%s): %s has shape %s, want %d values along the channel axis"
                               % (node["name"], node["op"], what, list(a.shape), c))
        return a.reshape(-1).astype(np.float32)

    # ---- the walk

    def order(self):
        """TF nodes the heads need, inputs before users, in a fixed depth-first order."""
        order = []
        done = set(self.spec.skip)
        for head in self.spec.heads:
            if head.tf_node not in self.by_name:
                raise ConvertError("head %s: node %s not found in the graph" % (head.onnx_name, head.tf_node))
            # iterative DFS keeps the order deterministic and independent of recursion limits
            todo = [(head.tf_node, False, None)]
            while todo:
                n, expanded, user = todo.pop()
                if n in done:
                    continue
                if n not in self.by_name:
                    raise ConvertError("%s: input %s is not a node of the graph" % (user, n))
                if expanded:
                    done.add(n)
                    order.append(n)
                    continue
                todo.append((n, True, user))
                for i in reversed(self.by_name[n].get("input", [])):
                    i = i.split(":")[0]
                    if i not in done:
                        todo.append((i, False, n))
        return order

    def check_input(self):
        node = self.by_name.get(self.spec.tf_input)
        if node is None:
            raise ConvertError("input tensor %s not found in the graph" % self.spec.tf_input)
        if node["op"] != "Placeholder":
            return
        dims = node.get("attr", {}).get("shape", {}).get("shape", {}).get("dim", [])
        got = [int(d.get("size", -1)) for d in dims]
        n, c, h, w = self.spec.input_shape
        if len(got) != 4 or got[0] not in (-1, n) or got[1:] != [h, w, c]:
            raise ConvertError("input %s is declared %s (NHWC), the spec wants %s"
                               % (self.spec.tf_input, got, [n, h, w, c]))

    def convert(self):
        self.check_input()
        for name in self.order():
            node = self.by_name[name]
            op = node["op"]
            if op == "Const":
                continue  # constants are emitted where they are used, in the layout the op needs
            for i in node.get("input", []):
                if ":" in i and not i.endswith(":0"):
                    raise ConvertError("%s (%s): input %s is a secondary output, not supported" % (name, op, i))
            handler = HANDLERS.get(op)
            if handler is None:
                if op == "Placeholder":
                    raise ConvertError("%s: the heads depend on placeholder %s; the spec's input tensor %s "
                                       "should be it or come after it" % (self.spec.name, name, self.spec.tf_input))
                raise ConvertError("%s: TF op %s is not supported (supported: %s)"
                                   % (name, op, ", ".join(sorted(HANDLERS))))
            ins = [i.split(":")[0] for i in node.get("input", [])]
            self.shapes[name] = tuple(handler(self, node, ins))
        return self.finish()

    def file_shape(self, shape):
        """The NCHW shape written into the file: as traced, or for a free_size graph with
        its height and width named after the input's ("height/4" is a head a quarter of
        the input's height)."""
        shape = list(shape)
        if not self.spec.free_size or len(shape) != 4:
            return shape
        _, _, h, w = self.spec.input_shape
        if h % shape[2] or w % shape[3] or h // shape[2] != w // shape[3]:
            raise ConvertError("%s: a free-size graph's map %s is not the input %dx%d over one stride"
                               % (self.spec.name, shape, h, w))
        stride = h // shape[2]
        suffix = "" if stride == 1 else "/%d" % stride
        return shape[:2] + ["height" + suffix, "width" + suffix]

    def finish(self):
        helper, TensorProto = self.helper, self.TensorProto
        heads = self.spec.heads
        for h in heads:
            got = self.shapes.get(h.tf_node)
            if got != h.shape:
                raise ConvertError("head %s (%s) has NCHW shape %s, want %s"
                                   % (h.onnx_name, h.tf_node, list(got) if got else None, list(h.shape)))

        # Short, stable tensor names (the TF names are long; the runtime does not care either way),
        # given before the outputs are added so that no TF name can clash with an output name.
        short = {}
        for nd in self.onnx_nodes:
            for i, o in enumerate(nd.output):
                if o not in short:
                    short[o] = "t%d" % len(short)
                nd.output[i] = short[o]
        for nd in self.onnx_nodes:
            for i, x in enumerate(nd.input):
                if x in short:
                    nd.input[i] = short[x]

        outputs = []
        for h in heads:
            src = self.t(h.tf_node)
            self.emit("Identity", [short.get(src, src)], [h.onnx_name], "out_" + h.onnx_name)
            outputs.append(helper.make_tensor_value_info(h.onnx_name, TensorProto.FLOAT, self.file_shape(h.shape)))

        graph = helper.make_graph(
            self.onnx_nodes, self.spec.graph_name,
            [helper.make_tensor_value_info("input", TensorProto.FLOAT, self.file_shape(self.spec.input_shape))],
            outputs, initializer=self.initializers)
        model = helper.make_model(
            graph, producer_name=PRODUCER, producer_version="1",
            opset_imports=[helper.make_opsetid("", OPSET)])
        model.ir_version = IR_VERSION
        model.doc_string = self.spec.doc
        return model


def build_onnx(nodes, weights, spec):
    """Converts the graph `nodes`/`weights` as `spec` says; returns an onnx ModelProto."""
    return Converter(nodes, weights, spec).convert()


# --------------------------------------------------------------------------- op handlers

def _nhwc_attrs(node):
    """Checks data format and dilations and returns the square spatial stride."""
    name, op = node["name"], node["op"]
    if attr_str(node, "data_format", "NHWC") != "NHWC":
        raise ConvertError("%s (%s): only NHWC data is supported" % (name, op))
    if any(d != 1 for d in (attr_list_i(node, "dilations") or [1])):
        raise ConvertError("%s (%s): dilations %s are not supported" % (name, op, attr_list_i(node, "dilations")))
    strides = attr_list_i(node, "strides")
    if not strides or len(strides) != 4 or strides[0] != 1 or strides[3] != 1 or strides[1] != strides[2]:
        raise ConvertError("%s (%s): unsupported strides %s (want [1,s,s,1])" % (name, op, strides))
    return strides[1]


def _spatial_pads(node, h, w, kh, kw, s):
    """ONNX pads [top, left, bottom, right] and the output size for TF's padding."""
    pad = attr_str(node, "padding")
    if pad == "SAME":
        # TF puts the odd extra pixel at the end (bottom/right): explicit, asymmetric pads.
        pt, pb = same_pads(h, kh, s)
        pl, pr = same_pads(w, kw, s)
        return [pt, pl, pb, pr], -(-h // s), -(-w // s)
    if pad == "VALID":
        if h < kh or w < kw:
            raise ConvertError("%s (%s): kernel %dx%d is larger than its %dx%d input"
                               % (node["name"], node["op"], kh, kw, h, w))
        return [0, 0, 0, 0], (h - kh) // s + 1, (w - kw) // s + 1
    raise ConvertError("%s (%s): padding %s is not supported" % (node["name"], node["op"], pad))


@handles("_FusedConv2D", "FusedDepthwiseConv2dNative", "DepthwiseConv2dNative")
def conv(cv, node, ins):
    name, op = node["name"], node["op"]
    s = _nhwc_attrs(node)
    fused = attr_list_s(node, "fused_ops")
    if op == "DepthwiseConv2dNative":
        fused = []
        if len(ins) != 2:
            raise ConvertError("%s (%s): expected 2 inputs, got %d" % (name, op, len(ins)))
    elif not fused or fused[0] != "BiasAdd":
        raise ConvertError("%s (%s): unsupported fused ops %s (want BiasAdd first)" % (name, op, fused))
    act = fused[1:]
    want_inputs = {(): 2, ("BiasAdd",): 3, ("BiasAdd", "Relu"): 3, ("BiasAdd", "Relu6"): 3,
                   ("BiasAdd", "Prelu"): 4}.get(tuple(fused))
    if want_inputs is None:
        raise ConvertError("%s (%s): unsupported fused ops %s" % (name, op, fused))
    if len(ins) != want_inputs:
        raise ConvertError("%s (%s): fused ops %s need %d inputs, got %d" % (name, op, fused, want_inputs, len(ins)))

    n, c_in, h, w_in = cv.shape(node, ins[0])
    w = cv.const(node, ins[1])
    if w.ndim != 4:
        raise ConvertError("%s (%s): filter %s has shape %s, want 4-D" % (name, op, ins[1], list(w.shape)))
    kh, kw = w.shape[0], w.shape[1]
    if op == "_FusedConv2D":
        if w.shape[2] != c_in:
            raise ConvertError("%s (%s): filter in-channels %d != input channels %d" % (name, op, w.shape[2], c_in))
        w_onnx = w.transpose(3, 2, 0, 1)  # HWIO -> OIHW
        group = 1
        c_out = w.shape[3]
    else:
        if w.shape[2] != c_in or w.shape[3] != 1:
            raise ConvertError("%s (%s): depthwise filter %s for %d channels (only multiplier 1 is supported)"
                               % (name, op, list(w.shape), c_in))
        w_onnx = w.transpose(2, 3, 0, 1)  # [kh,kw,C,1] -> [C,1,kh,kw]
        group = c_in
        c_out = c_in
    pads, h_out, w_out = _spatial_pads(node, h, w_in, kh, kw, s)

    base = cv.uid("conv")
    conv_inputs = [cv.t(ins[0]), cv.add_init(base + "_w", w_onnx.astype(np.float32))]
    if fused:
        b = cv.const(node, ins[2]).reshape(-1)
        if b.shape[0] != c_out:
            raise ConvertError("%s (%s): bias size %d != output channels %d" % (name, op, b.shape[0], c_out))
        conv_inputs.append(cv.add_init(base + "_b", b.astype(np.float32)))
    out = base + "_out" if act else name
    if pads[0] != pads[2] or pads[1] != pads[3]:
        # TF's SAME with the odd pixel at the end is exactly ONNX's SAME_UPPER.
        pad_attrs = {"auto_pad": "SAME_UPPER"}
    else:
        pad_attrs = {"pads": pads}
    cv.emit("Conv", conv_inputs, [out], base, kernel_shape=[kh, kw], strides=[s, s], dilations=[1, 1],
            group=group, **pad_attrs)
    if act == ["Relu"]:
        cv.emit("Relu", [out], [name], base + "_relu")
    elif act == ["Relu6"]:
        # Opset 11's Clip takes its bounds as inputs.
        cv.emit("Clip", [out, cv.add_init(base + "_min", np.array(0, np.float32)),
                         cv.add_init(base + "_max", np.array(6, np.float32))], [name], base + "_relu6")
    elif act == ["Prelu"]:
        alpha = cv.channel_vector(node, cv.const(node, ins[3]), c_out, "PReLU alpha " + ins[3])
        cv.emit("PRelu", [out, cv.add_init(base + "_alpha", alpha.reshape(-1, 1, 1))], [name], base + "_prelu")
    return (n, c_out, h_out, w_out)


@handles("Prelu")
def prelu(cv, node, ins):
    # The constants are named .../p_re_lu_N/Neg but hold alpha itself (mixed signs), not
    # -alpha: TF.js computes x < 0 ? alpha * x : x with them, which is ONNX PRelu's slope.
    shape = cv.shape(node, ins[0])
    if len(shape) != 4:
        raise ConvertError("%s (Prelu): input has shape %s, want NCHW" % (node["name"], list(shape)))
    alpha = cv.channel_vector(node, cv.const(node, ins[1]), shape[1], "alpha " + ins[1])
    base = cv.uid("prelu")
    cv.emit("PRelu", [cv.t(ins[0]), cv.add_init(base + "_alpha", alpha.reshape(-1, 1, 1))], [node["name"]], base)
    return shape


@handles("Relu")
def relu(cv, node, ins):
    shape = cv.shape(node, ins[0])
    cv.emit("Relu", [cv.t(ins[0])], [node["name"]], cv.uid("relu"))
    return shape


@handles("Sigmoid")
def sigmoid(cv, node, ins):
    shape = cv.shape(node, ins[0])
    cv.emit("Sigmoid", [cv.t(ins[0])], [node["name"]], cv.uid("sigmoid"))
    return shape


@handles("AddV2")
def add(cv, node, ins):
    if len(ins) != 2:
        raise ConvertError("%s (AddV2): expected 2 inputs, got %d" % (node["name"], len(ins)))
    a, b = ins
    sa, sb = cv.shape(node, a), cv.shape(node, b)
    if sa != sb:
        raise ConvertError("%s (AddV2): shape mismatch %s + %s (NCHW)" % (node["name"], list(sa), list(sb)))
    cv.emit("Add", [cv.t(a), cv.t(b)], [node["name"]], cv.uid("add"))
    return sa


@handles("Sub", "Mul")
def arith_const(cv, node, ins):
    """An activation minus / times a constant scalar or per-channel vector."""
    op = node["op"]
    if len(ins) != 2 or ins[1] not in cv.weights:
        raise ConvertError("%s (%s): only an activation %s a constant is supported"
                           % (node["name"], op, "minus" if op == "Sub" else "times"))
    shape = cv.shape(node, ins[0])
    c = cv.const(node, ins[1])
    if c.size == 1:
        c_onnx = c.reshape([]).astype(np.float32)
    elif len(shape) == 4 and c.shape in ((1, 1, 1, shape[1]), (shape[1],)):
        c_onnx = c.reshape(1, -1, 1, 1).astype(np.float32)  # NHWC channel axis -> NCHW axis 1
    else:
        raise ConvertError("%s (%s): unsupported broadcast constant shape %s for input %s (NCHW)"
                           % (node["name"], op, list(c.shape), list(shape)))
    base = cv.uid(op.lower())
    cv.emit(op, [cv.t(ins[0]), cv.add_init(base + "_c", c_onnx)], [node["name"]], base)
    return shape


@handles("MaxPool")
def max_pool(cv, node, ins):
    name = node["name"]
    s = _nhwc_attrs(node)
    ksize = attr_list_i(node, "ksize")
    if not ksize or len(ksize) != 4 or ksize[0] != 1 or ksize[3] != 1:
        raise ConvertError("%s (MaxPool): unsupported ksize %s (want [1,kh,kw,1])" % (name, ksize))
    kh, kw = ksize[1], ksize[2]
    n, c, h, w = cv.shape(node, ins[0])
    pads, h_out, w_out = _spatial_pads(node, h, w, kh, kw, s)
    # ONNX MaxPool, like TF, never takes a padded cell as the maximum.
    cv.emit("MaxPool", [cv.t(ins[0])], [name], cv.uid("maxpool"), kernel_shape=[kh, kw], strides=[s, s], pads=pads)
    return (n, c, h_out, w_out)


@handles("Pad")
def pad(cv, node, ins):
    name = node["name"]
    p = np.asarray(cv.const(node, ins[1]))
    shape = cv.shape(node, ins[0])
    if p.shape != (4, 2) or len(shape) != 4 or (p < 0).any():
        raise ConvertError("%s (Pad): paddings %s for input %s: want non-negative [4,2] on an NHWC tensor"
                           % (name, p.tolist(), list(shape)))
    if p[0].any():
        raise ConvertError("%s (Pad): padding the batch axis is not supported" % name)
    # NHWC axes (0, 1, 2, 3) are NCHW axes (0, 2, 3, 1); ONNX wants all begins, then all ends.
    nchw = p[[0, 3, 1, 2]]
    pads = np.concatenate([nchw[:, 0], nchw[:, 1]]).astype(np.int64)
    base = cv.uid("pad")
    cv.emit("Pad", [cv.t(ins[0]), cv.add_init(base + "_pads", pads)], [name], base, mode="constant")
    n, c, h, w = shape
    return (n, c + int(nchw[1].sum()), h + int(nchw[2].sum()), w + int(nchw[3].sum()))


@handles("ResizeBilinear")
def resize_bilinear(cv, node, ins):
    name = node["name"]
    if attr_b(node, "align_corners") or not attr_b(node, "half_pixel_centers"):
        raise ConvertError("%s (ResizeBilinear): only half_pixel_centers without align_corners is supported" % name)
    size = np.asarray(cv.const(node, ins[1])).reshape(-1)
    n, c, h, w = cv.shape(node, ins[0])
    if size.shape != (2,) or size[0] % h or size[1] % w:
        raise ConvertError("%s (ResizeBilinear): size %s from %dx%d is not an integer up-scaling"
                           % (name, size.tolist(), h, w))
    fh, fw = float(size[0] // h), float(size[1] // w)
    base = cv.uid("resize")
    roi = cv.add_init(base + "_roi", np.zeros([0], dtype=np.float32))
    scales = cv.add_init(base + "_scales", np.array([1.0, 1.0, fh, fw], dtype=np.float32))
    cv.emit("Resize", [cv.t(ins[0]), roi, scales], [name], base,
            mode="linear", coordinate_transformation_mode="half_pixel")
    return (n, c, int(size[0]), int(size[1]))


@handles("Reshape")
def reshape(cv, node, ins):
    name = node["name"]
    shape = cv.shape(node, ins[0])
    target = [int(d) for d in np.asarray(cv.const(node, ins[1])).reshape(-1)]
    # TF reshapes in NHWC order. NCHW has the same element order only when the spatial
    # size is 1x1 (as at the FaceMesh heads); elsewhere a transpose would be needed.
    if len(shape) == 4 and shape[2] * shape[3] != 1:
        raise ConvertError("%s (Reshape): reshaping a %dx%d map would need a transpose to NHWC order; "
                           "cut the graph before it" % (name, shape[2], shape[3]))
    total = int(np.prod(shape))
    known = int(np.prod([d for d in target if d != -1])) if target else 1
    if target.count(-1) > 1 or known == 0 or total % known or (-1 not in target and known != total):
        raise ConvertError("%s (Reshape): cannot reshape %s to %s" % (name, list(shape), target))
    out = tuple(total // known if d == -1 else d for d in target)
    base = cv.uid("reshape")
    cv.emit("Reshape", [cv.t(ins[0]), cv.add_init(base + "_shape", np.array(target, dtype=np.int64))], [name], base)
    return out


# --------------------------------------------------------------------------- command line

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--graph", choices=sorted(GRAPHS), help="which graph (default: the --json file's name)")
    ap.add_argument("--json", required=True, help="TF.js model.json (e.g. blazeface.json)")
    ap.add_argument("--bin", required=True, help="TF.js weights (e.g. blazeface.bin)")
    ap.add_argument("--out", required=True, help="ONNX file to write")
    args = ap.parse_args(argv)
    graph = args.graph or os.path.basename(args.json)[:-len(".json")]
    if graph not in GRAPHS:
        print("convert_tfjs.py: no graph spec for %s: pass --graph (one of %s)" % (args.json, ", ".join(sorted(GRAPHS))),
              file=sys.stderr)
        return 2
    start = time.time()
    try:
        nodes, weights = load_tfjs(args.json, args.bin)
        model = build_onnx(nodes, weights, GRAPHS[graph])
        data = model.SerializeToString(deterministic=True)
    except ConvertError as e:
        print("convert_tfjs.py: %s: %s" % (graph, e), file=sys.stderr)
        return 1
    tmp = args.out + ".part"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, args.out)
    print("convert_tfjs.py: wrote %s (%s, %d bytes, %d nodes, %d initializers, %.2f s)" % (
        args.out, graph, len(data), len(model.graph.node), len(model.graph.initializer), time.time() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
