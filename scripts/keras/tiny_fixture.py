#!/usr/bin/python3
"""Writes test/fixtures/keras/tiny_cnn.h5 and tiny_cnn.keras: one seeded tiny CNN as a Keras 2
whole-model .h5 and as a Keras 3 .keras archive, in Keras's layouts (the writers of
export_fixtures.py: h5py and zipfile, no Keras), for the extension's integration test. Next to
them, tiny_cnn.json holds the truth computed here without CNN Lens: h5py's sum of the stored
datasets, the MACs counted by hand, the output shape.

Run with Debian's h5py: /usr/bin/python3 scripts/keras/tiny_fixture.py
"""
import importlib.util
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, '..', '..', 'test', 'fixtures', 'keras')

spec = importlib.util.spec_from_file_location('export_fixtures', os.path.join(HERE, 'export_fixtures.py'))
fx = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fx)


def tiny_model():
    layers = [
        {'class_name': 'InputLayer', 'config': {'batch_input_shape': [None, 16, 16, 3], 'dtype': 'float32', 'name': 'image'}, 'name': 'image', 'inbound_nodes': []},
        fx.conv('conv', 4, 3, 'image'),
        {'class_name': 'GlobalAveragePooling2D', 'config': {'name': 'pool', 'trainable': True, 'dtype': 'float32', 'data_format': 'channels_last'}, 'name': 'pool', 'inbound_nodes': [[['conv', 0, 0, {}]]]},
        {'class_name': 'Dense', 'config': {'name': 'logits', 'trainable': True, 'dtype': 'float32', 'units': 3, 'activation': 'softmax', 'use_bias': True}, 'name': 'logits', 'inbound_nodes': [[['pool', 0, 0, {}]]]},
    ]
    return {'class_name': 'Functional', 'config': {'name': 'tiny_cnn', 'layers': layers, 'input_layers': [['image', 0, 0]], 'output_layers': [['logits', 0, 0]]}}


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    model = tiny_model()
    values = fx.make_values(fx.model_variables(model), 7)
    h5 = os.path.join(OUT_DIR, 'tiny_cnn.h5')
    keras = os.path.join(OUT_DIR, 'tiny_cnn.keras')
    fx.write_h5(h5, model, values)
    fx.write_keras(keras, fx.keras3_config(model), values)
    truth = {
        'params': fx.stored_truth(h5)['params'],
        'paramsKeras': fx.stored_truth(keras, archive=True)['params'],
        # conv: 16·16 outputs × 4 filters × 3·3·3; logits: 4 × 3 (bias excluded)
        'macs': 16 * 16 * 4 * 27 + 4 * 3,
        'output': {'shape': [1, 3]},
    }
    with open(os.path.join(OUT_DIR, 'tiny_cnn.json'), 'w') as f:
        f.write(json.dumps(truth, indent=1) + '\n')
    print(truth, os.path.getsize(h5), os.path.getsize(keras))


if __name__ == '__main__':
    main()
