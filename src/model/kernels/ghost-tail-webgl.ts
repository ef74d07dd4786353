/**
 * The Ghost-module tail on the TF.js WebGL backend: one packed shader that writes the module's
 * output [intrinsic, act(depthwise3x3(intrinsic) + bias)] (+ residual), where TF.js would run a
 * depthwise program, a concatenation and an add. Every output texel holds a 2 x 2 block
 * (two columns x two channels) of the packed NHWC layout, as TF.js packs the last two dimensions.
 *
 * Requires an even number of intrinsic channels (a channel pair never straddles the two halves)
 * and an untruncated output (2c channels): true of GhostNet v1 at 0.5x, 1.0x and 1.3x.
 */
import type * as tf from '@tensorflow/tfjs-core';

/** The structural part of TF.js's GPGPUProgram this program fills in. */
export interface PackedProgram {
  readonly variableNames: string[];
  readonly outputShape: number[];
  readonly userCode: string;
  readonly packedInputs: boolean;
  readonly packedOutput: boolean;
}

export function ghostTailProgram(shape: readonly number[], relu: boolean, residual: boolean): PackedProgram {
  const [n, h, w, c] = shape;
  if (c % 2 !== 0) throw new Error('the WebGL Ghost-module kernel needs an even number of intrinsic channels');
  // The three input columns a pair of output columns (x, x + 1) needs per filter row: the texel at
  // x - 2 (its second column is x - 1), the one at x (x, x + 1) and the one at x + 2 (x + 2).
  const rows = [-1, 0, 1]
    .map((dy) => `
      {
        int yy = y + ${dy};
        if (yy >= 0 && yy < ${h}) {
          vec4 mid = getX(b, yy, x, k);
          if (x + 1 >= ${w}) mid.zw = vec2(0.0);
          vec2 left = x >= 2 ? getX(b, yy, x - 2, k).zw : vec2(0.0);
          vec2 right = x + 2 < ${w} ? getX(b, yy, x + 2, k).xy : vec2(0.0);
          vec2 wl = getW(${dy + 1}, 0, k, 0).xz;
          vec2 wm = getW(${dy + 1}, 1, k, 0).xz;
          vec2 wr = getW(${dy + 1}, 2, k, 0).xz;
          acc0 += left * wl + mid.xy * wm + mid.zw * wr;
          acc1 += mid.xy * wl + mid.zw * wm + right * wr;
        }
      }`)
    .join('');
  const userCode = `
    void main() {
      ivec4 coords = getOutputCoords();
      int b = coords.x;
      int y = coords.y;
      int x = coords.z;
      int d = coords.w;
      vec4 result;
      if (d < ${c}) {
        result = getX(b, y, x, d);
      } else {
        int k = d - ${c};
        vec2 acc0 = getB(k).xy;
        vec2 acc1 = acc0;
        ${rows}
        ${relu ? 'acc0 = max(acc0, 0.0); acc1 = max(acc1, 0.0);' : ''}
        result = vec4(acc0, acc1);
      }
      ${residual ? 'result += getR(b, y, x, d);' : ''}
      setOutput(result);
    }`;
  return {
    variableNames: residual ? ['x', 'W', 'B', 'R'] : ['x', 'W', 'B'],
    outputShape: [n, h, w, 2 * c],
    userCode,
    packedInputs: true,
    packedOutput: true,
  };
}

/**
 * A Ghost module's tail followed by its bottleneck's stride-2 depthwise convolution (k x k, linear,
 * BatchNorm folded), as ONE packed shader: the module's full-resolution output is never written.
 * Each output texel (two columns x two channels at half resolution) reads the intrinsic maps it
 * needs and, for the ghost half, computes the cheap operation at the k x (k + 2) positions its
 * window covers. Inputs: x (intrinsic, [n, h, w, c]), Wc / Bc (cheap operation, [3, 3, c, 1] / [c]),
 * Wd / Bd (stride-2 depthwise, [k, k, 2c, 1] / [2c]).
 */
