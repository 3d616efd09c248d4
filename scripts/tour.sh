#!/usr/bin/env bash
# pnpm start: the tour on bundled data. Sentiment: train, evaluate beside the counting baselines, predict.
# Generation: a small character model trained for about half a minute, its test BPC beside Kneser-Ney, samples.
# Lab: the gradient reaching earlier states of each kind of cell (vanishing gradients, measured).
set -euo pipefail
S="node apps/sentiment/dist/main.js"
G="node apps/generate/dist/main.js"
echo "== sentiment: train (word LSTM on 2,400 sentences) =="
$S train --out sentiment-model
echo "== sentiment: eval =="
$S eval --model sentiment-model
echo "== sentiment: predict =="
$S predict --model sentiment-model "The battery lasts all day and the screen is gorgeous." "Cold food, rude staff, never again." \
  "A slow, aimless movie with wooden acting." "I would happily watch it a second time."
echo "== generate: train a small character LSTM on Moby-Dick for about half a minute =="
$G train --hidden 128 --steps 900 --eval-every 0 --out charlm-demo
echo "== generate: eval =="
$G eval --model charlm-demo
echo "== generate: samples =="
$G sample --model charlm-demo --prime "Call me Ishmael. " --length 200 --temperature 0.7 --seed 1
$G sample --model charlm-demo --prime "The whale " --length 120 --beam 4
echo "== lab: how much of a loss at step 100 reaches earlier states (full figures: pnpm lab gradient-flow) =="
node apps/lab/dist/main.js gradient-flow --T 100 --lengths 10,50,100 --seeds 2 --batch 8 --out lab-results
echo "== the playground: run 'pnpm playground' and open the address it prints (the same models, in a browser page) =="
