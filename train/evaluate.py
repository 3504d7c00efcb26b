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

from checkpoints import load_for_inference
from model import STEMS, BandMaskModel
from songs import Songs
from validate import sdr, separate


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--checkpoint', required=True)
    p.add_argument('--data', default=os.path.join(os.path.dirname(__file__), '.data', 'heldout'))
    p.add_argument('--songs', type=int, default=12)
    p.add_argument('--skip', type=int, default=0, help='skip the first N songs of the folder')
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--sharpen', type=float, nargs='+', default=[1.0], help='mask sharpening powers to compare')
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    config, weights, state = load_for_inference(args.checkpoint)
    model = BandMaskModel(2048, **config)
    model.load_state_dict(weights)
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
