/** Exactly what the model saw: the S x S resized pixels of the last inference, drawn on one canvas. */
import { useEffect, useRef } from 'react';
import { useApp } from '../store.ts';

export function ModelInputPreview() {
  const modelInput = useApp((s) => s.modelInput);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const imageRef = useRef<ImageData | null>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || !modelInput) return;
    const { rgb, size } = modelInput;
    if (canvas.width !== size) { canvas.width = size; canvas.height = size; }
    // One ImageData per size, refilled for each frame.
    if (imageRef.current?.width !== size) imageRef.current = ctx.createImageData(size, size);
    const out = imageRef.current.data;
    for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
      out[j] = rgb[i];
      out[j + 1] = rgb[i + 1];
      out[j + 2] = rgb[i + 2];
      out[j + 3] = 255;
    }
    ctx.putImageData(imageRef.current, 0, 0);
  }, [modelInput]);

  return (
    <figure className="model-input" hidden={!modelInput}>
      <canvas ref={canvasRef} data-testid="model-input-preview" data-size={modelInput?.size ?? ''} width={1} height={1} role="img" aria-label={modelInput ? `The model's input: ${modelInput.size} by ${modelInput.size} pixels` : 'No input yet'} />
      <figcaption>Model input ({modelInput?.size ?? '–'} × {modelInput?.size ?? '–'} px)</figcaption>
    </figure>
  );
}
