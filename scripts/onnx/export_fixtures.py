#!/usr/bin/python3
"""ONNX fixtures written by a writer that is not ours (PyTorch's exporter), with independent truth.

Run with Debian's Python (apt: python3-torch python3-torchvision python3-onnx; no internet needed):

    /usr/bin/python3 scripts/onnx/export_fixtures.py            # into ~/.cache/cnn-lens/onnx-fixtures/v1/
    CNN_LENS_ONNX_FIXTURES=/some/dir /usr/bin/python3 scripts/onnx/export_fixtures.py
    /usr/bin/python3 scripts/onnx/export_fixtures.py --force    # regenerate everything

The cache lives outside the repository and is never committed. For each fixture F it writes
  F.onnx              the model as the exporter wrote it (plus F.onnx.data for the external-data copy)
  F.all-outputs.onnx  the same graph with every node output also a graph output (types from
                      onnx.shape_inference), so onnxruntime reports every intermediate shape
                      (fixtures whose graph equals another's, e.g. the fp16 and external copies of
                      resnet18, point at that one's copy instead: `allOutputs` in F.json)
  F.json              the truth, computed here in Python without CNN Lens:
                        torch's parameter and buffer counts, MACs counted with forward hooks in
                        torchvision's convention (conv and linear multiplies, bias excluded),
                        every initializer and Constant tensor (dtype, dims, elements, bytes, role),
                        the parameter and byte sums by the counting rule below, every node with
                        its outputs, and the shapes onnx.shape_inference gives each value
and index.json (the list) and stamp.json (this script's sha256 and the library versions). A run
with a fresh stamp and every file present does nothing and takes well under a second.

Counting rule (which tensors are parameters; the tests read `totals` and `tensors[].role`):
  role 'weight'  a constant in a weight slot: Conv/ConvTranspose inputs 1-2 (W, B), Gemm 1-2 (B, C;
                 A too if constant), MatMul either side, BatchNormalization 1-4 (scale, bias, mean,
                 var), InstanceNormalization / LayerNormalization 1-2, PRelu 1 (slope), and
                 Add/Sub/Mul/Div operands with more than one element (a learned per-channel
                 tensor). A DequantizeLinear, Cast or Identity whose output lands in a weight slot
                 passes the role on to its data input (input 0): an int8 weight counts as int8.
  role 'quant'   DequantizeLinear / QuantizeLinear scales and zero points: quantisation metadata.
  role 'other'   everything else: int64 shape / axes / index tensors the analysis folds, Clip's
                 scalar bounds, Pad's pads, Resize's scales, scalar operands of element-wise ops.
  params = elements of 'weight' tensors; weightBytes = their bytes, by dtype.
"""

import argparse
import contextlib
import copy
import fcntl
import hashlib
import json
import os
import sys
import tempfile
import time

SCRIPT = os.path.abspath(__file__)
FORMAT_VERSION = 'v1'


def cache_dir():
    env = os.environ.get('CNN_LENS_ONNX_FIXTURES')
    if env:
        return os.path.abspath(env)
    return os.path.join(os.path.expanduser('~'), '.cache', 'cnn-lens', 'onnx-fixtures', FORMAT_VERSION)


