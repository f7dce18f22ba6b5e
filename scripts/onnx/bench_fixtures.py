#!/usr/bin/python3
"""The torchvision models `npm run bench:onnx` times, exported by PyTorch's own exporter.

    /usr/bin/python3 scripts/onnx/bench_fixtures.py [OUT_DIR]    # default ~/.cache/cnn-lens/bench/

Writes resnet50.onnx, resnet152.onnx and vgg16.onnx (553 MB: the large file of the memory check)
with seeded weights, and skips any file already there. Debian's python3-torch (1.13),
python3-torchvision (0.14) and python3-onnx; no internet. The cache is never committed.
"""

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_fixtures import randomise_like_trained  # noqa: E402  (the fixtures' own seeding: one definition)

MODELS = {'resnet50': 13, 'resnet152': 13, 'vgg16': 13}  # name: opset


def export(name, opset, path):
    import torch
    import torchvision
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None).eval()
    randomise_like_trained(model)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix='.tmp-', suffix='.onnx')
    os.close(fd)
    with torch.no_grad():
        torch.onnx.export(model, torch.randn(1, 3, 224, 224), tmp, opset_version=opset, input_names=['input'],
                          output_names=['output'], training=torch.onnx.TrainingMode.EVAL)
    os.replace(tmp, path)  # a half-written file never looks like a fixture


def main():
    out = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(os.path.expanduser('~'), '.cache', 'cnn-lens', 'bench')
    os.makedirs(out, exist_ok=True)
    for name, opset in MODELS.items():
        path = os.path.join(out, f'{name}.onnx')
        if not os.path.exists(path):
            export(name, opset, path)
            print(f'[bench-fixtures] {path}: {os.path.getsize(path):,} bytes', flush=True)


if __name__ == '__main__':
    main()
