/**
 * SGD with Nesterov momentum and weight decay, exactly as torch.optim.SGD(momentum=m,
 * nesterov=True, weight_decay=wd, dampening=0) updates a parameter p with gradient g:
 *   d = g + wd * p;  buf = m * buf + d  (buf starts at 0, so the first buf is d);  p = p - lr * (d + m * buf)
 * Weight decay applies to every learned tensor (conv and linear weights, biases, BatchNorm scale and shift).
 * And the one-cycle learning rate of the lab's recipe.
 */
import * as tf from '@tensorflow/tfjs-core';

export const LAB_MOMENTUM = 0.9;
export const LAB_WEIGHT_DECAY = 5e-4;
export const LAB_MAX_LR = 0.1;
/** Fraction of the steps spent warming up. */
export const ONE_CYCLE_WARMUP = 0.3;
/** Start at max / 25 (PyTorch OneCycleLR's div_factor), end at max / 25 / 1e4 (its final_div_factor). */
export const ONE_CYCLE_DIV = 25;
export const ONE_CYCLE_FINAL_DIV = 1e4;

/**
 * Learning rate of step `step` (0-based) of `total`: linear warm-up from max/25 to max over the
 * first 30% of the steps, then cosine annealing from max down to max/25/1e4 at the last step.
 */
export function oneCycleLr(step: number, total: number, max: number = LAB_MAX_LR): number {
  const start = max / ONE_CYCLE_DIV;
  const end = start / ONE_CYCLE_FINAL_DIV;
  if (total <= 1) return max;
  const warm = Math.max(1, Math.round(ONE_CYCLE_WARMUP * (total - 1)));
  if (step <= warm) return start + (max - start) * (step / warm);
  const t = Math.min(1, (step - warm) / (total - 1 - warm));
  return end + (max - end) * 0.5 * (1 + Math.cos(Math.PI * t));
}

export interface SgdOptions {
  readonly momentum?: number;
  readonly weightDecay?: number;
}

/** One Nesterov-SGD update of `params` in place; `buffers` are the momentum buffers (same shapes, start at zeros). */
export function sgdNesterovUpdate(params: readonly tf.Variable[], grads: readonly tf.Tensor[], buffers: readonly tf.Variable[], lr: number, opts: SgdOptions = {}): void {
  const m = opts.momentum ?? LAB_MOMENTUM;
  const wd = opts.weightDecay ?? LAB_WEIGHT_DECAY;
  tf.tidy(() => {
    const mS = tf.scalar(m);
    const wdS = tf.scalar(wd);
    const lrS = tf.scalar(lr);
    params.forEach((p, i) => {
      const d = tf.add(grads[i], tf.mul(p, wdS));
      const buf = tf.add(tf.mul(buffers[i], mS), d);
      buffers[i].assign(buf);
      p.assign(tf.sub(p, tf.mul(tf.add(d, tf.mul(buf, mS)), lrS)));
    });
  });
}