def script_hash():
    with open(SCRIPT, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def need_modules():
    missing = []
    for mod in ('numpy', 'torch', 'torchvision', 'onnx'):
        try:
            __import__(mod)
        except Exception as e:  # ImportError, or a broken install
            missing.append(f'{mod} ({e.__class__.__name__}: {e})')
    if missing:
        sys.stderr.write('export_fixtures.py needs ' + ', '.join(missing) +
                         '\nInstall Debian\'s packages: sudo apt-get install python3-torch python3-torchvision python3-onnx\n')
        sys.exit(3)


# --------------------------------------------------------------------------------------------
# Fixture definitions. Each returns an onnx.ModelProto plus torch facts (or None for models
# built with onnx.helper), written by `export`.

INPUT = (1, 3, 224, 224)
DEFAULT_OPSET = 13

# name: (torchvision builder, kwargs, opset). Opsets vary on purpose (9, 11, 13, 17: Clip's bounds
# as attributes or inputs, Dropout forms, Flatten/Gemm forms); all in the reader's 7-21 range.
TORCHVISION = {
    'resnet18': ('resnet18', {}, 13),
    'resnet50': ('resnet50', {}, 13),
    'mobilenet_v2': ('mobilenet_v2', {}, 13),
    'vgg16': ('vgg16', {}, 13),
    'alexnet': ('alexnet', {}, 11),
    'googlenet': ('googlenet', {'aux_logits': False, 'init_weights': True}, 17),
    'squeezenet1_0': ('squeezenet1_0', {}, 9),
}
# Built as torchvision initialises it (zero biases, BN γ=1 β=0, mean 0, var 1): equal tensors that
# the exporter stores once and shares through Identity nodes. The other fixtures are made look
# trained (randomise_like_trained), so every torch tensor is one initializer.
AS_INITIALISED = {'squeezenet1_0_shared': 'squeezenet1_0'}


def randomise_like_trained(model):
    """Seeded values where torchvision's init leaves constants (zero biases, BN γ=1, β=0, mean 0,
    var 1), as trained weights would have: then no two tensors are equal and the exporter's
    initializer de-duplication does not merge any (it does for untrained models: see
    squeezenet1_0_shared)."""
    import torch
    g = torch.Generator().manual_seed(2)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                m.weight.copy_(0.5 + torch.rand(m.weight.shape, generator=g))
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=g))
                m.running_mean.copy_(0.1 * torch.randn(m.running_mean.shape, generator=g))
                m.running_var.copy_(0.5 + torch.rand(m.running_var.shape, generator=g))
            elif getattr(m, 'bias', None) is not None and isinstance(m.bias, torch.nn.Parameter):
                m.bias.copy_(0.01 * torch.randn(m.bias.shape, generator=g))


def torch_facts(model, example):
    """Parameter and buffer counts, and MACs counted with forward hooks (torchvision's convention:
    conv N·Cout·(Cin/g)·kh·kw·Hout·Wout, linear N·in·out; bias, BN, activations, pooling, adds not
    counted; the same rule as torchvision's `_ops` metadata)."""
    import torch
    macs = {'conv': 0, 'linear': 0}
    per_module = []

    def conv_hook(m, inp, out):
        k = 1
        for d in m.kernel_size:
            k *= d
        n = out.numel() * (m.in_channels // m.groups) * k
        macs['conv'] += n
        per_module.append({'module': m._cnn_lens_name, 'kind': type(m).__name__, 'macs': int(n), 'output': list(out.shape)})

    def linear_hook(m, inp, out):
        n = out.numel() * m.in_features
        macs['linear'] += n
        per_module.append({'module': m._cnn_lens_name, 'kind': 'Linear', 'macs': int(n), 'output': list(out.shape)})

    hooks = []
    for name, m in model.named_modules():
        m._cnn_lens_name = name
        if isinstance(m, (torch.nn.Conv1d, torch.nn.Conv2d, torch.nn.Conv3d)):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, torch.nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))
    with torch.no_grad():
        out = model(example)
    for h in hooks:
        h.remove()
    buffers = {}
    for name, b in model.named_buffers():
        kind = name.rsplit('.', 1)[-1]
        buffers[kind] = buffers.get(kind, 0) + b.numel()
    bn_channels = sum(m.num_features for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm))
    conv_out_channels = sum(m.out_channels for m in model.modules() if isinstance(m, torch.nn.Conv2d))
    convs_with_bias = sum(1 for m in model.modules() if isinstance(m, torch.nn.Conv2d) and m.bias is not None)
    # Folding BN into the conv before it (the exporter does in eval mode) drops BN's γ and β and
    # gives a bias-less conv a bias: ONNX weights = params − 2·bnChannels + convOutChannelsNoBias.
    no_bias = sum(m.out_channels for m in model.modules() if isinstance(m, torch.nn.Conv2d) and m.bias is None)
    return {
        'params': int(sum(p.numel() for p in model.parameters())),
        'buffers': {k: int(v) for k, v in sorted(buffers.items())},
        'bnChannels': int(bn_channels),
        'convOutChannels': int(conv_out_channels),
        'conv2d': int(sum(1 for m in model.modules() if isinstance(m, torch.nn.Conv2d))),
        'conv2dWithBias': int(convs_with_bias),
        'convOutChannelsNoBias': int(no_bias),
        'macs': int(macs['conv'] + macs['linear']),
        'macsConv': int(macs['conv']),
        'macsLinear': int(macs['linear']),
        'modules': per_module,
        'outputShape': list(out.shape),
    }


