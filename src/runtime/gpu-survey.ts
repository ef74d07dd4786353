/**
 * What GPU the page has, found without starting TensorFlow.js: a throwaway 1 x 1 canvas's WebGL
 * renderer string (unmasked where the browser gives it; the context is released at once). Cheap:
 * no shader is compiled, so the app can decide before its first answer whether a GPU backend is
 * worth trying in the background.
 */
import type { GpuSurvey } from './backend-choice.ts';

type GL = WebGLRenderingContext | WebGL2RenderingContext;

function throwawayContext(): GL | null {
  try {
    const canvas: OffscreenCanvas | HTMLCanvasElement = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(1, 1) : document.createElement('canvas');
    return (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as GL | null;
  } catch {
    return null;
  }
}

/** The WebGL renderer string, or null when the browser gives no WebGL context. */
export function webglRendererString(): string | null {
  const gl = throwawayContext();
  if (!gl) return null;
  try {
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  } catch {
    return 'unknown WebGL renderer';
  } finally {
    gl.getExtension('WEBGL_lose_context')?.loseContext();
  }
}

/** The survey planAuto decides from (WebGPU is added by the caller where it is looked for). */
export function surveyGpu(): GpuSurvey {
  return { webglRenderer: webglRendererString() };
}
