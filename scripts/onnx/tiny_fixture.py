#!/usr/bin/python3
"""Exports test/fixtures/onnx/tiny_cnn.onnx: a seeded tiny CNN whose nested modules give the
exporter's name scopes (/layer1/layer1.0/conv1/Conv), for the extension's integration test and
UI scenario. Next to it, tiny_cnn.json holds the truth computed here, by PyTorch and the onnx
package (not by CNN Lens): parameter counts, input and output shapes, the node count.

Run with Debian's torch and onnx: /usr/bin/python3 scripts/onnx/tiny_fixture.py
"""
import json
import os

import onnx
import torch
from torch import nn

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'onnx')
INPUT_SHAPE = (1, 3, 32, 32)
CLASSES = 10


class BasicBlock(nn.Module):
    """A ResNet basic block without downsampling: conv-bn-relu-conv-bn plus the identity."""

    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(y)) + x)


class TinyCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.ReLU())
        self.layer1 = nn.Sequential(BasicBlock(8))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, CLASSES)

    def forward(self, x):
        x = self.layer1(self.stem(x))
        return self.fc(torch.flatten(self.pool(x), 1))


def main():
    torch.manual_seed(0)
    model = TinyCnn().eval()
    # Fresh BatchNorm tensors are all ones and zeros: the exporter would share the equal ones through
    # Identity nodes. Seeded statistics make every tensor distinct, as in a trained model.
    with torch.no_grad():
        for bn in (m for m in model.modules() if isinstance(m, nn.BatchNorm2d)):
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-0.1, 0.1)
            bn.running_mean.uniform_(-0.1, 0.1)
            bn.running_var.uniform_(0.5, 1.5)
    x = torch.randn(*INPUT_SHAPE)
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, 'tiny_cnn.onnx')
    # PRESERVE (the model is in eval mode) and no constant folding keep BatchNormalization a node of its
    # own instead of folding it into the Conv before it, so every module shows as written.
    torch.onnx.export(model, x, path, input_names=['input'], output_names=['logits'], opset_version=13,
                      do_constant_folding=False, training=torch.onnx.TrainingMode.PRESERVE)
    macs = []

    def count_macs(module, inputs, output):
        # Multiply-accumulates of convolutions and dense layers, bias excluded (the papers' mult-adds).
        if isinstance(module, nn.Conv2d):
            macs.append(output.numel() * module.in_channels // module.groups * module.kernel_size[0] * module.kernel_size[1])
        elif isinstance(module, nn.Linear):
            macs.append(output.numel() * module.in_features)

    for m in model.modules():
        m.register_forward_hook(count_macs)
    with torch.no_grad():
        out = model(x)

    proto = onnx.load(path)
    onnx.checker.check_model(proto)
    initializer_elements = sum(int(torch.tensor(list(t.dims)).prod()) if t.dims else 1 for t in proto.graph.initializer)
    buffers = {name for name, _ in model.named_buffers() if not name.endswith('num_batches_tracked')}
    truth = {
        'file': 'tiny_cnn.onnx',
        'writer': f'torch {torch.__version__} (torch.onnx.export, opset 13), onnx {onnx.__version__}',
        'seed': 0,
        'input': {'name': 'input', 'shape': list(INPUT_SHAPE)},
        'output': {'name': 'logits', 'shape': list(out.shape)},
        # Parameters as Keras counts them: trainable (weights, biases, BN scale and shift) and
        # non-trainable (BN moving mean and variance).
        'params': {
            'trainable': sum(p.numel() for p in model.parameters()),
            'nonTrainable': sum(b.numel() for n, b in model.named_buffers() if n in buffers),
        },
        'macs': sum(macs),
        'initializerElements': initializer_elements,
        'nodes': len(proto.graph.node),
        'opTypes': sorted({n.op_type for n in proto.graph.node}),
        'nodeNames': [n.name for n in proto.graph.node],
    }
    truth['params']['total'] = truth['params']['trainable'] + truth['params']['nonTrainable']
    with open(os.path.join(OUT_DIR, 'tiny_cnn.json'), 'w') as f:
        json.dump(truth, f, indent=2)
        f.write('\n')
    print(f'{path}: {os.path.getsize(path)} bytes, {truth["nodes"]} nodes, {truth["params"]["total"]} params')


if __name__ == '__main__':
    main()