def torch_export(model, example, opset, dynamic_axes=None, constant_folding=True):
    import io
    import onnx
    import torch
    buf = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(model, example, buf, opset_version=opset, input_names=['input'], output_names=['output'],
                          dynamic_axes=dynamic_axes, do_constant_folding=constant_folding,
                          training=torch.onnx.TrainingMode.EVAL)
    return onnx.load_from_string(buf.getvalue())


_BUILT = {}


def build_torchvision(name):
    """(ModelProto, torch facts, opset, torch module, example input); built once per process (callers copy before changing)."""
    if name not in _BUILT:
        _BUILT[name] = _build_torchvision(name)
    return _BUILT[name]


def _build_torchvision(name):
    import torch
    import torchvision
    builder, kwargs, opset = TORCHVISION[AS_INITIALISED.get(name, name)]
    torch.manual_seed(0)
    model = getattr(torchvision.models, builder)(weights=None, **kwargs).eval()
    if name not in AS_INITIALISED:
        randomise_like_trained(model)
    torch.manual_seed(1)
    example = torch.randn(*INPUT)
    facts = torch_facts(model, example)
    facts.update({'builder': f'torchvision.models.{builder}', 'kwargs': kwargs})
    return torch_export(model, example, opset), facts, opset, model, example


class ViewNet:
    """A small module whose x.view(x.size(0), -1) exports Shape → Gather → Unsqueeze → Concat → Reshape."""

    @staticmethod
    def make():
        import torch
        nn = torch.nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 8, 3, stride=2, padding=1)
                self.bn = nn.BatchNorm2d(8)
                self.pool = nn.MaxPool2d(2)
                self.fc = nn.Linear(8 * 8 * 8, 10)

            def forward(self, x):
                x = self.pool(torch.relu(self.bn(self.conv(x))))
                x = x.view(x.size(0), -1)
                return self.fc(x)
        return Net


# --------------------------------------------------------------------------------------------
# ONNX-side truth

WEIGHT_SLOTS = {
    'Conv': {1, 2}, 'ConvTranspose': {1, 2}, 'Gemm': {0, 1, 2}, 'MatMul': {0, 1},
    'BatchNormalization': {1, 2, 3, 4}, 'InstanceNormalization': {1, 2}, 'LayerNormalization': {1, 2},
    'PRelu': {1},
}
ELEMENTWISE = {'Add', 'Sub', 'Mul', 'Div'}
PASS_THROUGH = {'DequantizeLinear', 'Cast', 'Identity'}


def constant_tensors(model):
    """(name, TensorProto, 'initializer' | 'Constant') for every constant of the main graph."""
    from onnx import helper
    out = [(t.name, t, 'initializer') for t in model.graph.initializer]
    for n in model.graph.node:
        if n.op_type == 'Constant' and n.domain in ('', 'ai.onnx'):
            for a in n.attribute:
                if a.name == 'value':
                    out.append((n.output[0], helper.get_attribute_value(a), 'Constant'))
                elif a.name in ('value_float', 'value_int', 'value_floats', 'value_ints'):
                    import numpy as np
                    v = helper.get_attribute_value(a)
                    arr = np.array(v, dtype=np.float32 if 'float' in a.name else np.int64)
                    from onnx import numpy_helper
                    out.append((n.output[0], numpy_helper.from_array(arr, n.output[0]), 'Constant'))
    return out


