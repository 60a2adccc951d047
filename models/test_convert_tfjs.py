#!/usr/bin/python3
"""Unit tests of convert_tfjs.py: every op handler on tiny graphs, its refusals, and the three
real graphs when the package is cached.

Each op test builds a small TF.js graph (node dicts as in model.json, constants as numpy
arrays), converts it, evaluates the ONNX with onnx_numpy.py (ONNX semantics, NCHW) and compares
with tfsem.py (TF semantics, NHWC) on random inputs.

Run: /usr/bin/python3 -m unittest discover -s models -p 'test_*.py'   (`make test` does)
Needs Debian's python3-numpy and python3-onnx.
"""

import base64
import hashlib
import os
import sys
import tarfile
import tempfile
import time
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import convert_tfjs as ct  # noqa: E402
import onnx_numpy  # noqa: E402
import tfsem  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


# --------------------------------------------------------------------------- building TF.js nodes

def _b64(s):
    return base64.b64encode(s.encode()).decode()


def tf_node(name, op, inputs=(), **attrs):
    """A node as model.json has it. Attribute values: str -> s, bool -> b,
    list of int -> list.i (as strings, like the TF.js converter), list of str -> list.s."""
    a = {}
    for k, v in attrs.items():
        if isinstance(v, bool):
            a[k] = {"b": v}
        elif isinstance(v, str):
            a[k] = {"s": _b64(v)}
        elif isinstance(v, (list, tuple)) and all(isinstance(x, int) for x in v):
            a[k] = {"list": {"i": [str(x) for x in v]}}
        elif isinstance(v, (list, tuple)):
            a[k] = {"list": {"s": [_b64(x) for x in v]}}
        else:
            raise TypeError(k)
    return {"name": name, "op": op, "input": list(inputs), "attr": a}


def placeholder(name, nhwc):
    return {"name": name, "op": "Placeholder",
            "attr": {"shape": {"shape": {"dim": [{"size": str(d)} for d in nhwc]}}}}


class Graph:
    """A tiny TF.js graph under construction: nodes, constants, one NHWC input `x`."""

    def __init__(self, h, w, c, seed=0):
        self.rng = np.random.default_rng(seed)
        self.nhwc = (1, h, w, c)
        self.nodes = [placeholder("x", self.nhwc)]
        self.weights = {}

    def const(self, name, value):
        value = np.asarray(value)
        self.weights[name] = value.astype(np.int32 if value.dtype.kind in "iu" else np.float32)
        self.nodes.append({"name": name, "op": "Const", "input": []})
        return name

    def rand(self, name, shape, scale=0.5):
        return self.const(name, self.rng.normal(0, scale, shape))

    def add(self, name, op, inputs, **attrs):
        self.nodes.append(tf_node(name, op, inputs, **attrs))
        return name

    def spec(self, head, shape):
        n, h, w, c = self.nhwc
        return ct.GraphSpec(name="test", graph_name="test", doc="test", tf_input="x",
                            input_shape=(n, c, h, w), heads=[ct.Head("y", head, shape)])

    def convert(self, head, shape):
        return ct.build_onnx(self.nodes, self.weights, self.spec(head, shape))


def conv_attrs(stride=1, padding="SAME", fused=None):
    a = dict(strides=[1, stride, stride, 1], padding=padding, dilations=[1, 1, 1, 1], data_format="NHWC")
    if fused is not None:
        a["fused_ops"] = fused
    return a


def nchw(a):
    return a.transpose(0, 3, 1, 2) if a.ndim == 4 else a


class OpTestCase(unittest.TestCase):

    def check(self, g, head, shape, atol=1e-4):
        """Converts g cut at `head`, checks it is valid ONNX, evaluates both sides on a random
        input, compares. Returns the ONNX model."""
        model = g.convert(head, shape)
        data = model.SerializeToString(deterministic=True)
        self.assertEqual(data, g.convert(head, shape).SerializeToString(deterministic=True),
                         "conversion is not deterministic")
        import onnx
        onnx.checker.check_model(model)
        x = g.rng.normal(0, 1, g.nhwc)
        ref = tfsem.run_graph(g.nodes, g.weights, {"x": x}, [head])[head]
        got = onnx_numpy.run(model, {"input": nchw(x)})["y"]
        self.assertEqual(tuple(got.shape), tuple(shape))
        np.testing.assert_allclose(got, nchw(ref), atol=atol, rtol=1e-5, err_msg="ONNX differs from TF at %s" % head)
        return model

    def node(self, model, op_type):
        found = [n for n in model.graph.node if n.op_type == op_type]
        self.assertTrue(found, "no %s node in the ONNX graph" % op_type)
        return found[0]

    def attr(self, node, name):
        from onnx import helper
        for a in node.attribute:
            if a.name == name:
                return helper.get_attribute_value(a)
        self.fail("%s has no attribute %s" % (node.name, name))

    def refuses(self, g, head, shape, *words):
        with self.assertRaises(ct.ConvertError) as cm:
            g.convert(head, shape)
        for w in words:
            self.assertIn(w, str(cm.exception))
        return str(cm.exception)


