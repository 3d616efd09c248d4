// Learning-rate schedules: functions of the (0-based) step.

export type Schedule = (step: number) => number;

/** The same rate at every step. */
export const constant = (lr: number): Schedule => () => lr;

/** lr * gamma^floor(step / every) (torch's StepLR). */
export const stepDecay = (lr: number, every: number, gamma: number): Schedule => (step) => lr * gamma ** Math.floor(step / every);

/**
 * Linear warm-up from 0 over `warmup` steps, then cosine decay from lr to minLr at `total` steps (and minLr after).
 */
export const cosineWithWarmup = (lr: number, warmup: number, total: number, minLr = 0): Schedule => (step) => {
  if (step < warmup) return (lr * (step + 1)) / warmup;
  if (step >= total) return minLr;
  const progress = (step - warmup) / Math.max(1, total - warmup);
  return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * progress));
};
