"""Trains the band-mask separator on songs from train/generateData.mts.

/usr/bin/python3 train/train.py --out train/.runs/bandmask --seed 1 --minutes 90

Resumable: every few minutes it writes <out>/checkpoint.pt (model, optimiser, step, RNG state) and
a run started with the same --out continues from it. The data folder is rescanned now and then, so
training can start while the generator is still rendering. Progress: one line per 20 steps in
<out>/train.log, validation SDR (held-out songs, whole 3 s segments) every --eval-every steps.
"""
import argparse
import concurrent.futures
import glob
import json
import math
import os
import random
import time

import numpy as np
import scipy.io.wavfile as wavfile
import torch

from model import SOURCES, BandMaskModel

N_FFT = 2048
HOP = 512
FRAMES = 256
SEGMENT = HOP * (FRAMES - 1)
FILES = {'vocals': 'vocals', 'drums': 'drums', 'bass': 'bass', 'guitar': 'guitar', 'piano': 'piano', 'other': 'other'}


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument('--data', default=os.path.join(os.path.dirname(__file__), '.data', 'train'))
    p.add_argument('--valid', default=os.path.join(os.path.dirname(__file__), '.data', 'heldout'))
    p.add_argument('--out', required=True)
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--minutes', type=float, default=52, help='training time in all, resumed runs included; the learning rate decays over it')
    p.add_argument('--max-steps', type=int, default=1_000_000)
    p.add_argument('--batch', type=int, default=8)
    p.add_argument('--lr', type=float, default=1.5e-3)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--hidden', type=int, default=128)
    p.add_argument('--eval-every', type=int, default=300)
    p.add_argument('--remix', type=float, default=0.5, help='share of examples whose sources come from different songs')
    return p.parse_args()


class Songs:
    """Memory-mapped 16-bit stems; the OS page cache decides what stays in memory."""

    def __init__(self, folder):
        self.folder = folder
        self.songs = []
        self.seen = set()

    def rescan(self):
        for manifest in sorted(glob.glob(os.path.join(self.folder, 'song-*', 'manifest.json'))):
            d = os.path.dirname(manifest)
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


def stft(x):
    """x [..., samples] -> complex [..., F, T], the service's TorchStft (periodic Hann, centred, reflect)."""
    shape = x.shape
    spec = torch.stft(x.reshape(-1, shape[-1]), N_FFT, HOP, window=torch.hann_window(N_FFT), center=True,
                      pad_mode='reflect', return_complex=True)
    return spec.reshape(*shape[:-1], spec.shape[-2], spec.shape[-1])


def make_batch(songs, rng, batch, remix):
    """[batch, sources, 2, SEGMENT] with the standard augmentations: sources from different songs,
    random gains, channel swap, silence, speed change (pitch and tempo together)."""
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
    level = 10 ** (rng.uniform(-12, 3) / 20)
    out *= level
    peak = np.abs(out.sum(1)).max()
    if peak > 1:
        out /= peak
    return torch.from_numpy(out)


def sdr_loss(masks, mix_spec, src_spec):
    """Mean over sources of -SDR (dB) of mask * mixture against each true source, on the STFT
    (Parseval), with the energies summed over the whole batch first: a source silent in one example
    then adds only its small error, instead of a ratio over nothing that would dominate the gradient
    (per-example SDR made the first runs diverge)."""
    est = masks * mix_spec.unsqueeze(1)
    err = (est - src_spec).abs().pow(2).sum(dim=(0, 2, 3, 4))
    ref = src_spec.abs().pow(2).sum(dim=(0, 2, 3, 4))
    delta = 1e-4 * mix_spec.abs().pow(2).sum() + 1e-8
    return (10 * torch.log10((err + delta) / (ref + delta))).mean()


