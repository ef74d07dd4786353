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

/** What the kernel needs of MathBackendWebGL. */
export interface WebGLProgramRunner {
  runWebGLProgram(program: PackedProgram, inputs: tf.TensorInfo[], outputDtype: 'float32'): tf.TensorInfo;
}
