/**
 * GhostNet as a wasm plan program (wasm-plan.ts): the forward pass of network.ts, step for step,
 * over the same prepared weights (folded, split into channel parts, permuted), recorded on a
 * PlanBuilder instead of run as TF.js ops.
 */
import type { Conv, Dense, FoldedConv, SplitConv } from './convs.ts';
import { cheapFitsKernel } from './kernels/ghost-tail.ts';
import type { BlockWeights, GhostWeights } from './weights.ts';
import type { PlanBuilder, Sym } from './wasm-plan.ts';

export interface PlanGhostNet {
  /** Use the Ghost-module kernel where the backend has it. */
  readonly useGhostTail: boolean;
  readonly stem: Conv;
  readonly blocks: readonly BlockWeights[];
  readonly lastConv: Conv;
  readonly head: Dense;
  readonly classifier: Dense;
}

type Value = Sym | readonly Sym[];

const partsOf = (x: Value): readonly Sym[] => (Array.isArray(x) ? (x as readonly Sym[]) : [x as Sym]);
const isSplit = (c: Conv): c is SplitConv => !Array.isArray(c) && 'filters' in c;

function folded(b: PlanBuilder, x: Sym, c: FoldedConv): Sym {
  return b.conv(x, c.filter, c.bias, c);
}

/** convs.runConv, recorded: per-part depthwise, split (a sum over input parts), or plain. */
function conv(b: PlanBuilder, x: Value, c: Conv): Value {
  if (Array.isArray(c)) return (c as readonly FoldedConv[]).map((part, i) => folded(b, partsOf(x)[i], part));
  if (isSplit(c)) {
    const inputs = partsOf(x);
    const outs = c.filters.map((row, o) => {
      if (row.length === 1) return b.conv(inputs[0], row[0], c.biases[o], { ...c, depthwise: false });
      const terms = row.map((f, i) => b.conv(inputs[i], f, i === row.length - 1 ? c.biases[o] : null, { kernel: c.kernel, stride: c.stride, activation: 'linear', depthwise: false }));
      const sum = terms.slice(1).reduce((acc, t) => b.binary('add', acc, t), terms[0]);
      return c.activation === 'relu' ? b.unary('relu', sum) : sum;
    });
    return outs.length === 1 ? outs[0] : outs;
  }
  if (Array.isArray(x)) throw new Error('a regular conv needs one input value');
  return folded(b, x as Sym, c as FoldedConv);
}

/** Whether the fused Ghost-module kernel computes this module's cheap operation and concatenation. */
const fusedTail = (b: PlanBuilder, g: GhostWeights, allowed: boolean) =>
  allowed && b.hasGhostTail && g.output === 'concat' && cheapFitsKernel(g.cheap);

/** A Ghost module; `residual` (the block's shortcut) is added to its output if given. */
function ghost(b: PlanBuilder, x: Value, g: GhostWeights, kernel: boolean, residual: Value | null = null): Value {
  const intrinsic = conv(b, x, g.primary) as Sym;
  if (fusedTail(b, g, kernel)) return b.ghostTail(intrinsic, g.cheap.filter, g.cheap.bias, g.spec.outChannels, g.cheap.activation === 'relu', residual as Sym | null);
  const cheap = folded(b, intrinsic, g.cheap);
  let out: Value;
  if (g.output === 'interleaved') out = cheap;
  else if (g.output === 'parts') out = [intrinsic, cheap];
  else out = b.concat([intrinsic, cheap], g.spec.outChannels);
  if (!residual) return out;
  const sums = partsOf(out).map((p, i) => b.binary('add', p, partsOf(residual)[i]));
  return sums.length === 1 ? sums[0] : sums;
}

const dense = (b: PlanBuilder, x: Sym, d: Dense, activation: 'linear' | 'relu' | 'relu6', out?: Sym) =>
  b.conv(x, d.weight, d.bias, { kernel: 1, stride: 1, activation, depthwise: false }, out);

function squeezeExcite(b: PlanBuilder, h: Value, se: NonNullable<BlockWeights['se']>): Value {
  const parts = partsOf(h);
  const pooled = parts.length === 1 ? b.pool(parts[0]) : b.concat(parts.map((p) => b.pool(p)));
  const gate = dense(b, dense(b, pooled, se.reduce, 'relu'), se.expand, 'relu6');
  if (parts.length === 1) return b.binary('mul', parts[0], gate);
  let begin = 0;
  return parts.map((p) => {
    const slice = b.slice(gate, begin, p.shape[3]);
    begin += p.shape[3];
    return b.binary('mul', p, slice);
  });
}

/**
 * Records GhostNet's forward pass into `output`: the classifier's logits, or (`until: 'embedding'`)
 * the features that feed it (global average pool, conv_head, ReLU).
 */
export function recordGhostNet(net: PlanGhostNet, b: PlanBuilder, input: Sym, output: Sym, until: 'logits' | 'embedding' = 'logits'): void {
  let x = conv(b, input, net.stem);
  for (const block of net.blocks) {
    const residual = x;
    let h = ghost(b, x, block.ghost1, net.useGhostTail);
    if (block.dw) h = conv(b, h, block.dw);
    if (block.se) h = squeezeExcite(b, h, block.se);
    // The shortcut first, so that ghost2's kernel can add it while writing its output.
    const shortcut = block.shortcut ? conv(b, conv(b, residual, block.shortcut.dw), block.shortcut.pw) : residual;
    x = ghost(b, h, block.ghost2, net.useGhostTail, shortcut);
  }
  const last = conv(b, x, net.lastConv) as Sym;
  if (until === 'embedding') {
    dense(b, b.pool(last), net.head, 'relu', output);
    return;
  }
  dense(b, dense(b, b.pool(last), net.head, 'relu'), net.classifier, 'linear', output);
}
