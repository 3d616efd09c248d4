#!/usr/bin/env bash
# pnpm start: the tour on bundled data. Sentiment: train, evaluate beside the counting baselines, predict.
# Generation: a small character model trained for about a minute, its test BPC beside Kneser-Ney, samples.
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
echo "== generate: train a small character LSTM on Moby-Dick for about a minute =="
$G train --hidden 128 --steps 300 --eval-every 0 --out charlm-demo
echo "== generate: eval =="
$G eval --model charlm-demo
echo "== generate: samples =="
$G sample --model charlm-demo --prime "Call me Ishmael. " --length 200 --temperature 0.7 --seed 1
$G sample --model charlm-demo --prime "The whale " --length 120 --beam 4