export function ghostTailStride2Program(shape: readonly number[], relu: boolean, kernel: number): PackedProgram {
  const [n, h, w, c] = shape;
  if (c % 2 !== 0) throw new Error('the WebGL Ghost-module kernel needs an even number of intrinsic channels');
  const p = Math.floor(kernel / 2);
  const ho = Math.floor((h + 2 * p - kernel) / 2) + 1;
  const wo = Math.floor((w + 2 * p - kernel) / 2) + 1;
  // Output columns xo and xo + 1 (xo even) read input columns 2xo - p + j, j in [0, k + 2);
  // the cheap operation around them reads columns 2xo - p - 1 + i, i in [0, k + 4). Since 2xo is
  // a multiple of 4, each column's parity (which half of a texel holds it) is known here.
  const col = (i: number) => `(x0 + ${i})`; // x0 = 2xo - p - 1
  const half = (i: number) => (((i - p - 1) % 2) + 2) % 2 === 0 ? 'xy' : 'zw';
  const texelCol = (i: number) => (half(i) === 'xy' ? col(i) : `(${col(i)} - 1)`);
  const lines: string[] = [];
  // Intrinsic maps over the window: rows y0 + r (r in [0, k + 2)), columns i in [0, k + 4).
  for (let r = 0; r < kernel + 2; r++) {
    for (let i = 0; i < kernel + 4; i++) {
      lines.push(`vec2 i_${r}_${i} = (y0 + ${r} >= 0 && y0 + ${r} < ${h} && ${col(i)} >= 0 && ${col(i)} < ${w}) ? getX(b, y0 + ${r}, ${texelCol(i)}, ch).${half(i)} : vec2(0.0);`);
    }
  }
  const body = (ghostHalf: boolean) => {
    const out: string[] = [];
    if (ghostHalf) {
      out.push('vec2 bc = getBc(ch).xy;');
      for (let t = 0; t < 9; t++) out.push(`vec2 wc_${t} = getWc(${Math.floor(t / 3)}, ${t % 3}, ch, 0).xz;`);
    }
    out.push('vec2 acc0 = getBd(d).xy;', 'vec2 acc1 = acc0;');
    for (let ky = 0; ky < kernel; ky++) {
      for (let kx = 0; kx < kernel; kx++) out.push(`vec2 wd_${ky}_${kx} = getWd(${ky}, ${kx}, d, 0).xz;`);
    }
    // Values at window position (row ky, column j): the intrinsic value, or the ghost value computed
    // from its 3 x 3 neighbourhood (zero outside the image: the padding of the module's output).
    for (let ky = 0; ky < kernel; ky++) {
      for (let j = 0; j < kernel + 2; j++) {
        const r = ky + 1;
        const i = j + 1;
        if (!ghostHalf) {
          out.push(`vec2 v_${ky}_${j} = i_${r}_${i};`);
        } else {
          const taps = [];
          for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) taps.push(`i_${r + dy}_${i + dx} * wc_${(dy + 1) * 3 + dx + 1}`);
          const inside = `(y0 + ${r} >= 0 && y0 + ${r} < ${h} && ${col(i)} >= 0 && ${col(i)} < ${w})`;
          const value = `bc + ${taps.join(' + ')}`;
          out.push(`vec2 v_${ky}_${j} = ${inside} ? ${relu ? `max(${value}, 0.0)` : value} : vec2(0.0);`);
        }
      }
    }
    for (let ky = 0; ky < kernel; ky++) {
      for (let kx = 0; kx < kernel; kx++) out.push(`acc0 += v_${ky}_${kx} * wd_${ky}_${kx};`, `acc1 += v_${ky}_${kx + 2} * wd_${ky}_${kx};`);
    }
    out.push('result = vec4(acc0, acc1);');
    return out.join('\n          ');
  };
  const userCode = `
    void main() {
      ivec4 coords = getOutputCoords();
      int b = coords.x;
      int d = coords.w;
      int y0 = coords.y * 2 - ${p} - 1;
      int x0 = coords.z * 2 - ${p} - 1;
      int ch = d < ${c} ? d : d - ${c};
      ${lines.join('\n      ')}
      vec4 result;
      if (d < ${c}) {
          ${body(false)}
      } else {
          ${body(true)}
      }
      setOutput(result);
    }`;
  return {
    variableNames: ['x', 'Wc', 'Bc', 'Wd', 'Bd'],
    outputShape: [n, ho, wo, 2 * c],
    userCode,
    packedInputs: true,
    packedOutput: true,
  };
}

/** What the kernel needs of MathBackendWebGL. */
export interface WebGLProgramRunner {
  runWebGLProgram(program: PackedProgram, inputs: tf.TensorInfo[], outputDtype: 'float32'): tf.TensorInfo;
}