def roles(model, const_names, sizes):
    """Role of each constant: 'weight', 'quant' or 'other' (see the module docstring)."""
    consumers = {}
    producer = {}
    for n in model.graph.node:
        for i, name in enumerate(n.input):
            if name:
                consumers.setdefault(name, []).append((n, i))
        for name in n.output:
            producer[name] = n
    role = {}

    def lands_in_weight_slot(value, seen=()):
        for n, i in consumers.get(value, []):
            if n.op_type in WEIGHT_SLOTS and i in WEIGHT_SLOTS[n.op_type]:
                if n.op_type in ('Gemm', 'MatMul') and i == 0 and value not in const_names and not passes_from_const(value):
                    continue
                return True
            if n.op_type in ELEMENTWISE and sizes.get(value, 0) > 1:
                return True
            if n.op_type in PASS_THROUGH and i == 0 and n.output[0] not in seen:
                if lands_in_weight_slot(n.output[0], seen + (n.output[0],)):
                    return True
        return False

    def passes_from_const(value):
        n = producer.get(value)
        return n is not None and n.op_type in PASS_THROUGH and n.input and n.input[0] in const_names

    for name in const_names:
        uses = consumers.get(name, [])
        if any(n.op_type in ('DequantizeLinear', 'QuantizeLinear') and i in (1, 2) for n, i in uses):
            role[name] = 'quant'
        elif lands_in_weight_slot(name):
            role[name] = 'weight'
        else:
            role[name] = 'other'
    return role


def dims_of(type_proto):
    t = type_proto.tensor_type
    if not t.HasField('shape'):
        return None
    return [d.dim_value if d.HasField('dim_value') else (d.dim_param or None) for d in t.shape.dim]


def onnx_truth(model, digests=False):
    import numpy as np
    import onnx
    from onnx import numpy_helper, shape_inference
    consts = constant_tensors(model)
    tensors = []
    sizes = {}
    arrays = {}
    for name, t, kind in consts:
        arr = numpy_helper.to_array(t)
        arrays[name] = arr
        sizes[name] = int(arr.size)
    role = roles(model, {c[0] for c in consts}, sizes)
    totals = {'params': 0, 'weightBytes': 0, 'weightBytesByDtype': {}, 'weightElementsByDtype': {},
              'allConstants': 0, 'allConstantBytes': 0, 'allConstantBytesByDtype': {}}
    for name, t, kind in consts:
        arr = arrays[name]
        dtype = onnx.TensorProto.DataType.Name(t.data_type).lower()
        dtype = {'float': 'float32', 'double': 'float64'}.get(dtype, dtype)
        nbytes = int(arr.nbytes)
        entry = {'name': name, 'kind': kind, 'dtype': dtype, 'dims': [int(d) for d in t.dims], 'elements': int(arr.size),
                 'bytes': nbytes, 'role': role[name]}
        if digests:
            # sha256 of the little-endian bytes as stored: what a reader of the external data file must get.
            entry['sha256'] = hashlib.sha256(arr.astype(arr.dtype.newbyteorder('<'), copy=False).tobytes()).hexdigest()
        if arr.size <= 16 and arr.dtype.kind in 'iufb':
            entry['values'] = [float(v) if arr.dtype.kind == 'f' else int(v) for v in arr.reshape(-1)]
        tensors.append(entry)
        totals['allConstants'] += int(arr.size)
        totals['allConstantBytes'] += nbytes
        totals['allConstantBytesByDtype'][dtype] = totals['allConstantBytesByDtype'].get(dtype, 0) + nbytes
        if role[name] == 'weight':
            totals['params'] += int(arr.size)
            totals['weightBytes'] += nbytes
            totals['weightBytesByDtype'][dtype] = totals['weightBytesByDtype'].get(dtype, 0) + nbytes
            totals['weightElementsByDtype'][dtype] = totals['weightElementsByDtype'].get(dtype, 0) + int(arr.size)

    inferred = shape_inference.infer_shapes(model)
    shapes = {}
    types = {}
    for vi in list(inferred.graph.value_info) + list(inferred.graph.input) + list(inferred.graph.output):
        shapes[vi.name] = dims_of(vi.type)
        types[vi.name] = vi.type.tensor_type.elem_type
    nodes = [{'name': n.name, 'op': n.op_type, 'domain': n.domain, 'inputs': list(n.input), 'outputs': list(n.output)}
             for n in model.graph.node]
    op_counts = {}
    for n in model.graph.node:
        op_counts[n.op_type] = op_counts.get(n.op_type, 0) + 1
    return {
        'opset': {(o.domain or 'ai.onnx'): o.version for o in model.opset_import},
        'producer': f'{model.producer_name} {model.producer_version}'.strip(),
        'inputs': [{'name': i.name, 'dims': dims_of(i.type), 'elemType': i.type.tensor_type.elem_type} for i in model.graph.input
                   if i.name not in {c[0] for c in consts}],
        'outputs': [{'name': o.name, 'dims': dims_of(o.type)} for o in model.graph.output],
        'tensors': tensors,
        'totals': totals,
        'nodes': nodes,
        'opCounts': dict(sorted(op_counts.items())),
        'inferredShapes': shapes,
    }, inferred, types


