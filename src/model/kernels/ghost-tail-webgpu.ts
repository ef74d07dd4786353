/**
 * The Ghost-module tail on TF.js's WebGPU backend: one WGSL compute program that writes the
 * module's output [intrinsic, act(depthwise3x3(intrinsic) + bias)] (+ residual), where TF.js would
 * dispatch a depthwise program, a concatenation and an add. One invocation per output value (flat
 * dispatch, 64 per workgroup). Shapes come from the uniforms TF.js fills in (xShape, outShape,
 * size), so one pipeline serves every module: on a software adapter each compiled pipeline costs
 * seconds. No import of the WebGPU backend: it stays in its lazily loaded chunk.
 */

/** The structural part of TF.js's WebGPUProgram this program fills in. */
export interface WgslProgram {
  readonly outputShape: number[];
  readonly shaderKey: string;
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly variableNames: string[];
  readonly workgroupSize: [number, number, number];
  readonly size: boolean;
  getUserCode(): string;
}

/** What ghost-tail.ts calls on the backend (WebGPUBackend.runWebGPUProgram). */
export interface WebGPUProgramRunner {
  runWebGPUProgram(program: WgslProgram, inputs: unknown[], outputDtype: 'float32'): unknown;
}

const WORKGROUP = 64;
/** WebGPU's guaranteed maxComputeWorkgroupsPerDimension: larger outputs spread over y (TF.js's computeDispatch does the same). */
const MAX_GROUPS = 65535;

export function ghostTailWgslProgram(shape: readonly number[], relu: boolean, residual: boolean): WgslProgram {
  const [n, h, w, c] = shape;
  const outputShape = [n, h, w, 2 * c];
  const groups = Math.ceil((n * h * w * 2 * c) / WORKGROUP);
  const dispatch: [number, number, number] = groups <= MAX_GROUPS ? [groups, 1, 1] : [MAX_GROUPS, Math.ceil(groups / MAX_GROUPS), 1];
  return {
    outputShape,
    shaderKey: `ghostTail_${relu ? 'relu' : 'linear'}_${residual ? 'residual' : 'plain'}`,
    dispatchLayout: { x: [0, 1, 2, 3] },
    dispatch,
    variableNames: residual ? ['x', 'W', 'B', 'R'] : ['x', 'W', 'B'],
    workgroupSize: [WORKGROUP, 1, 1],
    size: true,
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let coords = getCoordsFromIndex(index);
          let b = coords[0];
          let y = coords[1];
          let x = coords[2];
          let d = coords[3];
          let h = uniforms.xShape[1];
          let w = uniforms.xShape[2];
          let c = uniforms.xShape[3];
          var value = 0.0;
          if (d < c) {
            value = getX(b, y, x, d);
          } else {
            let k = d - c;
            value = getB(k);
            for (var dy = -1; dy <= 1; dy = dy + 1) {
              let yy = y + dy;
              if (yy >= 0 && yy < h) {
                for (var dx = -1; dx <= 1; dx = dx + 1) {
                  let xx = x + dx;
                  if (xx >= 0 && xx < w) {
                    value = value + getX(b, yy, xx, k) * getW(dy + 1, dx + 1, k, 0);
                  }
                }
              }
            }
            ${relu ? 'value = max(value, 0.0);' : ''}
          }
          ${residual ? 'value = value + getR(b, y, x, d);' : ''}
          setOutputAtIndex(index, value);
        }
      }`,
  };
}
