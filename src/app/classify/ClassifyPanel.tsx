import { GHOSTNET_PIPELINE } from '../input/pipeline.ts';
import { InputShell } from '../input/InputShell.tsx';
import { ModelLoader } from '../byow/ModelLoader.tsx';

/** The Classify tab: the input shell wired to GhostNet's preprocessing, and bring-your-own weights. */
export function ClassifyPanel() {
  return (
    <>
      <InputShell pipeline={GHOSTNET_PIPELINE} />
      <ModelLoader />
    </>
  );
}
