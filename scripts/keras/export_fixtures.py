#!/usr/bin/python3
"""Keras whole-model fixtures (.h5 and .keras) written by writers that are not ours: h5py and zipfile.

Run with Debian's Python (apt: python3-h5py; Keras and TensorFlow are not needed, nor installed):

    /usr/bin/python3 scripts/keras/export_fixtures.py            # into ~/.cache/cnn-lens/keras-fixtures/v1/
    CNN_LENS_KERAS_FIXTURES=/some/dir /usr/bin/python3 scripts/keras/export_fixtures.py
    /usr/bin/python3 scripts/keras/export_fixtures.py --force    # regenerate everything

The files follow the layouts Keras itself writes, with seeded random weights:
  Keras 2 `model.save('m.h5')`  root attributes model_config (the model's JSON, as bytes),
      keras_version, backend; /model_weights with attributes layer_names, backend, keras_version;
      one group per layer with attribute weight_names (an empty float64 array for layers without
      weights, as Keras's save_attributes_to_hdf5_group writes it) and datasets
      /model_weights/<layer>/<layer>/<weight>:0 in the order Keras creates the variables.
  Keras 2 `model.save_weights('w.h5')`  the same layer groups at the root, no model_config.
  Keras 1 `model.save('m.h5')`  Keras 1 layer configs (nb_filter, border_mode, output_dim) and
      weights named <layer>_W / <layer>_b directly in the layer's group.
  Keras 3 `model.save('m.keras')`  a zip of metadata.json, config.json (module / class_name /
      config / registered_name per layer, inbound_nodes as {args, kwargs} holding __keras_tensor__
      objects with their keras_history; shapes are left null: Keras 3 writes them, no reader needs
      them) and model.weights.h5 (/layers/<class in snake_case, numbered per class>/vars/<i>).
The architectures are the zoo's own JSON (models/mobilenet_v1.json, models/mobilenet_v2.json) and
small hand-written configs. The truth, computed here without CNN Lens, is in index.json: for every
file, h5py's sum of the sizes of the weight datasets it stores (and per layer), the layer names,
and for the bad files the reason a reader must give. For the oracle test, each MobileNet's weights
are also written as a TF.js weights manifest + .bin (same values, read back from the HDF5 file by
h5py), which tfjs-layers loads with the zoo's JSON without any of CNN Lens's readers.
stamp.json holds this script's sha256; a run with a fresh stamp and every file present does nothing.
"""

import argparse
import contextlib
import fcntl
import hashlib
import io
import json
import os
import struct
import sys
import tempfile
import time
import zipfile

SCRIPT = os.path.abspath(__file__)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(SCRIPT)))
FORMAT_VERSION = 'v1'


def cache_dir():
    env = os.environ.get('CNN_LENS_KERAS_FIXTURES')
    if env:
        return os.path.abspath(env)
    return os.path.join(os.path.expanduser('~'), '.cache', 'cnn-lens', 'keras-fixtures', FORMAT_VERSION)


def script_hash():
    with open(SCRIPT, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def need_modules():
    missing = []
    for mod in ('numpy', 'h5py'):
        try:
            __import__(mod)
        except Exception as e:
            missing.append(f'{mod} ({e.__class__.__name__}: {e})')
    if missing:
        sys.stderr.write('export_fixtures.py needs ' + ', '.join(missing) + "\nInstall Debian's packages: sudo apt-get install python3-h5py\n")
        sys.exit(3)


def write_atomic(path, data):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix='.tmp-', suffix=os.path.basename(path))
    with os.fdopen(fd, 'wb') as f:
        f.write(data)
    os.replace(tmp, path)


# --------------------------------------------------------------------------------------------
# Which variables a Keras layer creates, in creation order, from its config and its input's
# channel count (channels_last). Only the classes the fixtures use; anything else is an error.

