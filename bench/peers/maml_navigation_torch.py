"""Second-order MAML-RL (pytorch-maml-rl style) meta-iterations on Navigation2D, the PyTorch peer of
bench/navigation2d.ts. Written in the manner of ../shared/peers/maml_torch.py (CartPole), with
pytorch-maml-rl's Navigation2DEnv and NormalMLPPolicy semantics:
  env: position from (0, 0), action clipped to [-0.1, 0.1]^2 and added, reward -||pos - goal||,
       done when |dx| < 0.01 and |dy| < 0.01, at most 100 steps; goals ~ U[-0.5, 0.5]^2.
  policy: [64, 64] tanh MLP giving the mean, state-independent log-std (init 0), Normal sampling.
  20 tasks x (20 + 20) episodes, gamma 0.99, linear-feature baseline, normalised advantages,
  inner step 0.1 (one), Adam on the outer loss; 2 threads.
Usage: /usr/bin/python3 maml_navigation_torch.py [--variant so|fo] [--iters 5] [--warmup 1]
"""
import argparse, math, time, statistics, resource
import numpy as np
import torch
import torch.nn.functional as Fn

torch.set_num_threads(2)
META_BATCH, N_EPS, T_MAX = 20, 20, 100
GAMMA, INNER_LR, OUTER_LR, REG = 0.99, 0.1, 1e-3, 1e-5
LOW, HIGH, TOL = -0.1, 0.1, 0.01

class VecNavigation2D:
    def __init__(self, n, goal):
        self.n, self.goal = n, np.asarray(goal, np.float32)
    def reset(self):
        self.s = np.zeros((self.n, 2), np.float32); return self.s.copy()
    def step(self, idx, act):
        a = np.clip(act, LOW, HIGH).astype(np.float32)
        ns = self.s[idx] + a; self.s[idx] = ns
        d = ns - self.goal
        reward = -np.sqrt((d ** 2).sum(1))
        term = (np.abs(d[:, 0]) < TOL) & (np.abs(d[:, 1]) < TOL)
        return ns, reward, term

def init_params():
    def lin(i, o):
        w = torch.empty(o, i); torch.nn.init.xavier_uniform_(w)
        return [w.requires_grad_(), torch.zeros(o, requires_grad=True)]
    return lin(2, 64) + lin(64, 64) + lin(64, 2) + [torch.zeros(2, requires_grad=True)]

def dist_fn(p, obs):
    h = torch.tanh(Fn.linear(obs, p[0], p[1]))
    h = torch.tanh(Fn.linear(h, p[2], p[3]))
    return torch.distributions.Normal(Fn.linear(h, p[4], p[5]), torch.exp(p[6]))

def rollout(env, params):
    B = env.n
    O = np.zeros((T_MAX, B, 2), np.float32); A = np.zeros((T_MAX, B, 2), np.float32)
    R = np.zeros((T_MAX, B), np.float32); Mk = np.zeros((T_MAX, B), np.float32)
    obs = env.reset(); active = np.arange(B); T = 0
    with torch.no_grad():
        for t in range(T_MAX):
            O[t, active] = obs
            a = dist_fn(params, torch.from_numpy(obs)).sample().numpy()
            obs, r, term = env.step(active, a)
            A[t, active] = a; R[t, active] = r; Mk[t, active] = 1.0; T = t + 1
            keep = ~term; active = active[keep]; obs = obs[keep]
            if len(active) == 0: break
    return dict(obs=O[:T], act=A[:T], rew=R[:T], mask=Mk[:T], steps=int(Mk[:T].sum()))

def advantages(ep):
    rew, mask, obs = ep['rew'], ep['mask'], ep['obs']; T, B = rew.shape
    ret = np.zeros_like(rew); run = np.zeros(B, np.float32)
    for t in reversed(range(T)):
        run = rew[t] + GAMMA * run * mask[t]; ret[t] = run * mask[t]
    o = np.clip(obs, -10, 10).astype(np.float64)
    al = (np.arange(T, dtype=np.float64)[:, None, None] / 100.0) * np.ones((T, B, 1))
    feat = np.concatenate([o, o ** 2, al, al ** 2, al ** 3, np.ones((T, B, 1))], 2) * mask[..., None]
    Fm = feat.reshape(-1, feat.shape[-1]); y = (ret * mask).reshape(-1).astype(np.float64)
    XtX, Xty = Fm.T @ Fm, Fm.T @ y; reg = REG
    for _ in range(5):
        try:
            w = np.linalg.solve(XtX + reg * np.eye(XtX.shape[0]), Xty); break
        except np.linalg.LinAlgError:
            reg *= 10
    val = (feat @ w).reshape(T, B) * mask
    adv = (ret - val) * mask
    n = mask.sum(); mu = adv.sum() / n; sd = math.sqrt((((adv - mu) * mask) ** 2).sum() / n) + 1e-8
    adv = (adv - mu) / sd * mask
    ep['t_obs'] = torch.from_numpy(ep['obs']); ep['t_act'] = torch.from_numpy(ep['act'])
    ep['t_adv'] = torch.from_numpy(adv.astype(np.float32)); ep['t_mask'] = torch.from_numpy(mask)
    return ep

