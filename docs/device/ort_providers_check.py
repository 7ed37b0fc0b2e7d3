"""Device check for issue 4: the bundle's generated graphs on ONNX Runtime's CUDA provider
against its CPU provider (same outputs?), and the step / inference ratio on each."""
import json, sys, time, os
import numpy as np
import onnxruntime as ort

B = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), 'bundle')
m = json.load(open(os.path.join(B, 'manifest.json')))
print('onnxruntime', ort.__version__, 'providers', ort.get_available_providers(), flush=True)
params = {}
for l in m['layers']:
    for k, src in (('scale', 'sourceScale'), ('bias', 'sourceBias'), ('mean', 'sourceMean'), ('var', 'sourceVar')):
        params[l[k]] = np.array(l[src], np.float32)
pre = m['preprocessing']
raw = np.load(os.path.join(B, 'source-images.npy'))

def images(n):
    x = raw[:n].astype(np.float32) / pre['pixelScale']
    x = (x - pre['mean'][0]) / pre['std'][0]
    return x.reshape(n, 1, 28, 28).astype(np.float32)

def session(name, providers, threads):
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.add_session_config_entry('session.intra_op.allow_spinning', '0')
    so.log_severity_level = 3
    return ort.InferenceSession(os.path.join(B, name), so, providers=providers)

def entropy_grad(z):
    z = z - z.max(1, keepdims=True)
    p = np.exp(z); p /= p.sum(1, keepdims=True)
    logp = np.log(np.maximum(p, 1e-30))
    h = -(p * logp).sum(1, keepdims=True)
    return (-p * (logp + h) / z.shape[0]).astype(np.float32)

def run_all(providers, threads, n, iters=30):
    edge = session('edge.onnx', providers, threads)
    fwd = session('adapt-forward.onnx', providers, threads)
    bwd = session('adapt-backward.onnx', providers, threads)
    active = {edge.get_providers()[0], fwd.get_providers()[0], bwd.get_providers()[0]}
    if active != {providers[0]}:
        raise RuntimeError(f"asked for {providers[0]}, sessions run on {sorted(active)}")
    x = images(n)
    alpha = np.array(0.0, np.float32)
    def feed(s, extra):
        f = {}
        for i in s.get_inputs():
            f[i.name] = extra[i.name] if i.name in extra else params[i.name]
        return f
    ef = feed(edge, {m['input']: x})
    ff = feed(fwd, {m['input']: x, 'attune/alpha': alpha})
    out_names = [o.name for o in fwd.get_outputs()]
    def step():
        outs = dict(zip(out_names, fwd.run(None, ff)))
        d = {'attune/dlogits': entropy_grad(outs['attune/logits']),
             'attune/dfeatures': np.zeros_like(outs['attune/features']), 'attune/alpha': alpha}
        bf = {i.name: d[i.name] if i.name in d else outs[i.name] for i in bwd.get_inputs()}
        g = bwd.run(None, bf)
        return outs['attune/logits'], dict(zip([o.name for o in bwd.get_outputs()], g))
    for _ in range(5):
        edge.run(None, ef); step()
    te, ts = [], []
    for _ in range(iters):
        t0 = time.perf_counter(); edge.run(None, ef); t1 = time.perf_counter(); step(); t2 = time.perf_counter()
        te.append(t1 - t0); ts.append(t2 - t1)
    logits, grads = step()
    return np.median(te) * 1e3, np.median(ts) * 1e3, logits, grads

results = {}
configs = [('CPU', ['CPUExecutionProvider'], 2, 64), ('CPU', ['CPUExecutionProvider'], 16, 64)]
if 'CUDAExecutionProvider' in ort.get_available_providers():
    configs += [('CUDA', ['CUDAExecutionProvider', 'CPUExecutionProvider'], 2, 64),
                ('CUDA', ['CUDAExecutionProvider', 'CPUExecutionProvider'], 2, 256)]
print(f"{'provider':8} {'threads':>7} {'batch':>5} {'edge ms':>9} {'step ms':>9} {'ratio':>6}", flush=True)
for name, prov, threads, n in configs:
    try:
        e, s, logits, grads = run_all(prov, threads, n)
    except Exception as ex:
        print(name, threads, n, 'FAILED:', str(ex).splitlines()[0][:300], flush=True)
        continue
    results[(name, threads, n)] = (logits, grads)
    print(f"{name:8} {threads:7d} {n:5d} {e:9.2f} {s:9.2f} {s / e:6.2f}", flush=True)
ref = results.get(('CPU', 2, 64))
for key, (logits, grads) in results.items():
    if key[0] == 'CUDA' and key[2] == 64 and ref is not None:
        dl = np.abs(logits - ref[0]).max()
        scale = max(np.abs(v).max() for v in ref[1].values())
        dg = max(np.abs(grads[k] - ref[1][k]).max() for k in grads) / scale
        print(f"CUDA vs CPU at batch 64: max |logit diff| {dl:.2e}, max gradient diff / largest gradient {dg:.2e}")
