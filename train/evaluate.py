"""Global SDR per stem of a checkpoint on whole held-out songs, in PyTorch (a quick check during
training; npm run bench:quality is the measure of record, through the service's own pipeline).

train/run.sh train/evaluate.py --checkpoint train/.runs/bandmask-s1/checkpoint.pt [--songs 12]

Each song is cut into the contract's segments (256 frames, 25 % overlap, triangular cross-fade)
as the service does.
"""
import argparse
import os

import numpy as np
import torch

from model import STEMS, BandMaskModel
from train import FRAMES, HOP, N_FFT, SEGMENT, Songs


def separate(model, mix):
    """mix [2, n] float32 tensor -> [len(STEMS), 2, n]."""
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


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--checkpoint', required=True)
    p.add_argument('--data', default=os.path.join(os.path.dirname(__file__), '.data', 'heldout'))
    p.add_argument('--songs', type=int, default=12)
    p.add_argument('--skip', type=int, default=0, help='skip the first N songs of the folder')
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--hidden', type=int, default=128)
    p.add_argument('--sharpen', type=float, nargs='+', default=[1.0], help='mask sharpening powers to compare')
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    model = BandMaskModel(N_FFT, args.hidden)
    state = torch.load(args.checkpoint, map_location='cpu')
    model.load_state_dict(state['model'])
    model.eval()
    songs = Songs(args.data)
    songs.rescan()
    for power in args.sharpen:
        model.sharpen = power
        songs.songs = songs.songs[args.skip:]
        evaluate(model, songs, args.songs, state['step'], power)


def evaluate(model, songs, limit, step, power):
    scores = {s: [] for s in STEMS}
    for song in songs.songs[:limit]:
        n = song['length']
        truth = {name: torch.from_numpy(songs.source(song, name, 0, n)) for name in ['vocals', 'drums', 'bass', 'other', 'guitar', 'piano']}
        mix = truth['vocals'] + truth['drums'] + truth['bass'] + truth['other']
        est = separate(model, mix)
        for i, stem in enumerate(STEMS):
            if truth[stem].abs().max() > 1e-4:
                scores[stem].append(sdr(truth[stem], est[i]))
    mean = {k: float(np.mean(v)) if v else float('nan') for k, v in scores.items()}
    four = np.mean([mean[s] for s in ['vocals', 'drums', 'bass', 'other']])
    print(f'step {step}, sharpen {power}: ' + ', '.join(f'{k} {v:.2f}' for k, v in mean.items()) + f'; average of 4 {four:.2f} dB over {len(songs.songs[:limit])} songs')


if __name__ == '__main__':
    main()
