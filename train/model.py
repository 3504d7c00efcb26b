"""The separator we train: an Open-Unmix-like recurrent mask model (docs/models/stemline-bandmask.md).

Input is the magnitude spectrogram of a stereo mixture in the "mask" contract of the service
(docs/models.md): [batch, 2, F, T] with F = nFft/2 + 1. A learned linear layer compresses both
channels' spectra of each frame to `hidden` features; six residual blocks of dilated temporal
convolutions read +-0.7 s around each frame of the segment; a linear layer predicts, per source and channel, one logit per frequency *band*
(full resolution up to `full_bins`, wider bands above); a softmax over the sources makes the masks
of the partition sum to one, so the stems add up to the mixture. Bands are expanded back to bins
by repetition, which is why the output layer costs a third of a full-resolution one.
"""
import torch
import torch.nn as nn

# The partition the softmax splits the mixture into. "rest" is other minus guitar and piano.
SOURCES = ['vocals', 'drums', 'bass', 'guitar', 'piano', 'rest']
# What the exported ONNX file outputs, in the manifest's `stems` order.
STEMS = ['vocals', 'drums', 'bass', 'other', 'guitar', 'piano']


# Frequency bands of the output masks, as (first bin, width in bins, count of bands): one band per
# bin up to 5.5 kHz (at nFft 2048, 44.1 kHz), 4 bins (86 Hz) to 11 kHz, 8 bins above, then the top bin.
BAND_GROUPS = [(0, 1, 256), (256, 4, 64), (512, 8, 64), (1024, 1, 1)]


def pool_bands(x: torch.Tensor) -> torch.Tensor:
    """[..., bins] -> [..., bands]: the mean over each band's bins (the inverse of expand_bands for
    values constant per band). Reshape and mean, so it exports to ONNX as plain Reshape/ReduceMean."""
    parts, at = [], 0
    for _, width, count in BAND_GROUPS:
        group = x[..., at:at + width * count]
        at += width * count
        if width > 1:
            group = group.reshape(*group.shape[:-1], count, width).mean(-1)
        parts.append(group)
    return torch.cat(parts, -1)


def expand_bands(masks: torch.Tensor) -> torch.Tensor:
    """[..., bands] -> [..., bins]: each band's value repeated over its bins. Expand and reshape,
    not a gather, because the backward of a gather (index_add) is slow on a CPU."""
    parts, at = [], 0
    for _, width, count in BAND_GROUPS:
        group = masks[..., at:at + count]
        at += count
        if width > 1:
            group = group.unsqueeze(-1).expand(*group.shape, width).reshape(*group.shape[:-1], count * width)
        parts.append(group)
    return torch.cat(parts, -1)


class TemporalBlock(nn.Module):
    """Residual: x + conv(relu(bn(conv_dilated(x))))."""

    def __init__(self, channels: int, dilation: int):
        super().__init__()
        self.conv = nn.Conv1d(channels, channels, 3, padding=dilation, dilation=dilation, bias=False)
        self.bn = nn.BatchNorm1d(channels)
        self.mix = nn.Conv1d(channels, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.mix(torch.relu(self.bn(self.conv(x))))


class BandMaskModel(nn.Module):
    """pooled_input: the first layer reads band means of the magnitude (385 values per channel, not
    1025): 2.7x fewer multiply-adds there, and training never builds a full-resolution tensor (the
    pooling is inside the exported graph, so the mask contract is unchanged)."""

    def __init__(self, n_fft: int = 2048, hidden: int = 256, layers: int = 6, pooled_input: bool = False):
        super().__init__()
        self.bins = n_fft // 2 + 1
        self.bands = sum(count for _, _, count in BAND_GROUPS)
        assert sum(width * count for _, width, count in BAND_GROUPS) == self.bins, 'BAND_GROUPS must cover nFft/2+1 bins'
        self.pooled_input = pooled_input
        width = self.bands if pooled_input else self.bins
        self.input_mean = nn.Parameter(torch.zeros(2 * width))
        self.input_scale = nn.Parameter(torch.ones(2 * width))
        self.fc1 = nn.Linear(2 * width, hidden, bias=False)
        self.bn1 = nn.BatchNorm1d(hidden)
        # Dilated temporal convolutions, not an LSTM: the same context (here +-63 frames, 0.7 s) as big
        # matrix products, which a 2-core CPU runs several times faster in training and in ONNX Runtime.
        self.blocks = nn.ModuleList([TemporalBlock(hidden, 2 ** (i % 6)) for i in range(layers)])
        self.fc2 = nn.Linear(2 * hidden, hidden, bias=False)
        self.bn2 = nn.BatchNorm1d(hidden)
        self.fc3 = nn.Linear(hidden, len(SOURCES) * 2 * self.bands)
        # Sharpening at inference: softmax(p * logits) = m^p / sum(m^p), a Wiener-like power on the
        # trained masks (train/evaluate.py --sharpen measures it); 1 while training.
        self.sharpen = 1.0

    def partition(self, mag: torch.Tensor) -> torch.Tensor:
        """mag [B, 2, F, T] -> masks [B, len(SOURCES), 2, F, T] that sum to 1 over sources."""
        if self.pooled_input:
            pooled = pool_bands(mag.transpose(-1, -2)).transpose(-1, -2)
            return expand_bands(self.partition_bands(pooled).transpose(-1, -2)).transpose(-1, -2)
        return self.partition_full(mag)

    def partition_bands(self, pooled: torch.Tensor) -> torch.Tensor:
        """pooled [B, 2, bands, T] (pool_bands of the magnitude) -> band masks [B, len(SOURCES), 2, bands, T]:
        what training uses, with the loss computed exactly at band level."""
        assert self.pooled_input
        b, _, f, t = pooled.shape
        logits = self.logits(torch.log1p(100 * pooled).permute(0, 3, 1, 2).reshape(b * t, 2 * f), b, t)
        return torch.softmax(logits, dim=2).permute(0, 2, 3, 4, 1)

    def logits(self, x: torch.Tensor, b: int, t: int) -> torch.Tensor:
        """[B*T, 2*width] log magnitudes -> logits [B, T, len(SOURCES), 2, bands] (sharpened at inference)."""
        x = (x - self.input_mean) * self.input_scale
        z = torch.tanh(self.bn1(self.fc1(x)))
        h = z.reshape(b, t, -1).transpose(1, 2)  # [B, hidden, T]
        y = h
        for block in self.blocks:
            y = block(y)
        y = torch.cat([y, h], 1).transpose(1, 2).reshape(b * t, -1)
        y = torch.relu(self.bn2(self.fc2(y)))
        logits = self.fc3(y).reshape(b, t, len(SOURCES), 2, self.bands)
        return logits * self.sharpen if self.sharpen != 1.0 else logits

    def partition_full(self, mag: torch.Tensor) -> torch.Tensor:
        """The first recipe (stemline-mask-1): full-resolution input."""
        b, _, f, t = mag.shape
        logits = self.logits(torch.log1p(100 * mag).permute(0, 3, 1, 2).reshape(b * t, 2 * f), b, t)
        return expand_bands(torch.softmax(logits, dim=2)).permute(0, 2, 3, 4, 1)

    def forward(self, mag: torch.Tensor) -> torch.Tensor:
        """The exported graph: masks of STEMS, other = guitar + piano + rest."""
        p = self.partition(mag)
        other = p[:, 3] + p[:, 4] + p[:, 5]
        return torch.stack([p[:, 0], p[:, 1], p[:, 2], other, p[:, 3], p[:, 4]], 1)
