/** The Lab tab's defaults and limits in one table. */
export const LAB_SETTINGS = {
  /** The data pack, relative to the page (public/lab/). */
  packUrl: 'lab/cifar10-lab.bin',
  defaults: { config: 'vanilla', width: 1, epochs: 3, seed: 1, seeds: 1, trainImages: 2000 },
  limits: { minImages: 100, maxImages: 10_000, maxEpochs: 50, maxSeeds: 5 },
  widths: [0.25, 0.5, 1, 1.5, 2] as const,
  imageChoices: [500, 1000, 2000, 5000, 10_000] as const,
} as const;