def layer_weights(layer, cin):
    c = layer['config']
    cls = layer['class_name']
    if cls in ('Conv2D', 'Convolution2D'):
        kh, kw = c['kernel_size']
        ws = [('kernel', [kh, kw, cin // c.get('groups', 1), c['filters']])]
        if c.get('use_bias', True):
            ws.append(('bias', [c['filters']]))
        return ws, c['filters']
    if cls == 'DepthwiseConv2D':
        kh, kw = c['kernel_size']
        m = c.get('depth_multiplier', 1)
        ws = [('depthwise_kernel', [kh, kw, cin, m])]
        if c.get('use_bias', True):
            ws.append(('bias', [cin * m]))
        return ws, cin * m
    if cls == 'BatchNormalization':
        ws = []
        if c.get('scale', True):
            ws.append(('gamma', [cin]))
        if c.get('center', True):
            ws.append(('beta', [cin]))
        ws += [('moving_mean', [cin]), ('moving_variance', [cin])]
        return ws, cin
    if cls == 'Dense':
        ws = [('kernel', [cin, c['units']])]
        if c.get('use_bias', True):
            ws.append(('bias', [c['units']]))
        return ws, c['units']
    if cls == 'Reshape':
        return [], c['target_shape'][-1]
    if cls in ('ReLU', 'Activation', 'ZeroPadding2D', 'GlobalAveragePooling2D', 'Dropout', 'Add', 'MaxPooling2D', 'AveragePooling2D'):
        return [], cin
    if cls == 'MyScale':  # the custom layer of custom_layer.h5: one scale per channel
        return [('scale', [cin])], cin
    raise ValueError(f'no weight rule for {cls}')


def model_variables(model):
    """[(layer name, class, [(weight name, shape)])] in layer order, following the functional graph for channels."""
    channels = {}
    out = []
    layers = model['config']['layers']
    previous = None
    for layer in layers:
        name = layer.get('name', layer['config']['name'])
        if layer['class_name'] == 'InputLayer':
            channels[name] = layer['config']['batch_input_shape'][-1]
            out.append((name, 'InputLayer', []))
            previous = name
            continue
        inbound = layer.get('inbound_nodes')
        source = inbound[0][0][0] if inbound else previous
        cin = channels[source] if source in channels else layer['config']['batch_input_shape'][-1]
        ws, cout = layer_weights(layer, cin)
        channels[name] = cout
        out.append((name, layer['class_name'], ws))
        previous = name
    return out


def init_value(rng, weight, shape):
    """Values in the ranges trained weights have, so activations stay finite through 50 layers."""
    import numpy as np
    size = int(np.prod(shape))
    if weight in ('kernel', 'depthwise_kernel', 'W'):
        fan_in = int(np.prod(shape[:-1])) if weight != 'depthwise_kernel' else int(np.prod(shape[:2]))
        return (rng.standard_normal(size) * np.sqrt(1.0 / max(fan_in, 1))).reshape(shape).astype('float32')
    if weight == 'gamma' or weight == 'scale':
        return (1 + 0.1 * rng.standard_normal(size)).reshape(shape).astype('float32')
    if weight == 'moving_variance':
        return rng.uniform(0.5, 1.5, size).reshape(shape).astype('float32')
    return (0.1 * rng.standard_normal(size)).reshape(shape).astype('float32')


def make_values(variables, seed):
    import numpy as np
    rng = np.random.default_rng(seed)
    return [(name, cls, [(w, init_value(rng, w, shape)) for w, shape in ws]) for name, cls, ws in variables]


# --------------------------------------------------------------------------------------------
# Writers, in Keras's layouts.

def strings(names):
    import numpy as np
    # Keras: np.asarray of the utf-8 names (fixed-length bytes); an empty list stays an empty float64 array.
    return np.asarray([n.encode('utf8') for n in names]) if names else np.asarray([])


def write_keras2_layers(group, values, version):
    group.attrs['layer_names'] = strings([name for name, _, _ in values])
    group.attrs['backend'] = b'tensorflow'
    group.attrs['keras_version'] = version.encode()
    for name, _, ws in values:
        g = group.create_group(name)
        names = [f'{name}/{w}:0' for w, _ in ws] if not version.startswith('1.') else [f'{name}_{w}' for w, _ in ws]
        g.attrs['weight_names'] = strings(names)
        for wn, (_, v) in zip(names, ws):
            g.create_dataset(wn, data=v)


def write_h5(path, config, values, version='2.15.0', whole=True):
    import h5py
    tmp = path + '.tmp'
    with h5py.File(tmp, 'w') as f:
        if whole:
            f.attrs['backend'] = b'tensorflow'
            f.attrs['keras_version'] = version.encode()
            f.attrs['model_config'] = json.dumps(config).encode('utf8')
            write_keras2_layers(f.create_group('model_weights'), values, version)
            if not version.startswith('1.'):
                f['model_weights'].create_group('top_level_model_weights').attrs['weight_names'] = strings([])
        else:
            write_keras2_layers(f, values, version)
    os.replace(tmp, path)


def snake(name):
    import re
    name = re.sub(r'\W+', '', name)
    name = re.sub(r'(.)([A-Z][a-z]+)', r'\1_\2', name)
    return re.sub(r'([a-z])([A-Z])', r'\1_\2', name).lower()


def keras3_weights_h5(values):
    import h5py
    buf = io.BytesIO()
    with h5py.File(buf, 'w') as f:
        layers = f.create_group('layers')
        used = {}
        for _, cls, ws in values:
            base = snake(cls)
            n = used.get(base, -1) + 1
            used[base] = n
            key = f'{base}_{n}' if n else base
            vars_ = layers.create_group(key).create_group('vars')
            for i, (_, v) in enumerate(ws):
                vars_.create_dataset(str(i), data=v)
        f.create_group('vars')
        f.create_group('optimizer').create_group('vars')
    return buf.getvalue()


def keras3_config(model, built=None):
    """The zoo's Keras 2 functional JSON in the form Keras 3's config.json has (with build_config input shapes where `built` gives them)."""
    def tensor(ref):
        return {'class_name': '__keras_tensor__', 'config': {'shape': None, 'dtype': 'float32', 'keras_history': [ref[0], ref[1], ref[2]]}}
    layers = []
    for layer in model['config']['layers']:
        cfg = dict(layer['config'])
        if layer['class_name'] == 'InputLayer':
            cfg['batch_shape'] = cfg.pop('batch_input_shape')
            cfg.pop('ragged', None)
        calls = []
        for call in layer.get('inbound_nodes', []):
            ts = [tensor(r) for r in call]
            calls.append({'args': [ts[0]] if len(ts) == 1 else [ts], 'kwargs': {}})
        entry = {'module': 'keras.layers', 'class_name': layer['class_name'], 'config': cfg, 'registered_name': None, 'name': layer['name'], 'inbound_nodes': calls}
        if built and layer['name'] in built:
            entry['build_config'] = {'input_shape': built[layer['name']]}
        if layer['class_name'] == 'MyScale':  # a custom class: Keras 3 writes its own module and registered name
            entry.update({'module': 'my_project.layers', 'registered_name': 'MyProject>MyScale'})
        layers.append(entry)
    c = model['config']
    return {'module': 'keras.src.models.functional', 'class_name': 'Functional', 'config': {'name': c['name'], 'trainable': True, 'layers': layers, 'input_layers': c['input_layers'], 'output_layers': c['output_layers']}, 'registered_name': 'Functional'}


def zip_bytes(entries, compress=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', compress) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()


def write_keras(path, config, values):
    meta = json.dumps({'keras_version': '3.3.3', 'date_saved': '2024-05-01@12:00:00'})
    write_atomic(path, zip_bytes([('metadata.json', meta), ('config.json', json.dumps(config)), ('model.weights.h5', keras3_weights_h5(values))]))


def write_tfjs_copy(out, name, h5_path):
    """The weights of a Keras 2 .h5, read back by h5py, as a TF.js manifest (layer/weight names) + one .bin."""
    import h5py
    import numpy as np
    specs = []
    chunks = []
    with h5py.File(h5_path, 'r') as f:
        mw = f['model_weights']
        for layer in [n.decode() for n in mw.attrs['layer_names']]:
            for wn in [n.decode() for n in mw[layer].attrs['weight_names']]:
                v = np.asarray(mw[layer][wn], dtype='<f4')
                specs.append({'name': wn.replace(':0', ''), 'shape': list(v.shape), 'dtype': 'float32'})
                chunks.append(v.tobytes())
    write_atomic(os.path.join(out, f'{name}.tfjs.bin'), b''.join(chunks))
    return specs


def stored_truth(path, archive=False):
    """h5py's sums of the datasets a Keras file stores: total and per layer group."""
    import h5py
    per_layer = {}
    if archive:
        with zipfile.ZipFile(path) as z:
            data = z.read('model.weights.h5')
        f = h5py.File(io.BytesIO(data), 'r')
        root = f['layers']
    else:
        f = h5py.File(path, 'r')
        root = f['model_weights'] if 'model_weights' in f else f
    with f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                per_layer[name.split('/')[0]] = per_layer.get(name.split('/')[0], 0) + int(obj.size)
        root.visititems(visit)
    return {'params': sum(per_layer.values()), 'perLayer': per_layer}


def zoo(name):
    with open(os.path.join(ROOT, 'models', name)) as f:
        return json.load(f)


# --------------------------------------------------------------------------------------------
# Small hand-written models.

def conv(name, filters, k, inbound, **extra):
    cfg = {'name': name, 'trainable': True, 'dtype': 'float32', 'filters': filters, 'kernel_size': [k, k], 'strides': [1, 1], 'padding': 'same',
           'data_format': 'channels_last', 'dilation_rate': [1, 1], 'groups': 1, 'activation': 'relu', 'use_bias': True}
    cfg.update(extra)
    return {'class_name': 'Conv2D', 'config': cfg, 'name': name, 'inbound_nodes': [[[inbound, 0, 0, {}]]]}


def custom_model():
    """Keras 2 functional model with a custom layer class (registered in the user's code, unknown to any reader)."""
    layers = [
        {'class_name': 'InputLayer', 'config': {'batch_input_shape': [None, 32, 32, 3], 'dtype': 'float32', 'name': 'image'}, 'name': 'image', 'inbound_nodes': []},
        conv('conv_a', 8, 3, 'image'),
        {'class_name': 'MyScale', 'config': {'name': 'my_scale', 'trainable': True, 'dtype': 'float32', 'init_value': 1.0}, 'name': 'my_scale', 'inbound_nodes': [[['conv_a', 0, 0, {}]]]},
        conv('conv_b', 4, 3, 'my_scale'),
        {'class_name': 'GlobalAveragePooling2D', 'config': {'name': 'pool', 'trainable': True, 'dtype': 'float32', 'data_format': 'channels_last'}, 'name': 'pool', 'inbound_nodes': [[['conv_b', 0, 0, {}]]]},
        {'class_name': 'Dense', 'config': {'name': 'logits', 'trainable': True, 'dtype': 'float32', 'units': 10, 'activation': 'softmax', 'use_bias': True}, 'name': 'logits', 'inbound_nodes': [[['pool', 0, 0, {}]]]},
    ]
    return {'class_name': 'Functional', 'config': {'name': 'custom_net', 'layers': layers, 'input_layers': [['image', 0, 0]], 'output_layers': [['logits', 0, 0]]}}


def small_functional():
    """A small Keras 2 functional model without custom layers (the weights-only, truncated and archive fixtures)."""
    m = custom_model()
    layers = [l for l in m['config']['layers'] if l['class_name'] != 'MyScale']
    layers[2]['inbound_nodes'] = [[['conv_a', 0, 0, {}]]]
    m['config']['layers'] = layers
    m['config']['name'] = 'small_net'
    return m


def keras1_model():
    """A Keras 1.2 Sequential config as `model.save` wrote it: the config is the bare list of layers."""
    layers = [
        {'class_name': 'Convolution2D', 'config': {'name': 'convolution2d_1', 'trainable': True, 'batch_input_shape': [None, 28, 28, 1], 'input_dtype': 'float32',
                                                   'nb_filter': 8, 'nb_row': 3, 'nb_col': 3, 'init': 'glorot_uniform', 'activation': 'relu', 'border_mode': 'same',
                                                   'subsample': [1, 1], 'dim_ordering': 'tf', 'W_regularizer': None, 'b_regularizer': None, 'bias': True}},
        {'class_name': 'MaxPooling2D', 'config': {'name': 'maxpooling2d_1', 'trainable': True, 'pool_size': [2, 2], 'strides': [2, 2], 'border_mode': 'valid', 'dim_ordering': 'tf'}},
        {'class_name': 'Flatten', 'config': {'name': 'flatten_1', 'trainable': True}},
        {'class_name': 'Dense', 'config': {'name': 'dense_1', 'trainable': True, 'output_dim': 10, 'input_dim': 1568, 'init': 'glorot_uniform', 'activation': 'softmax', 'bias': True}},
    ]
    return {'class_name': 'Sequential', 'config': layers}


def keras1_values(seed):
    import numpy as np
    rng = np.random.default_rng(seed)
    f = lambda *s: (rng.standard_normal(int(np.prod(s))) * 0.1).reshape(s).astype('float32')
    return [('convolution2d_1', 'Convolution2D', [('W', f(3, 3, 1, 8)), ('b', f(8))]), ('maxpooling2d_1', 'MaxPooling2D', []),
            ('flatten_1', 'Flatten', []), ('dense_1', 'Dense', [('W', f(1568, 10)), ('b', f(10))])]


def lying_zip(entries):
    """A zip whose first entry declares 100 bytes uncompressed but inflates to far more (central directory and local header patched)."""
    data = bytearray(zip_bytes(entries))
    cd = data.rfind(b'PK\x01\x02')
    first_cd = data.find(b'PK\x01\x02')
    struct.pack_into('<I', data, first_cd + 24, 100)
    struct.pack_into('<I', data, 0 + 22, 100)  # the first local header is at 0
    assert cd >= first_cd
    return bytes(data)


# --------------------------------------------------------------------------------------------

def make_all(out, log):
    index = {'files': {}}
    def record(file, **facts):
        index['files'][file] = facts
        log(f'{file}: {json.dumps({k: v for k, v in facts.items() if k not in ("perLayer", "tfjsManifest", "layers")})[:160]}')

    for zoo_name, seed in (('mobilenet_v1', 1), ('mobilenet_v2', 2)):
        config = zoo(f'{zoo_name}.json')
        values = make_values(model_variables(config), seed)
        h5 = os.path.join(out, f'{zoo_name}.h5')
        write_h5(h5, config, values)
        specs = write_tfjs_copy(out, zoo_name, h5)
        record(f'{zoo_name}.h5', kind='keras2-h5', zoo=f'{zoo_name}.json', **stored_truth(h5), tfjsBin=f'{zoo_name}.tfjs.bin', tfjsManifest=specs)
        keras = os.path.join(out, f'{zoo_name}.keras')
        write_keras(keras, keras3_config(config), values)
        record(f'{zoo_name}.keras', kind='keras3-archive', zoo=f'{zoo_name}.json', **stored_truth(keras, archive=True))

    custom = custom_model()
    cvalues = make_values(model_variables(custom), 3)
    write_h5(os.path.join(out, 'custom_layer.h5'), custom, cvalues)
    record('custom_layer.h5', kind='keras2-h5', custom={'layer': 'my_scale', 'className': 'MyScale', 'stored': int(cvalues[2][2][0][1].size)}, **stored_truth(os.path.join(out, 'custom_layer.h5')))

    # Keras 3 records every layer's build input shape: the custom layer's output is the next layer's input.
    built = {'conv_a': [None, 32, 32, 3], 'my_scale': [None, 32, 32, 8], 'conv_b': [None, 32, 32, 8], 'pool': [None, 32, 32, 4], 'logits': [None, 4]}
    custom3 = os.path.join(out, 'custom_layer.keras')
    write_keras(custom3, keras3_config(custom, built), cvalues)
    record('custom_layer.keras', kind='keras3-archive', custom={'layer': 'my_scale', 'className': 'MyScale', 'stored': int(cvalues[2][2][0][1].size)}, **stored_truth(custom3, archive=True))

    k1 = os.path.join(out, 'keras1_sequential.h5')
    write_h5(k1, keras1_model(), keras1_values(4), version='1.2.2')
    record('keras1_sequential.h5', kind='keras2-h5', **stored_truth(k1))

    small = small_functional()
    svalues = make_values(model_variables(small), 5)
    weights_only = os.path.join(out, 'small_net.h5')
    write_h5(weights_only, small, svalues, whole=False)
    write_atomic(os.path.join(out, 'small_net.json'), json.dumps(small).encode())
    record('small_net.h5', kind='weights-only', architecture='small_net.json', **stored_truth(weights_only))
    lonely = os.path.join(out, 'lonely_weights.h5')
    write_h5(lonely, small, svalues, whole=False)
    record('lonely_weights.h5', kind='weights-only')

    whole_small = os.path.join(out, 'small_whole.h5')
    write_h5(whole_small, small, svalues)
    with open(whole_small, 'rb') as f:
        data = f.read()
    write_atomic(os.path.join(out, 'truncated.h5'), data[: len(data) * 6 // 10])
    os.remove(whole_small)
    record('truncated.h5', kind='bad', fullSize=len(data))

    small3 = keras3_config(small)
    write_atomic(os.path.join(out, 'bomb.keras'), zip_bytes([('metadata.json', '{}'), ('config.json', ' ' * (100 * 2 ** 20)), ('model.weights.h5', b'')]))
    record('bomb.keras', kind='bad', declared=100 * 2 ** 20)
    write_atomic(os.path.join(out, 'liar.keras'), lying_zip([('config.json', json.dumps(small3) + ' ' * 100000), ('metadata.json', '{}')]))
    record('liar.keras', kind='bad')
    write_atomic(os.path.join(out, 'climb.keras'), zip_bytes([('config.json', json.dumps(small3)), ('../x', 'outside')]))
    record('climb.keras', kind='bad', entry='../x')
    write_atomic(os.path.join(out, 'not_keras.keras'), zip_bytes([('readme.txt', 'hello'), ('data/values.csv', '1,2,3')]))
    record('not_keras.keras', kind='bad')
    return index


def versions():
    import h5py
    import numpy
    return {'h5py': h5py.__version__, 'hdf5': h5py.version.hdf5_version, 'numpy': numpy.__version__, 'python': sys.version.split()[0]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--force', action='store_true', help='regenerate every fixture')
    parser.add_argument('--quiet', action='store_true')
    args = parser.parse_args()
    out = cache_dir()
    os.makedirs(out, exist_ok=True)
    log = (lambda s: None) if args.quiet else (lambda s: print(f'[keras-fixtures] {s}', flush=True))
    digest = script_hash()
    stamp_path = os.path.join(out, 'stamp.json')

    def fresh():
        try:
            with open(stamp_path) as f:
                stamp = json.load(f)
            with open(os.path.join(out, 'index.json')) as f:
                index = json.load(f)
        except (OSError, ValueError):
            return False
        return stamp.get('script') == digest and all(os.path.exists(os.path.join(out, n)) for n in index['files'])

    if not args.force and fresh():
        log(f'fresh: {out}')
        return
    need_modules()
    with open(os.path.join(out, '.lock'), 'w') as lockf:
        fcntl.flock(lockf, fcntl.LOCK_EX)  # another process may be generating: wait for it, then look again
        if not args.force and fresh():
            log(f'fresh (made by another process): {out}')
            return
        started = time.time()
        with contextlib.suppress(FileNotFoundError):
            os.remove(stamp_path)
        index = make_all(out, log)
        index.update({'script': digest, 'versions': versions(), 'seconds': round(time.time() - started, 1)})
        write_atomic(os.path.join(out, 'index.json'), (json.dumps(index, indent=1) + '\n').encode())
        write_atomic(stamp_path, (json.dumps({'script': digest, 'versions': versions()}) + '\n').encode())
        log(f'wrote {len(index["files"])} files to {out} in {time.time() - started:.1f} s')


if __name__ == '__main__':
    main()
