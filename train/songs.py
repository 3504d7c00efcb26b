"""Training songs on disk (train/generateData.mts) and the batches cut from them."""
import glob
import math
import os

import numpy as np
import scipy.io.wavfile as wavfile
import torch

from bandLoss import SEGMENT
from model import SOURCES

FILES = {'vocals': 'vocals', 'drums': 'drums', 'bass': 'bass', 'guitar': 'guitar', 'piano': 'piano', 'other': 'other'}


class Songs:
    """Memory-mapped 16-bit stems; the OS page cache decides what stays in memory."""

    def __init__(self, folder, skip=0):
        self.folder = folder
        self.skip = skip  # songs with a lower index are left out
        self.songs = []
        self.seen = set()

    def rescan(self):
        for manifest in sorted(glob.glob(os.path.join(self.folder, 'song-*', 'manifest.json'))):
            d = os.path.dirname(manifest)
            if int(os.path.basename(d).split('-')[1]) < self.skip:
                continue
            if d in self.seen:
                continue
            try:
                song = {}
                for name, file in FILES.items():
                    path = os.path.join(d, file + '.wav')
                    if os.path.exists(path):
                        rate, data = wavfile.read(path, mmap=True)
                        assert rate == 44100 and data.ndim == 2 and data.shape[1] == 2, path
                        song[name] = data
                length = min(a.shape[0] for a in song.values())
                if length < SEGMENT + 1:
                    continue
                song['length'] = length
            except Exception as error:  # a damaged song is skipped, not fatal
                print(f'skipping {d}: {error}', flush=True)
                continue
            self.seen.add(d)
            self.songs.append(song)
        return len(self.songs)

    def source(self, song, name, start, length):
        """float32 [2, length] of one source; rest = other - guitar - piano."""
        def read(n):
            a = song.get(n)
            if a is None:
                return np.zeros((2, length), np.float32)
            return a[start:start + length].T.astype(np.float32) / 32768.0
        if name == 'rest':
            return read('other') - read('guitar') - read('piano')
        return read(name)


def make_batch(songs, rng, batch, remix):
    """[batch, sources, 2, SEGMENT] with the standard augmentations: sources from different songs,
    random gains, channel swap, silence, speed change (pitch and tempo together), mono as stereo (15 %)."""
    out = np.zeros((batch, len(SOURCES), 2, SEGMENT), np.float32)
    for b in range(batch):
        speed = rng.uniform(0.92, 1.08) if rng.random() < 0.5 else 1.0
        need = int(math.ceil(SEGMENT * speed)) + 2
        mixed = rng.random() < remix
        base = rng.choice(songs.songs)
        base_start = rng.randrange(0, base['length'] - need)
        for s, name in enumerate(SOURCES):
            song, start = base, base_start
            if mixed:
                song = rng.choice(songs.songs)
                start = rng.randrange(0, song['length'] - need)
            x = songs.source(song, name, start, need)
            if speed != 1.0:
                pos = np.arange(SEGMENT) * speed
                i = pos.astype(np.int64)
                frac = (pos - i).astype(np.float32)
                x = x[:, i] * (1 - frac) + x[:, i + 1] * frac
            else:
                x = x[:, :SEGMENT]
            gain = 10 ** (rng.uniform(-9, 3) / 20)
            if rng.random() < 0.08:
                gain = 0.0  # a stem missing from a passage
            if rng.random() < 0.5:
                x = x[::-1]
            out[b, s] = x * gain
        if rng.random() < 0.15:
            out[b] = out[b].mean(1, keepdims=True)  # a mono record played as stereo
    level = 10 ** (rng.uniform(-12, 3) / 20)
    out *= level
    peak = np.abs(out.sum(1)).max()
    if peak > 1:
        out /= peak
    return torch.from_numpy(out)


