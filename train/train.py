"""Trains the band-mask separator on songs from train/generateData.mts, across sessions.

train/run.sh train/train.py --run train/.runs/r2 --hours 10 [--real-dev DIR]

- The learning rate follows one cosine over --hours of training in all, so the schedule spans every
  session that resumes the run.
- Batches are cut, transformed and reduced to band sums (bandLoss.features) in --loaders other
  processes, so the step computes only the model and the band-level loss.
- Every 5 minutes <run>/checkpoint.pt (fp32, optimiser, RNG) is written, and train/checkpoints/
  latest.pt: fp16 weights, their EMA and the optimiser moments in bf16, small enough to commit, from
  which a fresh machine resumes. Every --eval-minutes the EMA weights separate whole held-out songs
  (and, with --real-dev, real recordings: evaluation only, never gradient steps); the best held-out
  average of vocals, drums, bass and other is kept as train/checkpoints/best.pt.
- Progress: <run>/train.log and train/checkpoints/valid.log (the validation lines, committed).
"""
import argparse
import copy
import math
import os
import random
import time

import torch
import torch.multiprocessing as mp

from bandLoss import band_sdr_loss, features
from checkpoints import load_latest, save_small
from model import SOURCES, BandMaskModel
from songs import Songs, make_batch
from validate import validate

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument('--data', default=os.path.join(HERE, '.data', 'train'))
    p.add_argument('--valid', default=os.path.join(HERE, '.data', 'heldout'))
    p.add_argument('--real-dev', default=None, help='folder of real recordings with true stems, for evaluation only')
    p.add_argument('--run', default=os.path.join(HERE, '.runs', 'r2'))
    p.add_argument('--checkpoints', default=os.path.join(HERE, 'checkpoints'))
    p.add_argument('--seed', type=int, default=2)
    p.add_argument('--hours', type=float, default=10, help='training time in all, every session included; the learning rate decays over it')
    p.add_argument('--batch', type=int, default=8)
    p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--loaders', type=int, default=1)
    p.add_argument('--hidden', type=int, default=256)
    p.add_argument('--layers', type=int, default=6)
    p.add_argument('--ema', type=float, default=0.999)
    p.add_argument('--eval-minutes', type=float, default=30)
    p.add_argument('--eval-songs', type=int, default=10)
    p.add_argument('--eval-skip', type=int, default=20, help='validate on held-out songs from this index: 0-19 stay unseen for the final bench:quality table')
    p.add_argument('--remix', type=float, default=0.5, help='share of examples whose sources come from different songs')
    p.add_argument('--stop-after-minutes', type=float, default=None, help='end this session after so many minutes (the run goes on next time)')
    return p.parse_args()


def loader(folder, seed, batch, remix, out):
    """A separate process: batches as band features, into the queue, for ever."""
    torch.set_num_threads(1)
    rng = random.Random(seed)
    songs = Songs(folder)
    count = 0
    while True:
        if count % 50 == 0:
            songs.rescan()
        out.put(features(make_batch(songs, rng, batch, remix)))
        count += 1


