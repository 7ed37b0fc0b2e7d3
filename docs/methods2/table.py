"""Markdown table of the evaluate reports that docs/methods2/run.sh wrote (errors in %)."""
import json
import sys
from pathlib import Path

out, schedule, reset, batch, methods = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
reports = {m: json.loads((out / f"{m}.json").read_text()) for m in methods}
domains = [d["name"] for d in reports[methods[0]]["domains"]]
print(f"`{schedule}`, reset {reset}, batch {batch}; error in % (lower is better)\n")
print("| method | " + " | ".join(domains) + " | mean | all | samples/s |")
print("|---" * (len(domains) + 4) + "|")
best = {}
for m in methods:
    errs = [100 * d["error"] for d in reports[m]["domains"]]
    mean = sum(errs) / len(errs)
    best[m] = mean
    print(f"| {m} | " + " | ".join(f"{e:.1f}" for e in errs)
          + f" | **{mean:.2f}** | {100 * reports[m]['error']:.2f} | {reports[m]['samplesPerSecond']:.0f} |")
top = min(best, key=best.get)
print(f"\nbest mean: {top} ({best[top]:.2f}%)" + "".join(
    f"; {m} {best[m] - best[top]:+.2f} pp" for m in ("roid", "cafa", "tent") if m in best))
