/**
 * The app's weight sources: the table in src/fetch/sources.ts, or the list the build was given in
 * VITE_IMAGENET_WEIGHTS_URLS. Fixed at build time (the CSP allows exactly these origins); nothing
 * in the page's URL can change them.
 */
import { imagenetSources } from '../../fetch/sources.ts';

export const APP_SOURCES = imagenetSources(import.meta.env.VITE_IMAGENET_WEIGHTS_URLS as string | undefined);

/** The downloaded model's id in the model list and in the browser's storage. */
export const IMAGENET_MODEL_ID = 'imagenet-ghostnet_100';