def learning_rate(base, step, progress):
    """A warm-up of 200 steps, then a cosine from base to base/20 over the whole budget."""
    return base * min(1.0, (step + 1) / 200) * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.run, exist_ok=True)
    os.makedirs(args.checkpoints, exist_ok=True)
    logs = [open(os.path.join(args.run, 'train.log'), 'a')]
    valid_log = open(os.path.join(args.checkpoints, 'valid.log'), 'a')

    def say(text, valid=False):
        line = f'{time.strftime("%Y-%m-%d %H:%M:%S")} {text}'
        print(line, flush=True)
        for f in logs + ([valid_log] if valid else []):
            f.write(line + '\n')
            f.flush()

    config = {'hidden': args.hidden, 'layers': args.layers, 'pooled_input': True}
    torch.manual_seed(args.seed)
    model = BandMaskModel(2048, **config)
    ema = copy.deepcopy(model)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    state = load_latest(args.run, args.checkpoints, model, ema, opt)
    step, wall, best = state['step'], state['wall'], state['best']
    if step:
        say(f'resumed at step {step} ({wall / 3600:.2f} h trained of {args.hours}; best held-out avg4 {best})')
    else:
        say(f'new run: {sum(p.numel() for p in model.parameters())} parameters, {config}, args {vars(args)}')

    train_songs = Songs(args.data)
    while train_songs.rescan() < 8:
        say(f'waiting for songs in {args.data} ({len(train_songs.songs)} so far)')
        time.sleep(60)
    valid_songs = Songs(args.valid, skip=args.eval_skip)
    valid_songs.rescan()

    ctx = mp.get_context('spawn')
    queue = ctx.Queue(maxsize=3)
    workers = [ctx.Process(target=loader, args=(args.data, args.seed * 1000 + step + i, args.batch, args.remix, queue), daemon=True)
               for i in range(args.loaders)]
    for w in workers:
        w.start()

    began = time.time()
    last_save = last_eval = began
    losses, per_sum, waited, window = [], torch.zeros(len(SOURCES) + 1), 0.0, began
    try:
        while wall < args.hours * 3600:
            if args.stop_after_minutes is not None and time.time() - began > args.stop_after_minutes * 60:
                break
            t_wait = time.time()
            feats = queue.get()
            t0 = time.time()
            waited += t0 - t_wait
            lr = learning_rate(args.lr, step, wall / (args.hours * 3600))
            for group in opt.param_groups:
                group['lr'] = lr
            masks = model.partition_bands(feats['pooled'])
            loss, per = band_sdr_loss(masks, feats)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            decay = min(args.ema, (1 + step) / (10 + step))
            with torch.no_grad():
                for e, p in zip(ema.parameters(), model.parameters()):
                    e.mul_(decay).add_(p.detach(), alpha=1 - decay)
                for e, b in zip(ema.buffers(), model.buffers()):
                    e.copy_(b)
            step += 1
            # Wall time counts the whole loop (waiting for batches included): the budget is hours of training.
            wall += time.time() - t_wait
            losses.append(float(loss))
            per_sum += per.detach()
            if step % 50 == 0:
                names = SOURCES + ['other']
                say(f'step {step} loss {sum(losses) / len(losses):.3f} (' + ' '.join(f'{n} {v:.1f}' for n, v in zip(names, (per_sum / len(losses)).tolist()))
                    + f') lr {lr:.2e} {wall / 3600:.2f} h, {(time.time() - window) / len(losses):.2f} s/step'
                    f' (waiting for batches {waited / len(losses):.2f}), {len(train_songs.songs)} songs')
                losses, per_sum, waited, window = [], torch.zeros(len(SOURCES) + 1), 0.0, time.time()
            if step % 500 == 0:
                train_songs.rescan()  # only for the count in the log; the loaders rescan on their own
            if time.time() - last_save > 300:
                save_small(args.run, args.checkpoints, model, ema, opt, step, wall, best, config)
                last_save = time.time()
            if time.time() - last_eval > args.eval_minutes * 60:
                best = evaluate_and_keep(args, ema, valid_songs, step, wall, best, config, model, opt, say)
                last_eval = time.time()
    finally:
        for w in workers:
            w.terminate()
    best = evaluate_and_keep(args, ema, valid_songs, step, wall, best, config, model, opt, say)
    save_small(args.run, args.checkpoints, model, ema, opt, step, wall, best, config)
    say(f'stopped at step {step}, {wall / 3600:.2f} h of training in all')


def evaluate_and_keep(args, ema, valid_songs, step, wall, best, config, model, opt, say):
    valid_songs.rescan()
    scores = validate(ema, valid_songs, args.eval_songs, args.real_dev)
    if scores is None:
        return best
    say(f'valid step {step} {wall / 3600:.2f} h: ' + scores['line'], valid=True)
    if best is None or scores['heldout_avg4'] > best:
        best = scores['heldout_avg4']
        save_small(args.run, args.checkpoints, model, ema, opt, step, wall, best, config, name='best.pt', scores=scores)
        say(f'new best held-out avg4 {best:.2f} dB at step {step}', valid=True)
    return best


if __name__ == '__main__':
    main()
