"""The training features and the loss at band level.

The masks are constant over each frequency band (model.BAND_GROUPS), so the squared error of
mask * mixture against a source, summed over a band's bins, is exactly
    m^2 * sum|X|^2 - 2 m * sum Re(X conj S) + sum|S|^2.
The loader computes those band sums once, without gradients, and the training step never builds a
full-resolution complex tensor: the same loss value as the first recipe's sdr_loss, for a fraction of
the work (train/README.md has the step-cost table; stepCost.py checks the two agree).
"""
import torch

from model import BAND_GROUPS, SOURCES, pool_bands

N_FFT = 2048
HOP = 512
FRAMES = 256
SEGMENT = HOP * (FRAMES - 1)

# What the loss weighs: the four scored stems fully (other = guitar + piano + rest), the parts of
# "other" less. Order: SOURCES, then other.
LOSS_WEIGHTS = torch.tensor([1.0, 1.0, 1.0, 0.25, 0.25, 0.25, 1.0])


BAND_WIDTHS = torch.cat([torch.full((count,), float(width)) for _, width, count in BAND_GROUPS])


def stft(x):
    """x [..., samples] -> complex [..., F, T], the service's STFT (periodic Hann, centred, reflect)."""
    shape = x.shape
    spec = torch.stft(x.reshape(-1, shape[-1]), N_FFT, HOP, window=torch.hann_window(N_FFT), center=True,
                      pad_mode='reflect', return_complex=True)
    return spec.reshape(*shape[:-1], spec.shape[-2], spec.shape[-1])


def band_sum(x):
    """[..., F, T] -> [..., bands, T]: the sum over each band's bins."""
    return (pool_bands(x.transpose(-1, -2)) * BAND_WIDTHS).transpose(-1, -2)


def features(src):
    """src [B, len(SOURCES), 2, SEGMENT] float32 -> the model's input and the loss's band sums."""
    with torch.no_grad():
        mix_spec = stft(src.sum(1))
        src_spec = stft(src)
        mag = mix_spec.abs()
        other = src_spec[:, 3:].sum(1)
        return {
            'pooled': pool_bands(mag.transpose(-1, -2)).transpose(-1, -2).contiguous(),  # [B, 2, bands, T]
            'power': band_sum(mag * mag).contiguous(),  # [B, 2, bands, T]
            # Re(X conj S) per source: [B, len(SOURCES), 2, bands, T]
            'cross': band_sum(mix_spec.real.unsqueeze(1) * src_spec.real + mix_spec.imag.unsqueeze(1) * src_spec.imag).contiguous(),
            # sum |S|^2 over the batch per source, then other: [len(SOURCES) + 1]
            'ref': torch.cat([src_spec.abs().pow(2).sum(dim=(0, 2, 3, 4)), other.abs().pow(2).sum().reshape(1)]),
            'mix_energy': mag.pow(2).sum(),
        }


def band_sdr_loss(masks, feats, weights=LOSS_WEIGHTS):
    """masks [B, len(SOURCES), 2, bands, T] -> (weighted mean of -SDR in dB, -SDR per source and other).

    The energies are summed over the whole batch first: a source silent in one example then adds only
    its small error, instead of a ratio over nothing that would dominate the gradient."""
    power = feats['power'].unsqueeze(1)
    other = masks[:, 3:].sum(1, keepdim=True)
    m = torch.cat([masks, other], 1)
    cross = torch.cat([feats['cross'], feats['cross'][:, 3:].sum(1, keepdim=True)], 1)
    err = (m * m * power - 2 * m * cross).sum(dim=(0, 2, 3, 4)) + feats['ref']
    delta = 1e-4 * feats['mix_energy'] + 1e-8
    per = 10 * torch.log10((err.clamp(min=0) + delta) / (feats['ref'] + delta))
    return (per * weights).sum() / weights.sum(), per
