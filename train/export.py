"""Exports a trained checkpoint to ONNX in the service's "mask" contract, with its manifest.

/usr/bin/python3 train/export.py --checkpoint train/.runs/bandmask-s1/checkpoint.pt --out models \
    --name stemline-mask-1 [--quality 6.1] [--default]

Writes <out>/<name>.onnx and <out>/<name>.json (docs/models.md). The graph has one input `mix`
[1, 2, F, T] and one output `masks` [1, 6, 2, F, T] for stems vocals, drums, bass, other, guitar,
piano; the first four sum to one in every cell, so those stems add up to the mixture.
"""
import argparse
import json
import os

import torch

from bandLoss import FRAMES, HOP, N_FFT
from checkpoints import load_for_inference
from model import STEMS, BandMaskModel


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--checkpoint', required=True)
    p.add_argument('--out', required=True)
    p.add_argument('--name', required=True)
    p.add_argument('--quality', type=float, default=None, help='measured mean SDR (dB) of the four stems on held-out songs')
    p.add_argument('--sharpen', type=float, default=1.0, help='mask sharpening power baked into the graph (evaluate.py --sharpen)')
    p.add_argument('--blend', type=float, default=None, help='blend vocals/drums/bass/other with the DSP engine: this weight on the model')
    p.add_argument('--default', action='store_true', help='mark it the default engine of its model ids (it beats the DSP engine)')
    args = p.parse_args()

    config, weights, state = load_for_inference(args.checkpoint)  # the EMA weights where the checkpoint has them
    model = BandMaskModel(N_FFT, **config)
    model.load_state_dict(weights)
    model.eval()
    model.sharpen = args.sharpen
    bins = N_FFT // 2 + 1
    example = torch.rand(1, 2, bins, FRAMES)
    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, f'{args.name}.onnx')
    torch.onnx.export(model, example, onnx_path, input_names=['mix'], output_names=['masks'], opset_version=13,
                      do_constant_folding=True)
    with torch.no_grad():
        masks = model(example)
    four = masks[:, :4].sum(1)
    assert torch.allclose(four, torch.ones_like(four), atol=1e-4), 'vocals + drums + bass + other masks must sum to 1'

    manifest = {
        'name': args.name,
        'contract': 'mask',
        'file': f'{args.name}.onnx',
        'stems': STEMS,
        'models': ['vocals', 'instrumental', 'drums', 'bass', 'other', 'guitar', 'piano'],
        'variant': args.name,
        'quality': args.quality,
        'default': args.default,
        **({'blend': {'with': 'dsp', 'weight': args.blend}} if args.blend is not None else {}),
        'sampleRate': 44100,
        'parameters': {'nFft': N_FFT, 'hop': HOP, 'segmentFrames': FRAMES, 'overlap': 0.25, 'sumToMixture': False},
    }
    with open(os.path.join(args.out, f'{args.name}.json'), 'w') as f:
        json.dump(manifest, f, indent=2)
        f.write('\n')
    size = os.path.getsize(onnx_path)
    print(f'wrote {onnx_path} ({size / 1e6:.1f} MB, step {state["step"]}, {state["wall"] / 3600:.2f} h trained)')


if __name__ == '__main__':
    main()
