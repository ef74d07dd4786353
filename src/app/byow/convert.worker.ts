/// <reference lib="webworker" />
/** Converts a checkpoint off the main thread; the weights buffer is transferred back, not copied. */
import { convertCheckpoint } from '../../convert/convert.ts';
import type { ConvertReply, ConvertRequest } from './messages.ts';

const post = (reply: ConvertReply, transfer: Transferable[] = []) => (self as unknown as DedicatedWorkerGlobalScope).postMessage(reply, transfer);

self.onmessage = async (event: MessageEvent<ConvertRequest>) => {
  const { bytes, fileName } = event.data;
  try {
    const model = await convertCheckpoint(new Uint8Array(bytes), {
      sourceName: fileName,
      onProgress: (fraction, stage) => post({ type: 'progress', fraction, stage }),
    });
    post({ type: 'done', model }, [model.weightData]);
  } catch (e) {
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
};