def all_outputs_copy(model, inferred, types):
    """The same model with every node output also a graph output, typed from shape inference."""
    from onnx import helper
    m = copy.deepcopy(model)
    have = {o.name for o in m.graph.output}
    declared = {vi.name: vi for vi in inferred.graph.value_info}
    for n in m.graph.node:
        for name in n.output:
            if not name or name in have:
                continue
            have.add(name)
            if name in declared:
                m.graph.output.append(copy.deepcopy(declared[name]))
            else:
                # No inferred type: ORT needs one; float32 with no shape is what every exporter here produces.
                m.graph.output.append(helper.make_tensor_value_info(name, types.get(name, 1) or 1, None))
    return m


# --------------------------------------------------------------------------------------------
# Variants built from exports with onnx/numpy

def to_float16(model):
    """Every float32 tensor, input, output and value_info becomes float16 (what a converter that does
    not keep I/O types writes). onnxruntime's CPU build has no float16 Conv on x86, so the fixture's
    shape truth is its float32 twin's (same graph, same names)."""
    import numpy as np
    from onnx import TensorProto, numpy_helper, helper
    m = copy.deepcopy(model)
    for i, t in enumerate(list(m.graph.initializer)):
        if t.data_type == TensorProto.FLOAT:
            m.graph.initializer[i].CopyFrom(numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float16), t.name))
    for vi in list(m.graph.input) + list(m.graph.output) + list(m.graph.value_info):
        if vi.type.tensor_type.elem_type == TensorProto.FLOAT:
            vi.type.tensor_type.elem_type = TensorProto.FLOAT16
    for n in m.graph.node:
        for a in n.attribute:
            if n.op_type == 'Cast' and a.name == 'to' and a.i == TensorProto.FLOAT:
                a.i = TensorProto.FLOAT16
            if a.type == onnx_attr_tensor() and a.t.data_type == TensorProto.FLOAT:
                a.t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(a.t).astype(np.float16), a.t.name))
    return m


def onnx_attr_tensor():
    from onnx import AttributeProto
    return AttributeProto.TENSOR


def to_constant_nodes(model):
    """Initializers become Constant nodes at the front of the graph (as paddle2onnx writes weights)."""
    from onnx import helper
    m = copy.deepcopy(model)
    inits = list(m.graph.initializer)
    names = {t.name for t in inits}
    consts = [helper.make_node('Constant', [], [t.name], name=f'const/{t.name}', value=t) for t in inits]
    del m.graph.initializer[:]
    keep_inputs = [i for i in m.graph.input if i.name not in names]
    del m.graph.input[:]
    m.graph.input.extend(keep_inputs)
    nodes = list(m.graph.node)
    del m.graph.node[:]
    m.graph.node.extend(consts + nodes)
    return m


