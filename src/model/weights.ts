/**
 * The prepared weights of one GhostNet (BatchNorm folded, split into channel parts where the
 * layout needs it), as plain typed records. Both executions read them: the op-by-op forward
 * pass (network.ts) and the compiled wasm plan (ghostnet-plan.ts).
 */
import type { BottleneckSpec, GhostModuleSpec } from './architecture.ts';
import type { Conv, Dense, FoldedConv } from './convs.ts';

/**
 * How a Ghost module hands on [intrinsic, ghost]:
 * - `concat`: one tensor, concatenated at run time (the reference formulation);
 * - `interleaved`: one tensor from ONE depthwise conv with channel multiplier `ratio` whose first
 *   filter per channel is the identity (channels i0, g0, i1, g1, ...);
 * - `parts`: the two tensors as they are; depthwise convs and squeeze-excite run per part, and a
 *   conv over them is the sum of one conv per part.
 */
export type GhostOutput = 'concat' | 'interleaved' | 'parts';

export interface GhostWeights {
  readonly spec: GhostModuleSpec;
  readonly primary: Conv;
  /** The cheap operation; for `interleaved`, identity + cheap operation as one depthwise conv. */
  readonly cheap: FoldedConv;
  readonly output: GhostOutput;
}

export interface BlockWeights {
  readonly spec: BottleneckSpec;
  readonly ghost1: GhostWeights;
  readonly dw: Conv | null;
  readonly se: { readonly reduce: Dense; readonly expand: Dense } | null;
  readonly ghost2: GhostWeights;
  readonly shortcut: { readonly dw: Conv; readonly pw: Conv } | null;
}
