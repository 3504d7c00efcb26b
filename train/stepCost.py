"""Measures the training step of each recipe in one run and checks that the band-level loss equals the
full-resolution one. train/run.sh train/stepCost.py [--repeats 6] [--threads 1]

Prints the median seconds per step (batch 8 x 2.96 s) and the ratio to the first recipe's step. The
batch is noise of the right shape: the cost of a step does not depend on what the audio is.
"""
import argparse
import statistics
import time

import torch

from bandLoss import SEGMENT, band_sdr_loss, features, stft
from model import SOURCES, BandMaskModel, expand_bands


def sdr_loss(masks, mix_spec, src_spec):
    """The first recipe's loss: on full-resolution complex tensors."""
    est = masks * mix_spec.unsqueeze(1)
    err = (est - src_spec).abs().pow(2).sum(dim=(0, 2, 3, 4))
    ref = src_spec.abs().pow(2).sum(dim=(0, 2, 3, 4))
    delta = 1e-4 * mix_spec.abs().pow(2).sum() + 1e-8
    return (10 * torch.log10((err + delta) / (ref + delta))).mean()


def timed(fn, repeats):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--repeats', type=int, default=6)
    p.add_argument('--threads', type=int, default=1)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    src = torch.randn(8, len(SOURCES), 2, SEGMENT) * torch.rand(1, len(SOURCES), 1, 1) * 0.1

    # Exactness: the same masks, the two losses (six sources, equal weights, no "other" term).
    model = BandMaskModel(2048, 64, pooled_input=True)
    feats = features(src)
    band_masks = model.partition_bands(feats['pooled']).detach()
    mix_spec, src_spec = stft(src.sum(1)), stft(src)
    full = sdr_loss(expand_bands(band_masks.transpose(-1, -2)).transpose(-1, -2), mix_spec, src_spec)
    weights = torch.tensor([1.0] * len(SOURCES) + [0.0])
    band, _ = band_sdr_loss(band_masks, feats, weights)
    print(f'loss at full resolution {float(full):.6f} dB, at band level {float(band):.6f} dB (difference {abs(float(full - band)):.2e})')

    rows = []

    def step_full(hidden, pooled):
        m = BandMaskModel(2048, hidden, pooled_input=pooled)
        opt = torch.optim.Adam(m.parameters(), lr=1e-4)

        def run():
            ms, ss = stft(src.sum(1)), stft(src)
            loss = sdr_loss(m.partition(ms.abs()), ms, ss)
            opt.zero_grad()
            loss.backward()
            opt.step()
        return run

    def step_band(hidden):
        m = BandMaskModel(2048, hidden, pooled_input=True)
        opt = torch.optim.Adam(m.parameters(), lr=1e-4)

        def run():
            loss, _ = band_sdr_loss(m.partition_bands(feats['pooled']), feats)
            opt.zero_grad()
            loss.backward()
            opt.step()
        return run

    base = timed(step_full(128, False), args.repeats)
    rows.append(('first recipe: STFT in the step, full-resolution input and loss, width 128', base))
    rows.append(('band features for one batch (STFT + band sums; in the loader process)', timed(lambda: features(src), args.repeats)))
    rows.append(('band-level loss, pooled input, width 128', timed(step_band(128), args.repeats)))
    rows.append(('band-level loss, pooled input, width 256 (this recipe)', timed(step_band(256), args.repeats)))
    rows.append(('band-level loss, pooled input, width 384', timed(step_band(384), args.repeats)))
    print(f'threads {args.threads}, batch 8 x {SEGMENT / 44100:.2f} s, median of {args.repeats}')
    for name, t in rows:
        print(f'{t:7.3f} s  {t / base:5.2f}x  {name}')


if __name__ == '__main__':
    main()