def qdq_model():
    """A small int8 QDQ network written with onnx.helper (opset 13): int8 weights (per-tensor and
    per-channel scales), int32 biases, DequantizeLinear before every Conv/Gemm weight, QDQ pairs on
    activations. Input 1×3×32×32, output 1×10."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(0)
    inits = []

    def init(name, arr):
        inits.append(numpy_helper.from_array(arr, name))
        return name

    def qweight(prefix, shape, per_channel):
        init(f'{prefix}.weight_quantized', rng.integers(-127, 128, size=shape, dtype=np.int8))
        if per_channel:
            init(f'{prefix}.weight_scale', (rng.random(shape[0], dtype=np.float32) * 0.01 + 0.001).astype(np.float32))
            init(f'{prefix}.weight_zero_point', np.zeros(shape[0], dtype=np.int8))
        else:
            init(f'{prefix}.weight_scale', np.array(0.005, dtype=np.float32))
            init(f'{prefix}.weight_zero_point', np.array(0, dtype=np.int8))
        attrs = {'axis': 0} if per_channel else {}
        return helper.make_node('DequantizeLinear', [f'{prefix}.weight_quantized', f'{prefix}.weight_scale', f'{prefix}.weight_zero_point'],
                                [f'{prefix}.weight'], name=f'/{prefix}/weight/DequantizeLinear', **attrs)

    def qbias(prefix, n):
        init(f'{prefix}.bias_quantized', rng.integers(-1000, 1000, size=(n,), dtype=np.int32))
        init(f'{prefix}.bias_scale', np.array(0.0001, dtype=np.float32))
        return helper.make_node('DequantizeLinear', [f'{prefix}.bias_quantized', f'{prefix}.bias_scale'], [f'{prefix}.bias'],
                                name=f'/{prefix}/bias/DequantizeLinear')

    def qdq(x, tag):
        init(f'{tag}_scale', np.array(0.02, dtype=np.float32))
        init(f'{tag}_zero_point', np.array(0, dtype=np.int8))
        return [
            helper.make_node('QuantizeLinear', [x, f'{tag}_scale', f'{tag}_zero_point'], [f'{tag}_q'], name=f'/{tag}/QuantizeLinear'),
            helper.make_node('DequantizeLinear', [f'{tag}_q', f'{tag}_scale', f'{tag}_zero_point'], [f'{tag}_dq'], name=f'/{tag}/DequantizeLinear'),
        ]

    nodes = []
    nodes += qdq('input', 'input')
    nodes += [qweight('conv1', (16, 3, 3, 3), False), qbias('conv1', 16),
              helper.make_node('Conv', ['input_dq', 'conv1.weight', 'conv1.bias'], ['/conv1/Conv_output_0'], name='/conv1/Conv', pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
              helper.make_node('Relu', ['/conv1/Conv_output_0'], ['/relu1/Relu_output_0'], name='/relu1/Relu')]
    nodes += qdq('/relu1/Relu_output_0', 'act1')
    nodes += [qweight('conv2', (32, 16, 3, 3), True), qbias('conv2', 32),
              helper.make_node('Conv', ['act1_dq', 'conv2.weight', 'conv2.bias'], ['/conv2/Conv_output_0'], name='/conv2/Conv', pads=[1, 1, 1, 1], strides=[2, 2], kernel_shape=[3, 3]),
              helper.make_node('Relu', ['/conv2/Conv_output_0'], ['/relu2/Relu_output_0'], name='/relu2/Relu'),
              helper.make_node('GlobalAveragePool', ['/relu2/Relu_output_0'], ['/pool/GlobalAveragePool_output_0'], name='/pool/GlobalAveragePool'),
              helper.make_node('Flatten', ['/pool/GlobalAveragePool_output_0'], ['/Flatten_output_0'], name='/Flatten', axis=1)]
    nodes += qdq('/Flatten_output_0', 'act2')
    init('fc.bias', (rng.standard_normal(10) * 0.1).astype(np.float32))
    nodes += [qweight('fc', (10, 32), False),
              helper.make_node('Gemm', ['act2_dq', 'fc.weight', 'fc.bias'], ['output'], name='/fc/Gemm', transB=1)]
    graph = helper.make_graph(nodes, 'qdq_int8', [helper.make_tensor_value_info('input', TensorProto.FLOAT, [1, 3, 32, 32])],
                              [helper.make_tensor_value_info('output', TensorProto.FLOAT, [1, 10])], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)], producer_name='cnn-lens export_fixtures.py (onnx.helper)')
    model.ir_version = 7
    # Independent MACs for the torchvision convention, by hand: conv1 16·3·3·3 × 32·32, conv2 32·16·3·3 × 16·16, fc 32·10.
    facts = {'builder': 'onnx.helper', 'macs': 16 * 27 * 32 * 32 + 32 * 16 * 9 * 16 * 16 + 32 * 10, 'outputShape': [1, 10]}
    return model, facts


# --------------------------------------------------------------------------------------------

def write_atomic(path, data):
    d = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(dir=d, prefix='.tmp-', suffix=os.path.basename(path))
    with os.fdopen(fd, 'wb') as f:
        f.write(data)
    os.replace(tmp, path)


def save_model(model, path, external=None):
    import onnx
    if external:
        # Saved into a temporary folder first (onnx writes the data file next to the model), then moved.
        tmpdir = tempfile.mkdtemp(dir=os.path.dirname(path), prefix='.tmp-ext-')
        tmp = os.path.join(tmpdir, os.path.basename(path))
        onnx.save_model(model, tmp, save_as_external_data=True, all_tensors_to_one_file=True, location=external, size_threshold=1024)
        os.replace(os.path.join(tmpdir, external), os.path.join(os.path.dirname(path), external))
        os.replace(tmp, path)
        os.rmdir(tmpdir)
    else:
        write_atomic(path, model.SerializeToString())


def fixture_list():
    return list(TORCHVISION) + list(AS_INITIALISED) + ['resnet18_dynamic', 'view_reshape', 'resnet18_fp16', 'qdq_int8', 'resnet18_external', 'mobilenet_v2_constants']


def make(name, out, log):
    """Writes name.onnx (+ data), name.all-outputs.onnx where it has its own, and name.json."""
    import onnx
    import torch
    facts = None
    all_outputs_of = name
    notes = []
    external = None
    macs_from = 'torch forward hooks (conv, linear)'
    if name in TORCHVISION:
        model, facts, opset, _, _ = build_torchvision(name)
    elif name in AS_INITIALISED:
        model, facts, opset, _, _ = build_torchvision(name)
        notes.append('squeezenet1_0 as torchvision initialises it: its equal zero biases are stored once and shared through Identity nodes by the exporter')
    elif name == 'resnet18_dynamic':
        _, facts, opset, tm, example = build_torchvision('resnet18')
        facts = dict(facts)
        model = torch_export(tm, example, 13, dynamic_axes={'input': {0: 'batch'}, 'output': {0: 'batch'}})
        torch.manual_seed(1)
        facts['batch4'] = torch_facts(tm, torch.randn(4, 3, 224, 224))['macs']
        notes.append("torchvision resnet18 exported with dynamic_axes: input and output dim 0 is the symbolic 'batch'")
    elif name == 'view_reshape':
        Net = ViewNet.make()
        torch.manual_seed(0)
        tm = Net().eval()
        randomise_like_trained(tm)
        torch.manual_seed(1)
        example = torch.randn(1, 3, 32, 32)
        facts = torch_facts(tm, example)
        facts['builder'] = 'ViewNet (conv-bn-relu-maxpool, x.view(x.size(0), -1), linear)'
        # Dynamic batch keeps the exporter from folding x.size(0) away: Shape→Gather→Unsqueeze→Concat→Reshape stays.
        model = torch_export(tm, example, 13, dynamic_axes={'input': {0: 'batch'}, 'output': {0: 'batch'}})
        notes.append('x.view(x.size(0), -1) with a dynamic batch: the Reshape target is computed by Shape/Gather/Unsqueeze/Concat')
    elif name == 'resnet18_fp16':
        base, facts, opset, _, _ = build_torchvision('resnet18')
        model = to_float16(base)
        facts = dict(facts)
        all_outputs_of = 'resnet18'
        notes.append('resnet18 with every float32 tensor converted to float16 by onnx/numpy; shapes are resnet18\'s (ORT CPU has no fp16 Conv)')
    elif name == 'qdq_int8':
        model, facts = qdq_model()
        macs_from = 'counted by hand from the construction (conv1, conv2, fc)'
    elif name == 'resnet18_external':
        model, facts, opset, _, _ = build_torchvision('resnet18')
        model = copy.deepcopy(model)  # saving as external data changes the proto in place
        facts = dict(facts)
        external = 'resnet18_external.onnx.data'
        all_outputs_of = 'resnet18'
        notes.append("resnet18 saved with save_as_external_data=True, location='resnet18_external.onnx.data' (tensors over 1 KiB)")
    elif name == 'mobilenet_v2_constants':
        base, facts, opset, _, _ = build_torchvision('mobilenet_v2')
        model = to_constant_nodes(base)
        facts = dict(facts)
        notes.append('mobilenet_v2 with every initializer turned into a Constant node (as paddle2onnx writes weights)')
    else:
        raise ValueError(name)

    onnx.checker.check_model(model)
    truth, inferred, types = onnx_truth(model, digests=external is not None)
    if all_outputs_of == name:
        save_model(all_outputs_copy(model, inferred, types), os.path.join(out, f'{name}.all-outputs.onnx'))
    save_model(model, os.path.join(out, f'{name}.onnx'), external)
    if external:
        # onnx.save_model moved the tensors out in place: record where each one went, as written.
        placed = {t.name: {e.key: e.value for e in t.external_data} for t in model.graph.initializer
                  if t.data_location == onnx.TensorProto.EXTERNAL}
        for entry in truth['tensors']:
            if entry['name'] in placed:
                where = placed[entry['name']]
                entry['external'] = {'location': where['location'], 'offset': int(where.get('offset', 0)), 'length': int(where['length'])}
    truth.update({
        'name': name,
        'file': f'{name}.onnx',
        'externalData': external,
        'allOutputs': f'{all_outputs_of}.all-outputs.onnx',
        'inputShape': next((i['dims'] for i in truth['inputs']), None),
        'torch': facts,
        'macsFrom': macs_from,
        'notes': notes,
        'versions': versions(),
    })
    write_atomic(os.path.join(out, f'{name}.json'), (json.dumps(truth, indent=1) + '\n').encode())
    t = truth['totals']
    log(f'{name}: {len(truth["nodes"])} nodes, {t["params"]:,} params ({t["allConstants"]:,} constant elements), torch {facts.get("params", "-")} params, {facts["macs"]:,} MACs')


def versions():
    import numpy
    import onnx
    import torch
    import torchvision
    return {'torch': torch.__version__, 'torchvision': torchvision.__version__, 'onnx': onnx.__version__, 'numpy': numpy.__version__}


def fixture_files(out, name):
    files = [f'{name}.onnx', f'{name}.json']
    if name not in ('resnet18_fp16', 'resnet18_external'):
        files.append(f'{name}.all-outputs.onnx')
    if name == 'resnet18_external':
        files.append('resnet18_external.onnx.data')
    return [os.path.join(out, f) for f in files]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--force', action='store_true', help='regenerate every fixture')
    parser.add_argument('--only', nargs='*', help='only these fixtures (for development; the stamp is not written)')
    parser.add_argument('--quiet', action='store_true')
    args = parser.parse_args()
    out = cache_dir()
    os.makedirs(out, exist_ok=True)
    log = (lambda s: None) if args.quiet else (lambda s: print(f'[onnx-fixtures] {s}', flush=True))
    digest = script_hash()
    stamp_path = os.path.join(out, 'stamp.json')
    names = args.only or fixture_list()

    def fresh():
        try:
            with open(stamp_path) as f:
                stamp = json.load(f)
        except (OSError, ValueError):
            return False
        return stamp.get('script') == digest and all(os.path.exists(p) for n in names for p in fixture_files(out, n))

    if not args.force and not args.only and fresh():
        log(f'fresh: {out}')
        return
    need_modules()
    with open(os.path.join(out, '.lock'), 'w') as lockf:
        fcntl.flock(lockf, fcntl.LOCK_EX)  # another process may be generating: wait for it, then look again
        if not args.force and not args.only and fresh():
            log(f'fresh (made by another process): {out}')
            return
        import torch
        torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
        started = time.time()
        # A stale stamp means this script changed: everything is regenerated.
        with contextlib.suppress(FileNotFoundError):
            if not args.only:
                os.remove(stamp_path)
        for name in names:
            t0 = time.time()
            make(name, out, log)
            log(f'  {name} in {time.time() - t0:.1f} s')
        if not args.only:
            index = {'fixtures': fixture_list(), 'script': digest, 'versions': versions(), 'seconds': round(time.time() - started, 1)}
            write_atomic(os.path.join(out, 'index.json'), (json.dumps(index, indent=1) + '\n').encode())
            write_atomic(stamp_path, (json.dumps({'script': digest, 'versions': versions()}) + '\n').encode())
        log(f'wrote {len(names)} fixtures to {out} in {time.time() - started:.1f} s')


if __name__ == '__main__':
    main()
