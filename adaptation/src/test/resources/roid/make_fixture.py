"""Makes roid-fixture.json: ROID's weights, losses and logit gradients computed by PyTorch with
autograd, following the formulas of the official methods/roid.py and utils/losses.py
(mariodoebler/test-time-adaptation), for RoidLossTest. Run: /usr/bin/python3 make_fixture.py"""
import json
import torch

torch.manual_seed(7)
n, c = 6, 4
logits = (torch.randn(n, c, dtype=torch.float64) * 2.5)
logits[0] = torch.tensor([9.0, 0.0, -1.0, 0.5], dtype=torch.float64)  # p > 0.99: clipped
aug = logits + torch.randn(n, c, dtype=torch.float64)
ema = torch.tensor([0.4, 0.3, 0.2, 0.1], dtype=torch.float64)
temperature = 1 / 3

z = logits.clone().requires_grad_(True)
p = z.softmax(1)
with torch.no_grad():
    div = 1 - torch.nn.functional.cosine_similarity(ema.unsqueeze(0), p, dim=1)
    div = (div - div.min()) / (div.max() - div.min())
    mask = div < div.mean()
    cert = (p * z.log_softmax(1)).sum(1)  # minus the entropy
    cert = (cert - cert.min()) / (cert.max() - cert.min())
    w = torch.exp(div * cert / temperature)
    w[mask] = 0.0
pc = torch.clamp(p, min=0.0, max=0.99)
slr = -(pc * torch.log(pc / (1 - pc) + 1e-5)).sum(1)
loss = (slr * w)[~mask].sum() / n
grad_slr, = torch.autograd.grad(loss, z)

za = aug.clone().requires_grad_(True)
ze = logits.clone().requires_grad_(True)
sce = -0.5 * (ze.softmax(1) * za.log_softmax(1)).sum(1) - 0.5 * (za.softmax(1) * ze.log_softmax(1)).sum(1)
sce_loss = (sce * w).sum() / n
gx, ge = torch.autograd.grad(sce_loss, [za, ze])

with torch.no_grad():
    prior = p.mean(0)
    smooth = max(1 / n, 1 / c) / torch.max(prior)
    smoothed = (prior + smooth) / (1 + smooth * c)

flat = lambda t: [float(v) for v in t.detach().reshape(-1)]
json.dump({"n": n, "classes": c, "temperature": temperature,
           "logits": flat(logits), "augmented": flat(aug), "average": flat(ema),
           "keep": [bool(not m) for m in mask], "weights": flat(w), "slr": flat(slr),
           "slrGradient": flat(grad_slr), "sce": flat(sce),
           "sceGradientAugmented": flat(gx), "sceGradientOriginal": flat(ge),
           "smoothedPrior": flat(smoothed)},
          open(__file__.replace("make_fixture.py", "roid-fixture.json"), "w"), indent=1)