# --------------------------------------------------------------------------- convolutions

class ConvTest(OpTestCase):

    def test_fused_conv_bias(self):
        g = Graph(6, 6, 3)
        g.add("y", "_FusedConv2D", ["x", g.rand("w", (3, 3, 3, 4)), g.rand("b", (4,))], **conv_attrs(fused=["BiasAdd"]))
        self.check(g, "y", (1, 4, 6, 6))

    def test_fused_conv_relu(self):
        g = Graph(6, 6, 3)
        g.add("y", "_FusedConv2D", ["x", g.rand("w", (1, 1, 3, 5)), g.rand("b", (5,))],
              **conv_attrs(padding="VALID", fused=["BiasAdd", "Relu"]))
        m = self.check(g, "y", (1, 5, 6, 6))
        self.node(m, "Relu")

    def test_fused_conv_relu6_is_clip_with_bound_inputs(self):
        g = Graph(6, 6, 3)
        # a large scale so that both ends of 0..6 are reached
        g.add("y", "_FusedConv2D", ["x", g.rand("w", (3, 3, 3, 4), 3.0), g.rand("b", (4,))],
              **conv_attrs(fused=["BiasAdd", "Relu6"]))
        m = self.check(g, "y", (1, 4, 6, 6))  # the ONNX checker passes it as opset 11
        clip = self.node(m, "Clip")
        self.assertEqual(len(clip.input), 3)
        self.assertEqual(list(clip.attribute), [])
        from onnx import numpy_helper
        bounds = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
        self.assertEqual((bounds[clip.input[1]].shape, float(bounds[clip.input[1]]), float(bounds[clip.input[2]])), ((), 0.0, 6.0))

    def test_fused_conv_prelu_alpha_is_the_slope(self):
        g = Graph(6, 6, 3)
        # Named .../Neg like the FaceMesh constants, holding alpha itself with mixed signs.
        alpha = g.const("p_re_lu_1/Neg", np.array([[[0.25, -0.5, 1.5, -1.25]]]))
        g.add("y", "_FusedConv2D", ["x", g.rand("w", (3, 3, 3, 4)), g.rand("b", (4,)), alpha],
              **conv_attrs(stride=2, fused=["BiasAdd", "Prelu"]))
        m = self.check(g, "y", (1, 4, 3, 3))
        prelu = self.node(m, "PRelu")
        slope = [t for t in m.graph.initializer if t.name == prelu.input[1]][0]
        self.assertEqual(list(slope.dims), [4, 1, 1])
        from onnx import numpy_helper
        np.testing.assert_array_equal(numpy_helper.to_array(slope).reshape(-1), [0.25, -0.5, 1.5, -1.25])

    def test_same_stride2_puts_the_extra_pixel_at_the_end(self):
        # 8 -> 4 with a 3x3 kernel: TF pads 0 before, 1 after (on each axis).
        g = Graph(8, 8, 2)
        g.add("y", "_FusedConv2D", ["x", g.rand("w", (3, 3, 2, 3)), g.rand("b", (3,))],
              **conv_attrs(stride=2, fused=["BiasAdd"]))
        m = self.check(g, "y", (1, 3, 4, 4))
        # ONNX's SAME_UPPER.
        self.assertEqual(self.attr(self.node(m, "Conv"), "auto_pad"), b"SAME_UPPER")
        # The same model with the pixel at the start (a SAME_LOWER-style mistake) is wrong.
        from onnx import helper
        conv = self.node(m, "Conv")
        keep = [a for a in conv.attribute if a.name != "auto_pad"]
        del conv.attribute[:]
        conv.attribute.extend(keep + [helper.make_attribute("pads", [1, 1, 0, 0])])
        x = g.rng.normal(0, 1, g.nhwc)
        ref = nchw(tfsem.run_graph(g.nodes, g.weights, {"x": x}, ["y"])["y"])
        wrong = onnx_numpy.run(m, {"input": nchw(x)})["y"]
        self.assertGreater(np.abs(wrong - ref).max(), 1e-2, "the evaluator cannot tell the pads apart")

    def test_same_stride2_non_square_and_odd(self):
        # H 7 -> 4 pads (1, 1); W 8 -> 4 pads (0, 1).
        g = Graph(7, 8, 2)
        g.add("y", "_FusedConv2D", ["x", g.rand("w", (3, 3, 2, 3)), g.rand("b", (3,))],
              **conv_attrs(stride=2, fused=["BiasAdd"]))
        m = self.check(g, "y", (1, 3, 4, 4))
        self.assertEqual(self.attr(self.node(m, "Conv"), "auto_pad"), b"SAME_UPPER")

    def test_depthwise(self):
        g = Graph(6, 6, 4)
        g.add("y", "DepthwiseConv2dNative", ["x", g.rand("w", (3, 3, 4, 1))], **conv_attrs())
        m = self.check(g, "y", (1, 4, 6, 6))
        conv = self.node(m, "Conv")
        self.assertEqual(self.attr(conv, "group"), 4)
        self.assertEqual(len(conv.input), 2)  # no bias

    def test_depthwise_stride2_same(self):
        g = Graph(8, 8, 4)
        g.add("y", "DepthwiseConv2dNative", ["x", g.rand("w", (3, 3, 4, 1))], **conv_attrs(stride=2))
        m = self.check(g, "y", (1, 4, 4, 4))
        self.assertEqual(self.attr(self.node(m, "Conv"), "auto_pad"), b"SAME_UPPER")

    def test_fused_depthwise_relu6(self):
        g = Graph(6, 6, 4)
        g.add("y", "FusedDepthwiseConv2dNative", ["x", g.rand("w", (3, 3, 4, 1), 2.0), g.rand("b", (4,))],
              **conv_attrs(fused=["BiasAdd", "Relu6"]))
        self.check(g, "y", (1, 4, 6, 6))

    def test_refuses_wrong_filter_channels(self):
        g = Graph(6, 6, 3)
        g.add("conv_bad", "_FusedConv2D", ["x", g.rand("w", (3, 3, 4, 4)), g.rand("b", (4,))],
              **conv_attrs(fused=["BiasAdd"]))
        self.refuses(g, "conv_bad", (1, 4, 6, 6), "conv_bad", "in-channels")

    def test_refuses_wrong_bias(self):
        g = Graph(6, 6, 3)
        g.add("conv_bias", "_FusedConv2D", ["x", g.rand("w", (3, 3, 3, 4)), g.rand("b", (5,))],
              **conv_attrs(fused=["BiasAdd"]))
        self.refuses(g, "conv_bias", (1, 4, 6, 6), "conv_bias", "bias")

    def test_refuses_depthwise_multiplier(self):
        g = Graph(6, 6, 3)
        g.add("dw", "DepthwiseConv2dNative", ["x", g.rand("w", (3, 3, 3, 2))], **conv_attrs())
        self.refuses(g, "dw", (1, 6, 6, 6), "dw", "multiplier")

    def test_refuses_unsupported_fusion_and_strides(self):
        g = Graph(6, 6, 3)
        g.add("c1", "_FusedConv2D", ["x", g.rand("w", (3, 3, 3, 4)), g.rand("b", (4,))],
              **conv_attrs(fused=["BiasAdd", "Elu"]))
        self.refuses(g, "c1", (1, 4, 6, 6), "c1", "Elu")
        g = Graph(6, 6, 3)
        a = conv_attrs(fused=["BiasAdd"])
        a["strides"] = [1, 2, 1, 1]
        g.add("c2", "_FusedConv2D", ["x", g.rand("w", (3, 3, 3, 4)), g.rand("b", (4,))], **a)
        self.refuses(g, "c2", (1, 4, 3, 6), "c2", "strides")

    def test_refuses_prelu_alpha_of_wrong_size(self):
        g = Graph(6, 6, 3)
        g.add("cp", "_FusedConv2D", ["x", g.rand("w", (3, 3, 3, 4)), g.rand("b", (4,)), g.rand("a", (1, 1, 3))],
              **conv_attrs(fused=["BiasAdd", "Prelu"]))
        self.refuses(g, "cp", (1, 4, 6, 6), "cp", "alpha")


