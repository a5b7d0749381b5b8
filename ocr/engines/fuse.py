"""Fold the PP-OCRv4 models' per-layer scalar affines and hard-swish chains into fewer ONNX Runtime kernels.

The PP-OCRv4 detection and recognition models (PP-LCNetV3 backbones, exported by paddle2onnx) follow every
convolution with a learnable scalar affine, a hard-swish spelt out as ``x * Clip(x + 3, 0, 6) / 6`` and a
second scalar affine: seven element-wise passes over each feature map, plus two NCHWc layout reorders, around
each convolution. ONNX Runtime fuses none of them (opset 12 has no HardSwish; its Conv+Mul fusion does not take
a scalar on the left). On the CPU the element-wise kernels took 44 % of recognition and the reorders 10 %.

``fuse_model`` rewrites the graph, in memory and at load time, into the same function with fewer kernels:

- ``Conv → Mul(s) → Add(a)`` becomes one Conv with weights ``s·W`` and bias ``s·b + a``;
- ``Add(3) → Clip(0, 6) → Mul(x) → Div(6)`` becomes ``HardSigmoid(α=1/6, β=½) → Mul(x)``;
- ``Mul(s) → Add(a)`` right before a 1×1 convolution without padding (group 1) is folded into its weights and
  bias (``s·W``, ``b + a·ΣW``); before a padded convolution it cannot be (the zero padding would change), so
  there the pair becomes one 1×1 depthwise convolution (weight ``s``, bias ``a`` per channel): ONNX Runtime runs
  that in its blocked NCHWc layout, where the scalar ``Mul`` and ``Add`` each needed a pass of their own and a
  layout reorder on either side (13 pairs in the recogniser, 10 in the detector: −5 % recognition time).

Every rewrite is exact in real arithmetic; in float32 only the rounding order changes. Anything that does
not match a pattern exactly (other constants, a value used twice, a graph output) is left alone, so another
model passes through unchanged. The ONNX protobuf is read and written at the wire level (the ``onnx`` package
is not a dependency): unknown fields are copied through byte for byte.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import numpy as np

# ONNX field numbers (onnx.proto)
_MODEL_GRAPH = 7
_GRAPH_NODE, _GRAPH_INITIALIZER, _GRAPH_OUTPUT = 1, 5, 12
_NODE_INPUT, _NODE_OUTPUT, _NODE_NAME, _NODE_OP, _NODE_ATTR = 1, 2, 3, 4, 5
_ATTR_NAME, _ATTR_F, _ATTR_I, _ATTR_T, _ATTR_INTS, _ATTR_TYPE = 1, 2, 3, 5, 8, 20
_ATTR_FLOAT, _ATTR_INT, _ATTR_INTS_TYPE = 1, 2, 7
_TENSOR_DIMS, _TENSOR_TYPE, _TENSOR_FLOATS, _TENSOR_NAME, _TENSOR_RAW = 1, 2, 4, 8, 9
_FLOAT = 1
_VALUE_INFO_NAME = 1


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    out = shift = 0
    while True:
        c = buf[i]
        i += 1
        out |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return out, i


def _fields(buf: bytes) -> list[tuple[int, int, object]]:
    """(field number, wire type, value) in order; varints as ints, everything else as bytes."""
    out: list[tuple[int, int, object]] = []
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 1:
            value, i = buf[i : i + 8], i + 8
        elif wire == 5:
            value, i = buf[i : i + 4], i + 4
        elif wire == 2:
            n, i = _varint(buf, i)
            value, i = buf[i : i + n], i + n
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        out.append((num, wire, value))
    return out


def _enc_varint(n: int) -> bytes:
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _encode(items: list[tuple[int, int, object]]) -> bytes:
    out = bytearray()
    for num, wire, value in items:
        out += _enc_varint(num << 3 | wire)
        if wire == 0:
            out += _enc_varint(int(value))  # type: ignore[call-overload]
        elif wire == 2:
            out += _enc_varint(len(value)) + value  # type: ignore[arg-type, operator]
        else:
            out += value  # type: ignore[arg-type]
    return bytes(out)


@dataclass
class _Node:
    op: str
    inputs: list[str]
    outputs: list[str]
    name: str = ""
    rest: list[tuple[int, int, object]] = field(default_factory=list)
    """Attributes, domain and doc string, as read."""

    @classmethod
    def parse(cls, buf: bytes) -> _Node:
        node = cls("", [], [])
        for num, wire, value in _fields(buf):
            if num == _NODE_INPUT:
                node.inputs.append(value.decode())  # type: ignore[attr-defined]
            elif num == _NODE_OUTPUT:
                node.outputs.append(value.decode())  # type: ignore[attr-defined]
            elif num == _NODE_NAME:
                node.name = value.decode()  # type: ignore[attr-defined]
            elif num == _NODE_OP:
                node.op = value.decode()  # type: ignore[attr-defined]
            else:
                node.rest.append((num, wire, value))
        return node

    def encode(self) -> bytes:
        items: list[tuple[int, int, object]] = [(_NODE_INPUT, 2, s.encode()) for s in self.inputs]
        items += [(_NODE_OUTPUT, 2, s.encode()) for s in self.outputs]
        if self.name:
            items.append((_NODE_NAME, 2, self.name.encode()))
        items.append((_NODE_OP, 2, self.op.encode()))
        return _encode(items + self.rest)

    def attributes(self) -> dict[str, list[tuple[int, int, object]]]:
        out = {}
        for num, _, value in self.rest:
            if num == _NODE_ATTR:
                attr = _fields(value)  # type: ignore[arg-type]
                name = next((v.decode() for n, _, v in attr if n == _ATTR_NAME), "")  # type: ignore[attr-defined]
                out[name] = attr
        return out

    def ints(self, name: str) -> list[int] | None:
        attr = self.attributes().get(name)
        if attr is None:
            return None
        vals: list[int] = []
        for num, wire, value in attr:
            if num == _ATTR_INTS:
                if wire == 0:
                    vals.append(int(value))  # type: ignore[call-overload]
                else:  # packed
                    i = 0
                    while i < len(value):  # type: ignore[arg-type]
                        v, i = _varint(value, i)  # type: ignore[arg-type]
                        vals.append(v)
            elif num == _ATTR_I:
                vals.append(int(value))  # type: ignore[call-overload]
        return vals


def _float_attr(name: str, value: float) -> tuple[int, int, object]:
    attr = _encode(
        [(_ATTR_NAME, 2, name.encode()), (_ATTR_F, 5, struct.pack("<f", value)), (_ATTR_TYPE, 0, _ATTR_FLOAT)]
    )
    return (_NODE_ATTR, 2, attr)


def _int_attr(name: str, value: int) -> tuple[int, int, object]:
    attr = _encode([(_ATTR_NAME, 2, name.encode()), (_ATTR_I, 0, value), (_ATTR_TYPE, 0, _ATTR_INT)])
    return (_NODE_ATTR, 2, attr)


def _ints_attr(name: str, values: list[int]) -> tuple[int, int, object]:
    items: list[tuple[int, int, object]] = [(_ATTR_NAME, 2, name.encode())]
    items += [(_ATTR_INTS, 0, v) for v in values] + [(_ATTR_TYPE, 0, _ATTR_INTS_TYPE)]
    return (_NODE_ATTR, 2, _encode(items))


def _tensor(buf: bytes) -> tuple[str, np.ndarray] | None:
    """A float32 TensorProto as (name, array); ``None`` for other types or external data."""
    dims: list[int] = []
    name, dtype, raw, floats = "", None, None, None
    for num, wire, value in _fields(buf):
        if num == _TENSOR_DIMS:
            if wire == 0:
                dims.append(int(value))  # type: ignore[call-overload]
            else:
                i = 0
                while i < len(value):  # type: ignore[arg-type]
                    v, i = _varint(value, i)  # type: ignore[arg-type]
                    dims.append(v)
        elif num == _TENSOR_TYPE:
            dtype = value
        elif num == _TENSOR_NAME:
            name = value.decode()  # type: ignore[attr-defined]
        elif num == _TENSOR_RAW:
            raw = value
        elif num == _TENSOR_FLOATS:
            floats = (floats or b"") + (value if wire == 2 else value)  # type: ignore[operator]
    if dtype != _FLOAT:
        return None
    data = raw if raw is not None else floats
    if data is None:
        data = b""
    arr = np.frombuffer(data, dtype="<f4").astype(np.float32)
    if arr.size != int(np.prod(dims, dtype=np.int64)):
        return None
    return name, arr.reshape(dims)


def _tensor_proto(name: str, arr: np.ndarray) -> bytes:
    arr = np.ascontiguousarray(arr, dtype="<f4")
    items: list[tuple[int, int, object]] = [(_TENSOR_DIMS, 0, int(d)) for d in arr.shape]
    items += [(_TENSOR_TYPE, 0, _FLOAT), (_TENSOR_NAME, 2, name.encode()), (_TENSOR_RAW, 2, arr.tobytes())]
    return _encode(items)


@dataclass
class FuseReport:
    affines_into_conv: int = 0
    hard_swishes: int = 0
    affines_into_next_conv: int = 0
    affines_as_pointwise: int = 0

    @property
    def total(self) -> int:
        return self.affines_into_conv + self.hard_swishes + self.affines_into_next_conv + self.affines_as_pointwise


def fuse_model(model: bytes) -> tuple[bytes, FuseReport]:
    """The model with the patterns above rewritten, and what was rewritten (the input when nothing matched)."""
    top = _fields(model)
    gi = next((k for k, (num, wire, _) in enumerate(top) if num == _MODEL_GRAPH and wire == 2), None)
    if gi is None:
        return model, FuseReport()
    graph = _fields(top[gi][2])  # type: ignore[arg-type]
    nodes = [_Node.parse(v) for num, _, v in graph if num == _GRAPH_NODE]  # type: ignore[arg-type]
    consts: dict[str, np.ndarray] = {}
    for num, _, v in graph:
        if num == _GRAPH_INITIALIZER:
            t = _tensor(v)  # type: ignore[arg-type]
            if t is not None:
                consts[t[0]] = t[1]
    for n in nodes:
        if n.op == "Constant" and len(n.outputs) == 1:
            attr = n.attributes().get("value")
            t = next((_tensor(v) for num, _, v in attr if num == _ATTR_T), None) if attr else None  # type: ignore
            if t is not None:
                consts[n.outputs[0]] = t[1]
    graph_outputs = set()
    for num, _, v in graph:
        if num == _GRAPH_OUTPUT:
            graph_outputs.update(x.decode() for n2, _, x in _fields(v) if n2 == _VALUE_INFO_NAME)  # type: ignore
    rewriter = _Rewriter(nodes, consts, graph_outputs)
    report = rewriter.run()
    if report.total == 0:
        return model, report
    new_graph = []
    node_iter = iter(rewriter.nodes)
    placed = False
    for num, wire, v in graph:
        if num == _GRAPH_NODE:
            if not placed:
                new_graph += [(_GRAPH_NODE, 2, n.encode()) for n in node_iter]
                placed = True
            continue
        new_graph.append((num, wire, v))
    new_graph += [(_GRAPH_INITIALIZER, 2, _tensor_proto(name, arr)) for name, arr in rewriter.new_consts.items()]
    top[gi] = (_MODEL_GRAPH, 2, _encode(new_graph))
    return _encode(top), report


class _Rewriter:
    def __init__(self, nodes: list[_Node], consts: dict[str, np.ndarray], graph_outputs: set[str]) -> None:
        self.nodes = nodes
        self.consts = consts
        self.graph_outputs = graph_outputs
        self.new_consts: dict[str, np.ndarray] = {}
        self._serial = 0

    def _users(self) -> dict[str, list[_Node]]:
        users: dict[str, list[_Node]] = {}
        for n in self.nodes:
            for x in n.inputs:
                users.setdefault(x, []).append(n)
        return users

    def _only_user(self, users, name: str) -> _Node | None:
        got = users.get(name, [])
        return got[0] if len(got) == 1 and name not in self.graph_outputs else None

    def _scalar(self, name: str) -> float | None:
        arr = self.consts.get(name)
        return float(arr.reshape(-1)[0]) if arr is not None and arr.size == 1 else None

    def _scalar_operand(self, node: _Node, value: str) -> float | None:
        """The constant scalar that ``node`` (a binary op) combines with ``value``."""
        if len(node.inputs) != 2 or value not in node.inputs:
            return None
        other = node.inputs[1] if node.inputs[0] == value else node.inputs[0]
        return self._scalar(other)

    def _const(self, base: str, arr: np.ndarray) -> str:
        self._serial += 1
        name = f"{base}.fused{self._serial}"
        self.new_consts[name] = arr.astype(np.float32)
        self.consts[name] = self.new_consts[name]
        return name

    def _conv_weights(self, conv: _Node) -> tuple[np.ndarray, np.ndarray] | None:
        if len(conv.inputs) < 2 or conv.inputs[1] not in self.consts:
            return None
        w = self.consts[conv.inputs[1]]
        if w.ndim != 4:
            return None
        if len(conv.inputs) >= 3 and conv.inputs[2]:
            b = self.consts.get(conv.inputs[2])
            if b is None or b.shape != (w.shape[0],):
                return None
        else:
            b = np.zeros(w.shape[0], np.float32)
        return w, b

    def _set_conv(self, conv: _Node, w: np.ndarray, b: np.ndarray) -> None:
        base = conv.name or conv.outputs[0]
        conv.inputs = [conv.inputs[0], self._const(base + ".w", w), self._const(base + ".b", b)]

    def run(self) -> FuseReport:
        report = FuseReport()
        report.affines_into_conv = self._affine_into_conv()
        report.hard_swishes = self._hard_swish()
        report.affines_into_next_conv = self._affine_into_next_conv()
        report.affines_as_pointwise = self._affine_as_pointwise_conv()
        if report.total:  # drop the weights replaced by folded copies
            users = self._users()
            self.nodes = [
                n
                for n in self.nodes
                if n.op != "Constant" or any(o in users or o in self.graph_outputs for o in n.outputs)
            ]
            self.new_consts = {k: v for k, v in self.new_consts.items() if k in users}
        return report

    def _affine_into_conv(self) -> int:
        done = 0
        users = self._users()
        drop: set[int] = set()
        for conv in self.nodes:
            if conv.op != "Conv" or len(conv.outputs) != 1:
                continue
            mul = self._only_user(users, conv.outputs[0])
            if mul is None or mul.op != "Mul" or id(mul) in drop:
                continue
            scale = self._scalar_operand(mul, conv.outputs[0])
            add = self._only_user(users, mul.outputs[0])
            if scale is None or add is None or add.op != "Add" or id(add) in drop:
                continue
            shift = self._scalar_operand(add, mul.outputs[0])
            wb = self._conv_weights(conv)
            if shift is None or wb is None:
                continue
            w, b = wb
            self._set_conv(conv, w * np.float32(scale), b * np.float32(scale) + np.float32(shift))
            conv.outputs = [add.outputs[0]]
            drop.update((id(mul), id(add)))
            done += 1
        self.nodes = [n for n in self.nodes if id(n) not in drop]
        return done

    def _hard_swish(self) -> int:
        done = 0
        users = self._users()
        replaced: dict[int, list[_Node]] = {}
        drop: set[int] = set()
        for add in self.nodes:
            if add.op != "Add" or len(add.inputs) != 2 or id(add) in drop:
                continue
            x = next((v for v in add.inputs if self._scalar_operand(add, v) == 3.0), None)
            if x is None:
                continue
            clip = self._only_user(users, add.outputs[0])
            if (
                clip is None
                or clip.op != "Clip"
                or len(clip.inputs) != 3
                or clip.inputs[0] != add.outputs[0]
                or self._scalar(clip.inputs[1]) != 0.0
                or self._scalar(clip.inputs[2]) != 6.0
            ):
                continue
            mul = self._only_user(users, clip.outputs[0])
            if mul is None or mul.op != "Mul" or sorted(mul.inputs) != sorted([x, clip.outputs[0]]):
                continue
            div = self._only_user(users, mul.outputs[0])
            if div is None or div.op != "Div" or div.inputs[0] != mul.outputs[0] or self._scalar(div.inputs[1]) != 6.0:
                continue
            gate = f"{div.outputs[0]}.gate"
            sig = _Node(
                "HardSigmoid",
                [x],
                [gate],
                f"{div.outputs[0]}.hardsigmoid",
                [_float_attr("alpha", 1.0 / 6.0), _float_attr("beta", 0.5)],
            )
            prod = _Node("Mul", [x, gate], [div.outputs[0]], f"{div.outputs[0]}.mul")
            replaced[id(add)] = [sig, prod]
            drop.update((id(clip), id(mul), id(div)))
            done += 1
        out = []
        for n in self.nodes:
            if id(n) in replaced:
                out.extend(replaced[id(n)])
            elif id(n) not in drop:
                out.append(n)
        self.nodes = out
        return done

    def _affine_into_next_conv(self) -> int:
        done = 0
        users = self._users()
        drop: set[int] = set()
        for mul in self.nodes:
            if mul.op != "Mul" or len(mul.inputs) != 2 or id(mul) in drop:
                continue
            x = next((v for v in mul.inputs if self._scalar_operand(mul, v) is not None and v not in self.consts), None)
            if x is None:
                continue
            scale = self._scalar_operand(mul, x)
            add = self._only_user(users, mul.outputs[0])
            if add is None or add.op != "Add" or id(add) in drop:
                continue
            shift = self._scalar_operand(add, mul.outputs[0])
            conv = self._only_user(users, add.outputs[0])
            if shift is None or conv is None or conv.op != "Conv" or conv.inputs[0] != add.outputs[0]:
                continue
            wb = self._conv_weights(conv)
            if wb is None or not _pointwise(conv, wb[0]):
                continue
            w, b = wb
            self._set_conv(conv, w * np.float32(scale), b + np.float32(shift) * w.sum(axis=(1, 2, 3)))
            conv.inputs[0] = x
            drop.update((id(mul), id(add)))
            done += 1
        self.nodes = [n for n in self.nodes if id(n) not in drop]
        return done

    def _affine_as_pointwise_conv(self) -> int:
        """``Mul(s) → Add(a)`` still in front of a convolution (a padded one, which cannot absorb it) → one
        1×1 depthwise Conv computing ``s·x + a`` per channel; the channel count is the convolution's input's."""
        done = 0
        users = self._users()
        replaced: dict[int, _Node] = {}
        drop: set[int] = set()
        for mul in self.nodes:
            if mul.op != "Mul" or len(mul.inputs) != 2:
                continue
            x = next((v for v in mul.inputs if self._scalar_operand(mul, v) is not None and v not in self.consts), None)
            if x is None:
                continue
            scale = self._scalar_operand(mul, x)
            add = self._only_user(users, mul.outputs[0])
            if add is None or add.op != "Add":
                continue
            shift = self._scalar_operand(add, mul.outputs[0])
            conv = self._only_user(users, add.outputs[0])
            if scale is None or shift is None or conv is None or conv.op != "Conv" or conv.inputs[0] != add.outputs[0]:
                continue
            wb = self._conv_weights(conv)
            if wb is None:
                continue
            channels = int(wb[0].shape[1]) * int((conv.ints("group") or [1])[0])
            out = add.outputs[0]
            weight = self._const(out + ".w", np.full((channels, 1, 1, 1), scale, np.float32))
            bias = self._const(out + ".b", np.full(channels, shift, np.float32))
            replaced[id(mul)] = _Node(
                "Conv",
                [x, weight, bias],
                [out],
                f"{out}.affine",
                [_int_attr("group", channels), _ints_attr("kernel_shape", [1, 1])],
            )
            drop.add(id(add))
            done += 1
        self.nodes = [replaced.get(id(n), n) for n in self.nodes if id(n) not in drop]
        return done


def _pointwise(conv: _Node, w: np.ndarray) -> bool:
    """A 1×1, stride-free-of-padding, group-1 convolution: a constant added to its input shifts every output
    by the same amount, exactly."""
    if w.shape[2:] != (1, 1):
        return False
    group = conv.ints("group")
    if group not in (None, [1]):
        return False
    pads = conv.ints("pads")
    if pads is not None and any(pads):
        return False
    auto_pad = conv.attributes().get("auto_pad")
    if auto_pad is not None:
        value = next((v for n, _, v in auto_pad if n == 4), b"NOTSET")
        if value not in (b"NOTSET", b"VALID"):
            return False
    return True