def validation(model, songs, limit=24):
    """SDR (dB) per source over whole 3 s segments of held-out songs, mean over segments."""
    if not songs.songs:
        return None
    model.eval()
    scores = {name: [] for name in SOURCES}
    rng = random.Random(1234)
    with torch.no_grad():
        for song in songs.songs[:limit]:
            start = rng.randrange(0, song['length'] - SEGMENT)
            src = torch.from_numpy(np.stack([songs.source(song, n, start, SEGMENT) for n in SOURCES]))[None]
            mix = src.sum(1)
            mix_spec = stft(mix)
            masks = model.partition(mix_spec.abs())
            est = torch.istft((masks * mix_spec.unsqueeze(1)).reshape(-1, mix_spec.shape[-2], FRAMES), N_FFT, HOP,
                              window=torch.hann_window(N_FFT), center=True, length=SEGMENT).reshape(1, len(SOURCES), 2, SEGMENT)
            for s, name in enumerate(SOURCES):
                ref = src[0, s].pow(2).sum()
                if ref < 1e-6:
                    continue
                err = (est[0, s] - src[0, s]).pow(2).sum()
                scores[name].append(float(10 * torch.log10(ref / (err + 1e-12))))
    model.train()
    return {k: (sum(v) / len(v) if v else float('nan')) for k, v in scores.items()}


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    log = open(os.path.join(args.out, 'train.log'), 'a')

    def say(text):
        line = f'{time.strftime("%H:%M:%S")} {text}'
        print(line, flush=True)
        log.write(line + '\n')
        log.flush()

    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    model = BandMaskModel(N_FFT, args.hidden)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    step, wall = 0, 0.0
    ckpt_path = os.path.join(args.out, 'checkpoint.pt')
    if os.path.exists(ckpt_path):
        ckpt = torch.load(ckpt_path)
        model.load_state_dict(ckpt['model'])
        opt.load_state_dict(ckpt['opt'])
        step, wall = ckpt['step'], ckpt['wall']
        rng.setstate(ckpt['rng'])
        torch.set_rng_state(ckpt['torch_rng'])
        say(f'resumed at step {step} ({wall / 60:.1f} min trained)')
    else:
        say(f'new run: {sum(p.numel() for p in model.parameters())} parameters, args {vars(args)}')

    train_songs, valid_songs = Songs(args.data), Songs(args.valid)
    while train_songs.rescan() < 8:
        say(f'waiting for songs in {args.data} ({len(train_songs.songs)} so far)')
        time.sleep(30)
    valid_songs.rescan()

    began = time.time()
    last_save = began
    # The next batch is assembled (numpy, mostly outside the GIL) while this step computes.
    prefetch = concurrent.futures.ThreadPoolExecutor(1)
    pending = prefetch.submit(make_batch, train_songs, rng, args.batch, args.remix)
    losses = []
    best = None
    while step < args.max_steps and wall < args.minutes * 60:
        if step % 100 == 0:
            pending.result()  # the loader thread must not read the list while it grows
            train_songs.rescan()
        t0 = time.time()
        # Cosine decay from lr to lr/20 over the time budget (steps/s differ between machines), after a warm-up.
        progress = min(1.0, max(wall / (args.minutes * 60), step / args.max_steps))
        lr = args.lr * min(1.0, (step + 1) / 100) * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress)))
        for group in opt.param_groups:
            group['lr'] = lr
        src = pending.result()
        pending = prefetch.submit(make_batch, train_songs, rng, args.batch, args.remix)
        mix = src.sum(1)
        mix_spec = stft(mix)
        src_spec = stft(src)
        masks = model.partition(mix_spec.abs())
        loss = sdr_loss(masks, mix_spec, src_spec)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        step += 1
        wall += time.time() - t0
        losses.append(float(loss))
        if step % 20 == 0:
            say(f'step {step} loss {sum(losses) / len(losses):.3f} (-SDR dB) lr {lr:.2e} {wall / step:.2f} s/step, {len(train_songs.songs)} songs')
            losses = []
        if step % args.eval_every == 0:
            valid_songs.rescan()
            scores = validation(model, valid_songs)
            if scores:
                mean4 = (scores['vocals'] + scores['drums'] + scores['bass']) / 3
                say('valid ' + ', '.join(f'{k} {v:.2f}' for k, v in scores.items()) + f' (v/d/b mean {mean4:.2f})')
        if time.time() - last_save > 300:
            save(ckpt_path, model, opt, step, wall, rng)
            last_save = time.time()
    save(ckpt_path, model, opt, step, wall, rng)
    say(f'stopped at step {step}, {wall / 60:.1f} min of training in all')


def save(path, model, opt, step, wall, rng):
    tmp = path + '.tmp'
    torch.save({'model': model.state_dict(), 'opt': opt.state_dict(), 'step': step, 'wall': wall,
                'rng': rng.getstate(), 'torch_rng': torch.get_rng_state()}, tmp)
    os.replace(tmp, path)  # a crash mid-write leaves the previous checkpoint


if __name__ == '__main__':
    main()
