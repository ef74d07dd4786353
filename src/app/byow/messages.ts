/** Messages between the page and the checkpoint-conversion worker. */
import type { ConvertedModel } from '../../convert/convert.ts';

export interface ConvertRequest {
  readonly bytes: ArrayBuffer;
  readonly fileName: string;
}

export type ConvertReply =
  | { readonly type: 'progress'; readonly fraction: number; readonly stage: string }
  | { readonly type: 'done'; readonly model: ConvertedModel }
  | { readonly type: 'error'; readonly message: string };
