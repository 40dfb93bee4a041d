"""CPU a batch's kernel templates spend warming up when started together, and how many bases they draw.

Usage::

    .venv/bin/python benchmarks/warm_templates.py [--templates 3] [--cold]

Starts ``--templates`` processes at once, each running what a template does before it forks
kernels (:func:`analysis.run.template.preload`, then :func:`analysis.run.template.warm` with
``ANALYSIS_WARM_REGIONS`` set as for ``analysis batch --all``: England and all 9 regions), and
prints each one's CPU seconds (preload, warm) and wall seconds, and the figure bases on disk
before and after. ``--cold`` first empties the disk cache's figure bases (derived data: every
base is drawn again), so the templates share the drawing (:func:`analysis.present.layers.warm`);
without it they read the bases an earlier run kept. Run it with ``ANALYSIS_DISK_CACHE=0`` for
every template drawing every base itself. A figure, not a pass/fail test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

CHILD = """
import json, time
from analysis.run import template
from analysis.present import layers
start = time.process_time()
template.preload()
preloaded = time.process_time()
template.warm()
print(json.dumps({"preload": preloaded - start, "warm": time.process_time() - preloaded, "held": layers.held()}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--templates", type=int, default=3, help="processes started together (default 3)")
    parser.add_argument("--cold", action="store_true", help="empty the disk cache's figure bases first")
    args = parser.parse_args()

    from analysis import config
    from analysis.data import disk_cache
    from analysis.methods import areas
    from analysis.present import layers
    from analysis.run import template

    folder = config.INTERIM_DIR / disk_cache.FOLDER / layers.KIND
    if args.cold:
        shutil.rmtree(folder, ignore_errors=True)
    before = len(list(folder.glob("*.pickle")))
    codes = areas.list_areas(["utla"])["area_code"].tolist()
    env = {**os.environ, template.WARM_REGIONS_ENV: ",".join(template.regions_to_warm(codes, workers=3))}
    clock = time.perf_counter()
    children = [
        subprocess.Popen([sys.executable, "-c", CHILD], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(args.templates)
    ]
    results = []
    for child in children:
        out, _ = child.communicate(timeout=1800)
        results.append({**json.loads(out.strip().splitlines()[-1]), "wall": time.perf_counter() - clock})
    after = len(list(folder.glob("*.pickle")))
    print(f"regions warmed: {env[template.WARM_REGIONS_ENV]}")
    print(f"disk cache {'on' if disk_cache.enabled() else 'off'}; bases on disk before {before}, after {after}")
    for i, result in enumerate(results):
        print(
            f"template {i}: preload {result['preload']:.1f} s CPU, warm {result['warm']:.1f} s CPU, "
            f"{result['held']} bases held, done after {result['wall']:.1f} s"
        )
    total, done = sum(r["warm"] for r in results), max(r["wall"] for r in results)
    print(f"total warm CPU: {total:.1f} s; all done after {done:.1f} s")


if __name__ == "__main__":
    main()
