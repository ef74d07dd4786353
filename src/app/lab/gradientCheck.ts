/** The engine's gradient check with TF.js's gradients registered (the ESM build registers none by itself). */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
export { labGradientCheck } from '../../lab/gradient-check.ts';