def pg_loss(params, ep):
    logp = dist_fn(params, ep['t_obs']).log_prob(ep['t_act']).sum(-1)
    return -(logp * ep['t_adv'] * ep['t_mask']).sum() / ep['t_mask'].sum()

def adapt(params, ep, create_graph):
    g = torch.autograd.grad(pg_loss(params, ep), params, create_graph=create_graph)
    return [p - INNER_LR * gi for p, gi in zip(params, g)]

def meta_iteration(params, opt, rng, variant):
    tm = dict(rollout=0.0, adv_adapt=0.0, grad=0.0); steps = 0; ret_pre = []; ret_post = []
    goals = rng.uniform(-0.5, 0.5, size=(META_BATCH, 2))
    batches = []
    for g in goals:
        env = VecNavigation2D(N_EPS, g)
        t0 = time.perf_counter(); tr = rollout(env, params); tm['rollout'] += time.perf_counter() - t0
        t0 = time.perf_counter(); advantages(tr)
        fast = [p.detach() for p in adapt(params, tr, create_graph=False)]
        tm['adv_adapt'] += time.perf_counter() - t0
        t0 = time.perf_counter(); va = rollout(env, fast); tm['rollout'] += time.perf_counter() - t0
        t0 = time.perf_counter(); advantages(va); tm['adv_adapt'] += time.perf_counter() - t0
        steps += tr['steps'] + va['steps']; ret_pre.append(tr['rew'].sum() / N_EPS); ret_post.append(va['rew'].sum() / N_EPS)
        batches.append((tr, va))
    t0 = time.perf_counter()
    opt.zero_grad()
    if variant == 'so':
        outer = sum(pg_loss(adapt(params, tr, create_graph=True), va) for tr, va in batches) / META_BATCH
        outer.backward()
    else:
        for tr, va in batches:
            fast = [p.detach().requires_grad_() for p in adapt(params, tr, create_graph=False)]
            g = torch.autograd.grad(pg_loss(fast, va) / META_BATCH, fast)
            for p, gi in zip(params, g):
                p.grad = gi.clone() if p.grad is None else p.grad + gi
    opt.step()
    tm['grad'] = time.perf_counter() - t0
    return tm, steps, float(np.mean(ret_pre)), float(np.mean(ret_post))

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--variant', default='so', choices=['so', 'fo'])
    ap.add_argument('--iters', type=int, default=5); ap.add_argument('--warmup', type=int, default=1)
    ap.add_argument('--seed', type=int, default=0); a = ap.parse_args()
    torch.manual_seed(a.seed); rng = np.random.default_rng(a.seed)
    params = init_params(); opt = torch.optim.Adam(params, lr=OUTER_LR)
    print(f"torch {torch.__version__} numpy {np.__version__} threads {torch.get_num_threads()} variant {a.variant}")
    rows = []
    for i in range(a.warmup + a.iters):
        t0 = time.perf_counter(); tm, steps, pre, post = meta_iteration(params, opt, rng, a.variant); tot = time.perf_counter() - t0
        tag = 'warmup' if i < a.warmup else 'timed'
        print(f"iter {i} [{tag}] total {tot:.3f}s rollout {tm['rollout']:.3f}s adv+adapt {tm['adv_adapt']:.3f}s "
              f"grad {tm['grad']:.3f}s env_steps {steps} steps/s {steps/tot:,.0f} pre {pre:.1f} post {post:.1f}")
        if i >= a.warmup: rows.append((tot, tm['rollout'] + tm['adv_adapt'], tm['grad'], steps, steps / tot))
    med = lambda k: statistics.median(r[k] for r in rows)
    print(f"SUMMARY variant={a.variant} n={len(rows)} median total {med(0):.3f}s sampling {med(1):.3f}s grad {med(2):.3f}s "
          f"env_steps/iter {med(3):.0f} median_steps_per_s {med(4):.0f} maxrss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024:.0f} MiB")
