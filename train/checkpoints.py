"""Checkpoints of a run that outlives sessions and machines.

<run>/checkpoint.pt: everything in fp32 (model, EMA, optimiser, step, time), on this machine only.
<checkpoints>/latest.pt and best.pt: committed to the repository (each well under 30 MB): fp16
weights and their EMA, the Adam moments in bf16 (exp_avg_sq underflows in fp16), the step, the hours
trained and the best score. A fresh machine resumes from latest.pt: nothing is lost but rounding.
"""
import os

import torch


def _write(path, payload):
    tmp = path + '.tmp'
    torch.save(payload, tmp)
    os.replace(tmp, path)  # a crash mid-write leaves the previous file


def _half(state, dtype=torch.float16):
    return {k: (v.to(dtype) if torch.is_floating_point(v) else v) for k, v in state.items()}


def _full(state):
    return {k: (v.float() if torch.is_floating_point(v) else v) for k, v in state.items()}


def save_small(run, folder, model, ema, opt, step, wall, best, config, name='latest.pt', scores=None):
    meta = {'step': step, 'wall': wall, 'best': best, 'config': config, 'scores': scores}
    _write(os.path.join(run, 'checkpoint.pt'), {**meta, 'model': model.state_dict(), 'ema': ema.state_dict(), 'opt': opt.state_dict()})
    small = {**meta, 'model': _half(model.state_dict()), 'ema': _half(ema.state_dict())}
    if name == 'latest.pt':  # only the run's resume point needs the optimiser
        small['moments'] = {i: {'step': s['step'], 'exp_avg': s['exp_avg'].to(torch.bfloat16), 'exp_avg_sq': s['exp_avg_sq'].to(torch.bfloat16)}
                            for i, s in opt.state_dict()['state'].items()}
    _write(os.path.join(folder, name), small)


def load_latest(run, folder, model, ema, opt):
    """Resumes from whichever is further along: this machine's full checkpoint or the committed one."""
    full_path, small_path = os.path.join(run, 'checkpoint.pt'), os.path.join(folder, 'latest.pt')
    full = torch.load(full_path, map_location='cpu') if os.path.exists(full_path) else None
    small = torch.load(small_path, map_location='cpu') if os.path.exists(small_path) else None
    if full is not None and (small is None or full['step'] >= small['step']):
        model.load_state_dict(full['model'])
        ema.load_state_dict(full['ema'])
        opt.load_state_dict(full['opt'])
        return full
    if small is not None:
        model.load_state_dict(_full(small['model']))
        ema.load_state_dict(_full(small['ema']))
        state = opt.state_dict()
        state['state'] = {i: {'step': m['step'], 'exp_avg': m['exp_avg'].float(), 'exp_avg_sq': m['exp_avg_sq'].float()}
                          for i, m in small['moments'].items()}
        opt.load_state_dict(state)
        return small
    return {'step': 0, 'wall': 0.0, 'best': None}


def load_for_inference(path):
    """(model config, EMA state in fp32) of a committed or full checkpoint."""
    state = torch.load(path, map_location='cpu')
    return state.get('config', {'hidden': 128, 'layers': 6, 'pooled_input': False}), _full(state.get('ema', state['model'])), state
