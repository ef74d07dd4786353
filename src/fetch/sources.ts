/**
 * Where the authors' ImageNet GhostNet 1.0x weights come from, in the order they are tried. The app
 * takes this table (or the build-time list in VITE_IMAGENET_WEIGHTS_URLS, which replaces it);
 * the CLI takes it (or its --url options). Nothing at run time, no query parameter, can change it.
 */

export type WeightFormat = 'safetensors' | 'pth' | 'checkpoint';

export interface WeightSource {
  readonly url: string;
  /** What the file is expected to be (the converter still detects the format from the bytes). */
  readonly format: WeightFormat;
  /** About how big the file is: the progress bar's total until the server says the length. */
  readonly approxBytes: number;
  readonly licence: string;
  readonly credit: string;
  /**
   * Origins the URL may redirect to (huggingface.co answers with its CDN): the page's
   * Content-Security-Policy must allow them too, since connect-src applies to every redirect.
   */
  readonly redirectOrigins: readonly string[];
}

/** The paper the weights come with, and what its authors report for the 1.0x ImageNet model. */
export const GHOSTNET_PAPER = {
  citation: 'Han, Wang, Tian, Guo, Xu, Xu: "GhostNet: More Features from Cheap Operations", CVPR 2020',
  url: 'https://arxiv.org/abs/1911.11907',
  repository: 'https://github.com/huawei-noah/Efficient-AI-Backbones',
  imagenetTop1: 73.9,
} as const;

export const IMAGENET_SOURCES = [
  {
    url: 'https://huggingface.co/timm/ghostnet_100.in1k/resolve/main/model.safetensors',
    format: 'safetensors',
    approxBytes: 20_900_000,
    licence: 'Apache-2.0',
    credit: "timm's copy (huggingface.co/timm/ghostnet_100.in1k) of the GhostNet 1.0x ImageNet weights published by Huawei Noah's Ark Lab",
    // resolve/ URLs redirect to the LFS / Xet CDNs (cdn-lfs*.hf.co, cas-bridge.xethub.hf.co, ...).
    redirectOrigins: ['https://*.hf.co', 'https://*.huggingface.co'],
  },
  {
    url: 'https://raw.githubusercontent.com/huawei-noah/Efficient-AI-Backbones/master/ghostnet_pytorch/models/state_dict_73.98.pth',
    format: 'pth',
    approxBytes: 20_900_000,
    licence: 'Apache-2.0',
    credit: "the authors' own file, Huawei Noah's Ark Lab (github.com/huawei-noah/Efficient-AI-Backbones)",
    redirectOrigins: [],
  },
] as const satisfies readonly WeightSource[];

/** Limits every download obeys, in the browser and in the CLI. */
export const DOWNLOAD_LIMITS = {
  /** A GhostNet checkpoint is never this small (0.5x fp16 is ~5 MB); an error page often is. */
  minBytes: 1_000_000,
  /** ...nor this big (1.3x fp32 is ~30 MB). */
  maxBytes: 100_000_000,
  /** A source that sends nothing for this long is given up. */
  stallMs: 30_000,
} as const;

export type DownloadLimits = { readonly minBytes: number; readonly maxBytes: number; readonly stallMs: number };

/** The host a user recognises ("huggingface.co", "127.0.0.1:4321"). */
export function hostOf(url: string): string {
  return new URL(url).host;
}

function formatOf(url: URL): WeightFormat {
  const path = url.pathname.toLowerCase();
  if (path.endsWith('.safetensors')) return 'safetensors';
  if (path.endsWith('.pth') || path.endsWith('.pt')) return 'pth';
  return 'checkpoint';
}

/** One http(s) URL as a source (format from its extension, the usual size); throws on anything else. */
export function sourceFromUrl(text: string): WeightSource {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new Error(`"${text}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`"${text}" is not an http(s) URL`);
  return {
    url: url.href,
    format: formatOf(url),
    approxBytes: IMAGENET_SOURCES[0].approxBytes,
    // A mirror serves the same weights, under the same licence.
    licence: IMAGENET_SOURCES[0].licence,
    credit: `a copy at ${url.host} of the GhostNet 1.0x ImageNet weights published by Huawei Noah's Ark Lab`,
    redirectOrigins: [],
  };
}

/** The sources in force: a comma-separated override (the build-time variable) or the table. */
export function imagenetSources(override?: string | null): readonly WeightSource[] {
  const urls = (override ?? '').split(',').map((u) => u.trim()).filter(Boolean);
  return urls.length > 0 ? urls.map(sourceFromUrl) : IMAGENET_SOURCES;
}

/** Every origin a download from these sources may talk to, for the CSP's connect-src. */
export function connectSrcOrigins(sources: readonly WeightSource[]): string[] {
  return [...new Set(sources.flatMap((s) => [new URL(s.url).origin, ...s.redirectOrigins]))];
}

/** `index.html` with those origins added to its CSP connect-src (build time; throws if it cannot). */
export function withConnectSrc(html: string, origins: readonly string[]): string {
  if (!html.includes('Content-Security-Policy')) return html;
  const base = "connect-src 'self' blob: data:";
  if (!html.includes(base)) throw new Error(`index.html's Content-Security-Policy has no "${base}" to extend with the weight sources`);
  return html.replace(base, [base, ...origins].join(' '));
}