# --------------------------------------------------------------------------- the other ops

class OtherOpsTest(OpTestCase):

    def test_max_pool_same_odd_input(self):
        # 5 -> 3 with 2x2/2: TF pads one cell at the end, which never wins even for negatives.
        g = Graph(5, 5, 3)
        g.add("neg", "Sub", ["x", g.const("ten", 10.0)])
        g.add("y", "MaxPool", ["neg"], ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME", data_format="NHWC")
        m = self.check(g, "y", (1, 3, 3, 3))
        self.assertEqual(self.attr(self.node(m, "MaxPool"), "pads"), [0, 0, 1, 1])

    def test_max_pool_valid(self):
        g = Graph(6, 5, 2)
        g.add("y", "MaxPool", ["x"], ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID", data_format="NHWC")
        m = self.check(g, "y", (1, 2, 3, 2))
        self.assertEqual(self.attr(self.node(m, "MaxPool"), "pads"), [0, 0, 0, 0])

    def test_pad_channels(self):
        # BlazeFace / FaceMesh shortcut branches: NHWC axis 3 is NCHW axis 1.
        g = Graph(4, 4, 3)
        g.add("y", "Pad", ["x", g.const("paddings", [[0, 0], [0, 0], [0, 0], [0, 5]])])
        m = self.check(g, "y", (1, 8, 4, 4))
        pad = self.node(m, "Pad")
        pads = [t for t in m.graph.initializer if t.name == pad.input[1]][0]
        from onnx import numpy_helper
        self.assertEqual(numpy_helper.to_array(pads).tolist(), [0, 0, 0, 0, 0, 5, 0, 0])

    def test_pad_spatial(self):
        g = Graph(4, 5, 2)
        g.add("y", "Pad", ["x", g.const("paddings", [[0, 0], [1, 2], [0, 3], [1, 0]])])
        self.check(g, "y", (1, 3, 7, 8))

    def test_pad_refuses_batch(self):
        g = Graph(4, 4, 2)
        g.add("padb", "Pad", ["x", g.const("paddings", [[1, 0], [0, 0], [0, 0], [0, 0]])])
        self.refuses(g, "padb", (2, 2, 4, 4), "padb", "batch")

    def test_add_relu_sigmoid(self):
        g = Graph(4, 4, 3)
        g.add("r", "Relu", ["x"])
        g.add("s", "Sigmoid", ["x"])
        g.add("y", "AddV2", ["r", "s"])
        m = self.check(g, "y", (1, 3, 4, 4))
        self.node(m, "Add")

    def test_add_refuses_shape_mismatch(self):
        g = Graph(4, 4, 3)
        g.add("p", "MaxPool", ["x"], ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID", data_format="NHWC")
        g.add("sum", "AddV2", ["x", "p"])
        self.refuses(g, "sum", (1, 3, 4, 4), "sum", "mismatch")

    def test_prelu_standalone_mixed_signs(self):
        g = Graph(4, 4, 4)
        g.add("y", "Prelu", ["x", g.const("p_re_lu_2/Neg", [[[0.2, -0.7, 1.1, -0.05]]])])
        self.check(g, "y", (1, 4, 4, 4))

    def test_prelu_refuses_wrong_alpha(self):
        g = Graph(4, 4, 4)
        g.add("pr", "Prelu", ["x", g.rand("a", (4, 4, 4))])
        self.refuses(g, "pr", (1, 4, 4, 4), "pr", "alpha")

    def test_sub_mul_constants(self):
        # MoveNet's normalisation: (x - per-channel) * scalar - scalar.
        g = Graph(4, 4, 3)
        g.add("a", "Sub", ["x", g.const("mean", [[[[0.5, -1.0, 2.0]]]])])
        g.add("b", "Mul", ["a", g.const("scale", 0.0078125)])
        g.add("c", "Mul", ["b", g.const("per", [1.0, 2.0, 3.0])])
        g.add("y", "Sub", ["c", g.const("one", [1.0])])
        self.check(g, "y", (1, 3, 4, 4))

    def test_sub_refuses_two_activations(self):
        g = Graph(4, 4, 3)
        g.add("r", "Relu", ["x"])
        g.add("diff", "Sub", ["x", "r"])
        self.refuses(g, "diff", (1, 3, 4, 4), "diff", "constant")

    def test_resize_bilinear_half_pixel(self):
        g = Graph(3, 4, 2)
        g.add("y", "ResizeBilinear", ["x", g.const("size", [6, 8])], align_corners=False, half_pixel_centers=True)
        self.check(g, "y", (1, 2, 6, 8))

    def test_resize_refuses_align_corners(self):
        g = Graph(3, 3, 2)
        g.add("rs", "ResizeBilinear", ["x", g.const("size", [6, 6])], align_corners=True, half_pixel_centers=False)
        self.refuses(g, "rs", (1, 2, 6, 6), "rs", "half_pixel")

    def test_reshape_at_one_by_one(self):
        # FaceMesh's heads: a 3x3 VALID conv to 1x1, then Reshape [-1, C].
        g = Graph(3, 3, 4)
        g.add("c", "_FusedConv2D", ["x", g.rand("w", (3, 3, 4, 6)), g.rand("b", (6,))],
              **conv_attrs(stride=3, padding="VALID", fused=["BiasAdd"]))
        g.add("y", "Reshape", ["c", g.const("shape", [-1, 6])])
        self.check(g, "y", (1, 6))

    def test_reshape_refuses_a_map(self):
        # NHWC and NCHW orders differ for a 2x2 map: refused, not silently reordered.
        g = Graph(2, 2, 3)
        g.add("flat", "Reshape", ["x", g.const("shape", [1, 12])])
        self.refuses(g, "flat", (1, 12), "flat", "transpose")


# --------------------------------------------------------------------------- refusals

class FreeSizeTest(OpTestCase):

    def graph(self):
        g = Graph(8, 8, 3)
        g.add("c1", "_FusedConv2D", ["x", g.rand("k1", (3, 3, 3, 4)), g.rand("b1", (4,))],
              **conv_attrs(stride=2, fused=["BiasAdd"]))
        g.add("c2", "_FusedConv2D", ["c1", g.rand("k2", (3, 3, 4, 2)), g.rand("b2", (2,))],
              **conv_attrs(stride=2, fused=["BiasAdd"]))
        return g

    def convert(self, g, free, head="c2", shape=(1, 2, 2, 2)):
        spec = g.spec(head, shape)
        spec.free_size = free
        return ct.build_onnx(g.nodes, g.weights, spec)

    def dims(self, value_info):
        return [d.dim_value or d.dim_param for d in value_info.type.tensor_type.shape.dim]

    def test_free_size_names_height_and_width(self):
        model = self.convert(self.graph(), True)
        import onnx
        onnx.checker.check_model(model, full_check=True)
        self.assertEqual(self.dims(model.graph.input[0]), [1, 3, "height", "width"])
        self.assertEqual(self.dims(model.graph.output[0]), [1, 2, "height/4", "width/4"])
        fixed = self.convert(self.graph(), False)
        self.assertEqual(self.dims(fixed.graph.input[0]), [1, 3, 8, 8])

    def test_free_size_graph_runs_at_another_size(self):
        # Traced at 8x8, run at 16x24: the same as the TF graph at that size.
        g = self.graph()
        model = self.convert(g, True)
        x = g.rng.normal(0, 1, (1, 16, 24, 3))
        ref = tfsem.run_graph(g.nodes, g.weights, {"x": x}, ["c2"])["c2"]
        got = onnx_numpy.run(model, {"input": nchw(x)})["y"]
        self.assertEqual(got.shape, (1, 2, 4, 6))
        np.testing.assert_allclose(got, nchw(ref), atol=1e-4, rtol=1e-5)

    def test_free_size_refuses_a_map_that_does_not_follow_the_input(self):
        # A 4-D head must be the input over one stride on both axes to have its size named.
        g = self.graph()
        spec = g.spec("c2", (1, 2, 2, 2))
        spec.free_size = True
        cv = ct.Converter(g.nodes, g.weights, spec)
        self.assertEqual(cv.file_shape((1, 2, 8, 8)), [1, 2, "height", "width"])
        for shape in ((1, 2, 2, 4), (1, 2, 3, 3)):
            with self.assertRaises(ct.ConvertError) as cm:
                cv.file_shape(shape)
            self.assertIn("not the input 8x8 over one stride", str(cm.exception))


class RefusalTest(OpTestCase):

    def test_unknown_op_names_the_node(self):
        g = Graph(4, 4, 3)
        g.add("head/Tanh", "Tanh", ["x"])
        msg = self.refuses(g, "head/Tanh", (1, 3, 4, 4), "head/Tanh", "Tanh", "not supported")
        self.assertIn("_FusedConv2D", msg)  # lists what is supported

    def test_head_shape_mismatch(self):
        g = Graph(4, 4, 3)
        g.add("r", "Relu", ["x"])
        self.refuses(g, "r", (1, 3, 8, 8), "head y", "r", "[1, 3, 4, 4]")

    def test_missing_head(self):
        g = Graph(4, 4, 3)
        self.refuses(g, "nowhere", (1, 3, 4, 4), "nowhere", "not found")

    def test_missing_input_node(self):
        g = Graph(4, 4, 3)
        g.add("r", "Relu", ["ghost"])
        self.refuses(g, "r", (1, 3, 4, 4), "r", "ghost")

    def test_placeholder_behind_the_input(self):
        # The spec starts at `x` but the head also needs another placeholder.
        g = Graph(4, 4, 3)
        g.nodes.append(placeholder("other", (1, 4, 4, 3)))
        g.add("sum", "AddV2", ["x", "other"])
        self.refuses(g, "sum", (1, 3, 4, 4), "other", "placeholder")

    def test_input_shape_must_match_the_placeholder(self):
        g = Graph(4, 4, 3)
        g.add("r", "Relu", ["x"])
        spec = g.spec("r", (1, 3, 4, 4))
        spec.input_shape = (1, 3, 5, 5)
        with self.assertRaises(ct.ConvertError) as cm:
            ct.build_onnx(g.nodes, g.weights, spec)
        self.assertIn("input x", str(cm.exception))


# --------------------------------------------------------------------------- the real graphs

def package_tgz():
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "posturewatch", "npm", "vladmandic-human-3.3.6.tgz")


@unittest.skipUnless(os.path.exists(package_tgz()), "package not cached: run `make models`")
class RealGraphsTest(unittest.TestCase):
    """The committed digests (MoveNet's must never change) and, on a small random input,
    the whole converted graph evaluated in numpy against the TF graph."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        with tarfile.open(package_tgz()) as tar:
            for g in ct.GRAPHS:
                for ext in ("json", "bin"):
                    member = tar.getmember("package/models/%s.%s" % (g, ext))
                    member.name = "%s.%s" % (g, ext)
                    tar.extract(member, cls.tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def load(self, g):
        return ct.load_tfjs(os.path.join(self.tmp.name, g + ".json"), os.path.join(self.tmp.name, g + ".bin"))

    def test_digests(self):
        report = []
        for g, spec in sorted(ct.GRAPHS.items()):
            nodes, weights = self.load(g)
            start = time.time()
            data = ct.build_onnx(nodes, weights, spec).SerializeToString(deterministic=True)
            took = time.time() - start
            with open(os.path.join(HERE, g + ".onnx.sha256")) as f:
                want = f.read().split()[0]
            self.assertEqual(hashlib.sha256(data).hexdigest(), want,
                             "%s: the converter no longer reproduces %s.onnx.sha256" % (g, g))
            report.append("%s %d bytes in %.2f s" % (g, len(data), took))
        print("\n  converted: " + "; ".join(report), file=sys.stderr)

    def test_face_graphs_match_tf_semantics(self):
        # MoveNet's whole graph takes about a minute in numpy; the TF.js check covers it.
        # BlazeFace is also run on a 16:9 frame's 256x160 canvas, as the live path feeds it.
        for g, size in (("blazeface", None), ("blazeface", (160, 256)), ("facemesh", None)):
            spec = ct.GRAPHS[g]
            nodes, weights = self.load(g)
            model = ct.build_onnx(nodes, weights, spec)
            n, c, h, w = spec.input_shape
            if size:
                h, w = size
            x = np.random.default_rng(1).uniform(-1 if g == "blazeface" else 0, 1, (n, h, w, c))
            heads = [hd.tf_node for hd in spec.heads]
            ref = tfsem.run_graph(nodes, weights, {spec.tf_input: x}, heads)
            got = onnx_numpy.run(model, {"input": nchw(x)})
            for hd in spec.heads:
                r = nchw(ref[hd.tf_node])
                scale = max(1.0, float(np.abs(r).max()))
                np.testing.assert_allclose(got[hd.onnx_name], r, atol=1e-6 * scale, rtol=0,
                                           err_msg="%s head %s" % (g, hd.onnx_name))


if __name__ == "__main__":
    unittest.main()
