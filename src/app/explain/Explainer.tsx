/** Ordinary convolution vs Ghost module for parameters the learner picks (paper Section 3.1, Eq. 4 and 5). */
import { useEffect, useMemo, useRef, useState } from 'react';
import { ghostModuleShape, ghostModules } from '../../model/architecture.ts';
import {
  approximateRatio, compressionRatio, ghostModuleCost, intrinsicMaps, ordinaryConvCost, speedupRatio, type GhostModuleParams,
} from '../../model/cost.ts';
import { useApp, withdrawMessage } from '../store.ts';
import { formatInteger, formatRatio } from './format.ts';
import { GhostDiagram } from './GhostDiagram.tsx';
import { DEFAULT_PARAMS, PARAM_FIELDS, parseParam, type ParamKey } from './explainerParams.ts';
import { Tex } from './Tex.tsx';

type Texts = Record<ParamKey, string>;

const toTexts = (p: GhostModuleParams): Texts =>
  Object.fromEntries(PARAM_FIELDS.map((f) => [f.key, String(p[f.key])])) as Texts;

/** Valid values from the texts, and the first problem if any field is invalid. */
function readTexts(texts: Texts): { params: GhostModuleParams | null; message: string | null } {
  const values: Partial<Record<ParamKey, number>> = {};
  for (const f of PARAM_FIELDS) {
    const parsed = parseParam(f, texts[f.key]);
    if ('message' in parsed) return { params: null, message: parsed.message };
    values[f.key] = parsed.value;
  }
  return { params: values as GhostModuleParams, message: null };
}

function Value({ testId, value, text }: { testId: string; value: number; text: string }) {
  return <output data-testid={testId} data-value={value}>{text}</output>;
}

/** Pick a real Ghost module of the loaded model as the starting point. */
function ModulePicker({ onPick }: { onPick: (p: GhostModuleParams) => void }) {
  const model = useApp((s) => (s.model?.kind === 'ghostnet' ? s.model : null));
  const inputSize = useApp((s) => s.inputSize);
  if (!model) return null;
  const modules = ghostModules(model.spec);
  return (
    <label className="module-picker">
      Take the numbers of a Ghost module of {model.metadata.name} at {inputSize} px{' '}
      <select
        data-testid="explainer-module"
        value=""
        onChange={(e) => {
          const { module, size } = ghostModuleShape(model.spec, e.target.value, inputSize);
          onPick({ c: module.inChannels, n: module.outChannels, k: module.primaryKernel, d: module.cheapKernel, s: module.ratio, h: size, w: size });
        }}
      >
        <option value="" disabled>choose…</option>
        {modules.map((g) => <option key={g.id} value={g.id}>{g.id}</option>)}
      </select>
    </label>
  );
}

