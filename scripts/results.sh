#!/usr/bin/env bash
# Regenerates docs/RESULTS.md: Directed-MAML against MAML, FOMAML and Meta-SGD on CartPole-v1,
# Intersection-v0 and LunarLander-v2, 5 reported seeds, with the controls (outer-lr sweep on seeds
# 101 and 102, the random-task control, a β_d sweep). Grid and budgets: experiments/full.json —
# 10 tasks × 10 episodes per iteration; CartPole 40 iterations of at most 200 steps (threshold
# 150), Intersection 60 (threshold 3), LunarLander 40 of at most 200 steps (threshold -100);
# held-out evaluation every 20 iterations on 10 tasks; outer-lr sweep 0.001..0.03.
# 297 cells (99 per env, a third of them second order: MAML, Meta-SGD); 22 minutes on this 2-core
# machine with 2 cells at a time (--jobs 2, one worker thread each).
#   bash scripts/results.sh [extra dmaml experiment flags, e.g. --queue redis://HOST:PORT or --jobs 2]
# Resumable: run it again after an interruption. The experiment directory is runs/results/
# (cells, results.jsonl, figures); docs/RESULTS.md and docs/results/*.svg are copied from it.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build
node bin/dmaml.js experiment --grid experiments/full.json --out runs/results "$@"
mkdir -p docs/results
cp runs/results/figures/*.svg docs/results/
sed 's#(figures/#(results/#g' runs/results/RESULTS.md > docs/RESULTS.md
echo "docs/RESULTS.md written"
