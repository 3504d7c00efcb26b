"""Whole-song validation during training: global SDR per stem, segments cross-faded as the service does.

Held-out rendered songs choose the best checkpoint. Real recordings (--real-dev), when given, are only
scored and logged: they choose nothing and never reach a gradient step.
"""
import glob
import os

import numpy as np
import scipy.io.wavfile as wavfile
import torch

from bandLoss import FRAMES, HOP, N_FFT, SEGMENT
from model import STEMS

FOUR = ['vocals', 'drums', 'bass', 'other']


def separate(model, mix):
    """mix [2, n] float32 tensor -> [len(STEMS), 2, n]: 25 % overlap, triangular cross-fade."""
    n = mix.shape[-1]
    step = int(0.75 * SEGMENT)
    weight = torch.minimum(torch.arange(1, SEGMENT + 1), torch.arange(SEGMENT, 0, -1)).float()
    out = torch.zeros(len(STEMS), 2, n + SEGMENT)
    total = torch.zeros(n + SEGMENT)
    padded = torch.cat([mix, torch.zeros(2, SEGMENT)], -1)
    window = torch.hann_window(N_FFT)
    with torch.no_grad():
        for start in range(0, n, step):
            x = padded[:, start:start + SEGMENT]
            spec = torch.stft(x, N_FFT, HOP, window=window, center=True, pad_mode='reflect', return_complex=True)
            masks = model(spec.abs()[None])[0]  # [S, 2, F, T]
            est = torch.istft((masks * spec[None]).reshape(-1, spec.shape[-2], FRAMES), N_FFT, HOP, window=window,
                              center=True, length=SEGMENT).reshape(len(STEMS), 2, SEGMENT)
            out[:, :, start:start + SEGMENT] += est * weight
            total[start:start + SEGMENT] += weight
    return out[:, :, :n] / total[:n].clamp(min=1e-8)


def sdr(ref, est):
    return float(10 * torch.log10((ref.pow(2).sum() + 1e-12) / ((ref - est).pow(2).sum() + 1e-12)))


def score_songs(model, songs, limit):
    """Mean SDR per stem over whole songs (a stem silent in a song is not scored there)."""
    scores = {s: [] for s in STEMS}
    for song in songs.songs[:limit]:
        n = song['length']
        truth = {name: torch.from_numpy(songs.source(song, name, 0, n)) for name in STEMS}
        est = separate(model, truth['vocals'] + truth['drums'] + truth['bass'] + truth['other'])
        for i, stem in enumerate(STEMS):
            if truth[stem].abs().max() > 1e-4:
                scores[stem].append(sdr(truth[stem], est[i]))
    return {k: float(np.mean(v)) if v else float('nan') for k, v in scores.items()}


def read_wav(path):
    rate, data = wavfile.read(path)
    assert rate == 44100, path
    x = data.astype(np.float32) / 32768.0 if data.dtype == np.int16 else data.astype(np.float32)
    if x.ndim == 1:
        x = np.stack([x, x], 1)
    return torch.from_numpy(np.ascontiguousarray(x.T))


def score_real(model, folder):
    """Per excerpt folder with mixture.wav and true stems: SDR of vocals, drums, bass, other where known,
    instrumental against accompaniment.wav (or mixture minus vocals)."""
    out = {}
    for mixture in sorted(glob.glob(os.path.join(folder, '*', '*', 'mixture.wav'))):
        d = os.path.dirname(mixture)
        mix = read_wav(mixture)
        est = separate(model, mix)
        row = {}
        for i, stem in enumerate(STEMS[:4]):
            path = os.path.join(d, f'{stem}.wav')
            if os.path.exists(path):
                row[stem] = sdr(read_wav(path), est[i])
        accompaniment = os.path.join(d, 'accompaniment.wav')
        truth = read_wav(accompaniment) if os.path.exists(accompaniment) else mix - read_wav(os.path.join(d, 'vocals.wav'))
        row['instrumental'] = sdr(truth, mix - est[0])
        out[os.path.basename(d)] = row
    return out


def validate(model, songs, limit, real_dev=None):
    if not songs.songs:
        return None
    model.eval()
    try:
        held = score_songs(model, songs, limit)
        result = {'heldout': held, 'heldout_avg4': float(np.mean([held[s] for s in FOUR]))}
        line = 'held-out ' + ', '.join(f'{k} {v:.2f}' for k, v in held.items()) + f'; avg4 {result["heldout_avg4"]:.2f} ({min(limit, len(songs.songs))} songs)'
        if real_dev:
            real = score_real(model, real_dev)
            result['real'] = real
            four = [row for row in real.values() if all(s in row for s in FOUR)]
            if four:
                result['real_avg4'] = float(np.mean([[row[s] for s in FOUR] for row in four]))
            vocals = float(np.mean([row['vocals'] for row in real.values()]))
            line += f' | real-dev vocals {vocals:.2f}' + (f', avg4 {result["real_avg4"]:.2f}' if four else '')
        result['line'] = line
        return result
    finally:
        model.train()