export function Explainer() {
  const [texts, setTexts] = useState<Texts>(() => toTexts(DEFAULT_PARAMS));
  const [last, setLast] = useState<GhostModuleParams>(DEFAULT_PARAMS);
  const shownError = useRef<string | null>(null);
  const { params, message } = useMemo(() => readTexts(texts), [texts]);

  useEffect(() => {
    if (message) {
      shownError.current = `Explainer: ${message} The numbers below still use the last valid values.`;
      useApp.getState().set({ error: shownError.current, errorPinned: true });
    } else {
      if (params) setLast(params);
      withdrawMessage('error', shownError.current);
      shownError.current = null;
    }
  }, [message, params]);

  const p = params ?? last;
  const ordinary = ordinaryConvCost(p);
  const ghost = ghostModuleCost(p);
  const m = intrinsicMaps(p);
  const rs = speedupRatio(p);
  const rc = compressionRatio(p);
  const approx = approximateRatio(p);
  const exactFormula = `r_s = \\frac{${p.n}\\cdot${p.h}\\cdot${p.w}\\cdot${p.c}\\cdot${p.k}^2}{${m}\\cdot${p.h}\\cdot${p.w}\\cdot${p.c}\\cdot${p.k}^2 + ${p.s - 1}\\cdot${m}\\cdot${p.h}\\cdot${p.w}\\cdot${p.d}^2} = ${rs.toFixed(2)}`;

  return (
    <section className="explainer" aria-labelledby="explainer-title">
      <h3 id="explainer-title">An ordinary convolution vs a Ghost module</h3>
      <p>
        Both make <Tex>n</Tex> output maps of size <Tex>{"h' \\times w'"}</Tex> from <Tex>c</Tex> input maps. The Ghost module makes only{' '}
        <Tex>{'m = \\lceil n/s \\rceil'}</Tex> <em>intrinsic</em> maps with a real <Tex>{'k \\times k'}</Tex> convolution and derives{' '}
        <Tex>s-1</Tex> <em>ghosts</em> from each with a cheap <Tex>{'d \\times d'}</Tex> depthwise (linear) operation <Tex>{'\\Phi'}</Tex>.
      </p>
      <fieldset className="explainer-controls">
        <legend>Parameters</legend>
        {PARAM_FIELDS.map((f) => (
          <label key={f.key} title={f.label}>
            <Tex>{f.tex}</Tex> <span className="control-hint">{f.label}</span>
            <input
              type="number"
              inputMode="numeric"
              min={f.min}
              max={f.max}
              step={1}
              data-testid={`explainer-input-${f.key}`}
              aria-label={`${f.tex}: ${f.label}`}
              aria-invalid={'message' in parseParam(f, texts[f.key])}
              value={texts[f.key]}
              onChange={(e) => setTexts({ ...texts, [f.key]: e.target.value })}
            />
          </label>
        ))}
        <ModulePicker onPick={(picked) => setTexts(toTexts(picked))} />
      </fieldset>

      <table className="explainer-results" data-testid="explainer-results">
        <caption>Cost of one layer (multiply-adds and weights; biases and BatchNorm left out, as in the paper)</caption>
        <thead>
          <tr><th scope="col">Layer</th><th scope="col">Multiply-adds</th><th scope="col">Parameters</th></tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Ordinary convolution <Tex>{"n\\,h'w'\\,c\\,k^2"}</Tex></th>
            <td><Value testId="explainer-ordinary-macs" value={ordinary.macs} text={formatInteger(ordinary.macs)} /></td>
            <td><Value testId="explainer-ordinary-params" value={ordinary.params} text={formatInteger(ordinary.params)} /></td>
          </tr>
          <tr>
            <th scope="row">Ghost module <Tex>{"m\\,h'w'\\,c\\,k^2 + (s-1)\\,m\\,h'w'\\,d^2"}</Tex>, <Value testId="explainer-intrinsic" value={m} text={`m = ${m}`} /></th>
            <td><Value testId="explainer-ghost-macs" value={ghost.macs} text={formatInteger(ghost.macs)} /></td>
            <td><Value testId="explainer-ghost-params" value={ghost.params} text={formatInteger(ghost.params)} /></td>
          </tr>
          <tr>
            <th scope="row">Ratio (ordinary / Ghost)</th>
            <td>speed-up <Tex>r_s</Tex> = <Value testId="explainer-speedup" value={rs} text={formatRatio(rs)} /></td>
            <td>compression <Tex>r_c</Tex> = <Value testId="explainer-compression" value={rc} text={formatRatio(rc)} /></td>
          </tr>
          <tr>
            <th scope="row">Paper's approximation <Tex>{'\\tfrac{s\\,c}{s+c-1}'}</Tex> (for <Tex>{'d \\approx k'}</Tex>)</th>
            <td colSpan={2}><Value testId="explainer-approx" value={approx} text={formatRatio(approx)} /> ≈ <Tex>s</Tex> = {p.s}</td>
          </tr>
        </tbody>
      </table>

      {/* Wider than a phone: it scrolls sideways, so it takes focus for keyboard scrolling. */}
      <div className="explainer-formulas" tabIndex={0} role="region" aria-label="Eq. 4 and 5">
        <p>Eq. 4, the theoretical speed-up:</p>
        <Tex display>{"r_s = \\frac{n\\cdot h'\\cdot w'\\cdot c\\cdot k\\cdot k}{\\frac{n}{s}\\cdot h'\\cdot w'\\cdot c\\cdot k\\cdot k + (s-1)\\cdot\\frac{n}{s}\\cdot h'\\cdot w'\\cdot d\\cdot d} = \\frac{c\\cdot k\\cdot k}{\\frac{1}{s}\\cdot c\\cdot k\\cdot k + \\frac{s-1}{s}\\cdot d\\cdot d} \\approx \\frac{s\\cdot c}{s+c-1} \\approx s"}</Tex>
        <p>With your numbers:</p>
        <Tex display>{exactFormula}</Tex>
        <p>Eq. 5, the compression ratio:</p>
        <Tex display>{'r_c = \\frac{n\\cdot c\\cdot k\\cdot k}{\\frac{n}{s}\\cdot c\\cdot k\\cdot k + (s-1)\\cdot\\frac{n}{s}\\cdot d\\cdot d} \\approx \\frac{s\\cdot c}{s+c-1} \\approx s'}</Tex>
        {p.n % p.s !== 0 && <p className="note">s does not divide n, so the module computes <Tex>{'m = \\lceil n/s \\rceil'}</Tex> intrinsic maps and drops the surplus ghosts, as the authors&apos; code does.</p>}
      </div>
      <GhostDiagram c={p.c} n={p.n} s={p.s} m={m} />
    </section>
  );
}
