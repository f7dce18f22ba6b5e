#!/usr/bin/python3
"""PyTorch fixtures written by torch.save / torch.jit.save (not by us), with independent truth.

Run with Debian's Python (apt: python3-torch python3-torchvision; no internet needed):

    /usr/bin/python3 scripts/pytorch/export_fixtures.py          # into ~/.cache/cnn-lens/pytorch-fixtures/v1/
    CNN_LENS_PYTORCH_FIXTURES=/some/dir /usr/bin/python3 scripts/pytorch/export_fixtures.py
    /usr/bin/python3 scripts/pytorch/export_fixtures.py --force  # regenerate everything

The cache lives outside the repository and is never committed. It holds
  resnet18.pth          torchvision resnet18's state_dict (seeded), zip format
  mobilenet_v2.pth      torchvision mobilenet_v2's state_dict, zip format
  checkpoint.pt         {"model": resnet18 state_dict, "optimizer": SGD state with momentum, "epoch": 3}
  legacy.pth            resnet18's state_dict saved with _use_new_zipfile_serialization=False
  half.pth              resnet18's state_dict in float16
  traced.pt             torch.jit.trace of resnet18
  scripted.pt           torch.jit.script of mobilenet_v2
  hostile.pkl           a pickle whose __reduce__ asks for os.system (never run by CNN Lens)
  hostile4.pkl          the same with builtins.eval, pickle protocol 4 (STACK_GLOBAL, FRAME, MEMOIZE)
  whole_model.pt        torch.save(model): the module pickled whole, which needs torchvision's class
and index.json: per file, torch's own counts (sum(p.numel() for p in model.parameters()), the
buffers' numel) and every state_dict tensor's name, shape, dtype and bytes; stamp.json holds this
script's sha256 and the library versions. A fresh stamp with every file present does nothing.
"""

import hashlib
import json
import os
import pickle
import sys

SCRIPT = os.path.abspath(__file__)
FORMAT_VERSION = 'v1'


def cache_dir():
    env = os.environ.get('CNN_LENS_PYTORCH_FIXTURES')
    if env:
        return os.path.abspath(env)
    return os.path.join(os.path.expanduser('~'), '.cache', 'cnn-lens', 'pytorch-fixtures', FORMAT_VERSION)


def script_hash():
    with open(SCRIPT, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


class HostileEval:
    def __reduce__(self):
        return (eval, ("open('/tmp/cnn-lens-pwned', 'w')",))


class Hostile:
    """Unpickling this calls os.system: the file CNN Lens must refuse, naming the global."""

    def __reduce__(self):
        return (os.system, ('echo pwned > /tmp/cnn-lens-pwned',))


def tensors_of(state):
    return [{'name': k, 'shape': list(v.shape), 'dtype': str(v.dtype).replace('torch.', ''),
             'bytes': v.numel() * v.element_size()} for k, v in state.items()]


def counts(model):
    return {'params': sum(p.numel() for p in model.parameters()),
            'buffers': sum(b.numel() for b in model.buffers())}


def main():
    import torch
    import torchvision
    out = cache_dir()
    os.makedirs(out, exist_ok=True)
    stamp_path = os.path.join(out, 'stamp.json')
    names = ['resnet18.pth', 'mobilenet_v2.pth', 'checkpoint.pt', 'legacy.pth', 'half.pth', 'traced.pt', 'scripted.pt', 'hostile.pkl', 'hostile4.pkl', 'whole_model.pt', 'index.json']
    stamp = {'script': script_hash(), 'torch': torch.__version__, 'torchvision': torchvision.__version__}
    if '--force' not in sys.argv and os.path.exists(stamp_path) and all(os.path.exists(os.path.join(out, n)) for n in names):
        with open(stamp_path) as f:
            if json.load(f).get('script') == stamp['script']:
                return
    torch.manual_seed(0)
    resnet = torchvision.models.resnet18().eval()
    mobilenet = torchvision.models.mobilenet_v2().eval()
    index = {}

    def entry(file, model, state, **extra):
        index[file] = {**counts(model), 'tensors': tensors_of(state), **extra}

    torch.save(resnet.state_dict(), os.path.join(out, 'resnet18.pth'))
    entry('resnet18.pth', resnet, resnet.state_dict())
    torch.save(mobilenet.state_dict(), os.path.join(out, 'mobilenet_v2.pth'))
    entry('mobilenet_v2.pth', mobilenet, mobilenet.state_dict())
    optimizer = torch.optim.SGD(resnet.parameters(), lr=0.1, momentum=0.9)
    resnet.train()
    resnet(torch.randn(2, 3, 64, 64)).sum().backward()
    optimizer.step()
    resnet.eval()
    torch.save({'model': resnet.state_dict(), 'optimizer': optimizer.state_dict(), 'epoch': 3}, os.path.join(out, 'checkpoint.pt'))
    entry('checkpoint.pt', resnet, resnet.state_dict(), key='model')
    torch.save(resnet.state_dict(), os.path.join(out, 'legacy.pth'), _use_new_zipfile_serialization=False)
    entry('legacy.pth', resnet, resnet.state_dict())
    half = resnet.half()
    torch.save(half.state_dict(), os.path.join(out, 'half.pth'))
    entry('half.pth', half, half.state_dict())
    resnet = resnet.float()
    traced = torch.jit.trace(resnet, torch.randn(1, 3, 224, 224))
    torch.jit.save(traced, os.path.join(out, 'traced.pt'))
    entry('traced.pt', resnet, resnet.state_dict())
    scripted = torch.jit.script(mobilenet)
    torch.jit.save(scripted, os.path.join(out, 'scripted.pt'))
    entry('scripted.pt', mobilenet, mobilenet.state_dict())
    with open(os.path.join(out, 'hostile.pkl'), 'wb') as f:
        pickle.dump({'conv.weight': Hostile()}, f, protocol=2)
    with open(os.path.join(out, 'hostile4.pkl'), 'wb') as f:
        pickle.dump({'conv.weight': HostileEval()}, f, protocol=4)
    torch.save(resnet, os.path.join(out, 'whole_model.pt'))
    with open(os.path.join(out, 'index.json'), 'w') as f:
        json.dump(index, f, indent=1)
    with open(stamp_path, 'w') as f:
        json.dump(stamp, f)


if __name__ == '__main__':
    main()
