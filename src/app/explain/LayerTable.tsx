/** Every weighted layer of the loaded model with its cost, beside the same network without Ghost modules. */
import { Fragment, useMemo, useState } from 'react';
import { buildNetworkSpec, type NetworkSpec } from '../../model/architecture.ts';
import { layerCosts, totals, vanillaLayerCosts, type CostTotals, type LayerCost } from '../../model/cost.ts';
import { useApp } from '../store.ts';
import { formatCount, formatInteger, formatPercent, formatRatio } from './format.ts';
import { groupLayers, type BlockGroup } from './layerGroups.ts';

const PAPER_SIZE = 224;
const PAPER_CLASSES = 1000;

const ROLE_LABEL: Record<LayerCost['role'], string> = {
  stem: 'stem',
  'ghost-primary': 'Ghost: primary conv',
  'ghost-cheap': 'Ghost: cheap Φ',
  'ghost-vanilla': 'ordinary conv',
  'dw-stride': 'stride-2 depthwise',
  se: 'squeeze-excite',
  shortcut: 'shortcut',
  'last-conv': '1×1 conv',
  head: 'head (pooled)',
  classifier: 'classifier',
};

function opText(r: LayerCost): string {
  if (r.kind === 'linear') return `linear ${r.inChannels}→${r.outChannels}`;
  const kind = r.kind === 'se' ? 'SE 1×1' : `${r.kind} ${r.kernel}×${r.kernel}`;
  return `${kind}${r.stride > 1 ? ` /${r.stride}` : ''}`;
}

const shapeText = (r: LayerCost) => r.outShape.join('×');
const localName = (r: LayerCost) => (r.block && r.id.startsWith(`${r.block}.`) ? r.id.slice(r.block.length + 1) : r.id);

function CostCells({ cost, testPrefix }: { cost: CostTotals; testPrefix?: string }) {
  return (
    <>
      <td className="num" data-testid={testPrefix && `${testPrefix}-params`} data-value={cost.params}>{formatInteger(cost.params)}</td>
      <td className="num" data-testid={testPrefix && `${testPrefix}-macs`} data-value={cost.macs}>{formatInteger(cost.macs)}</td>
    </>
  );
}

function BlockRows({ block }: { block: BlockGroup }) {
  const vanillaByModule = new Map(block.vanillaRows.filter((v) => v.ghostModule).map((v) => [v.ghostModule!, v]));
  const isBottleneck = block.rows[0].block !== null && block.rows.length > 1;
  return (
    <>
      {isBottleneck && (
        <tr className="block-row" data-testid="block-row" data-block-id={block.id}>
          <th scope="rowgroup" colSpan={3}>{block.id}</th>
          <CostCells cost={block.cost} />
          <td />
          <CostCells cost={block.vanillaCost} />
        </tr>
      )}
      {block.rows.map((r) => {
        const vanilla = r.ghostModule ? vanillaByModule.get(r.ghostModule) : r;
        const replaced = r.role === 'ghost-primary';
        return (
          <tr key={r.id} data-testid="layer-row" data-layer-id={r.id} className={r.ghostModule ? 'ghost-layer' : undefined}>
            <th scope="row" className="layer-name">{localName(r)}<span className="role">{ROLE_LABEL[r.role]}</span></th>
            <td>{opText(r)}</td>
            <td>{shapeText(r)}</td>
            <CostCells cost={r} testPrefix="layer" />
            {r.role === 'ghost-cheap' ? null : vanilla && (
              <>
                <td rowSpan={replaced ? 2 : 1} className={replaced ? 'vanilla-replaced' : 'vanilla-same'}>{replaced ? `${opText(vanilla)} →${vanilla.outChannels}` : 'same'}</td>
                <td rowSpan={replaced ? 2 : 1} className="num">{formatInteger(vanilla.params)}</td>
                <td rowSpan={replaced ? 2 : 1} className="num">{formatInteger(vanilla.macs)}</td>
              </>
            )}
          </tr>
        );
      })}
    </>
  );
}

function useCosts(spec: NetworkSpec | null, size: number) {
  return useMemo(() => {
    if (!spec) return null;
    const rows = layerCosts(spec, size);
    const vanilla = vanillaLayerCosts(spec, rows);
    return { rows, vanilla, groups: groupLayers(rows, vanilla), total: totals(rows), vanillaTotal: totals(vanilla) };
  }, [spec, size]);
}

export function LayerTable() {
  const model = useApp((s) => (s.model?.kind === 'ghostnet' ? s.model : null));
  const labName = useApp((s) => (s.model?.kind === 'lab' ? s.model.metadata.name : null));
  const inputSize = useApp((s) => s.inputSize);
  const [paperSetting, setPaperSetting] = useState(false);
  const spec = useMemo(
    () => (model ? (paperSetting ? buildNetworkSpec(model.spec.width, PAPER_CLASSES) : model.spec) : null),
    [model, paperSetting],
  );
  const size = paperSetting ? PAPER_SIZE : inputSize;
  const costs = useCosts(spec, size);
  if (labName !== null) {
    return (
      <p className="explain-wait" data-testid="explain-lab-note">
        The per-layer table, the timings and the walk-through are worked out for GhostNet models. The model in use, {labName}, is a
        network trained in the Ghost lab: the Lab tab lists its parameters and multiply-adds beside its ordinary twin&apos;s.
      </p>
    );
  }
  if (!model || !costs || !spec) return <p className="explain-wait">The per-layer table appears when a model is loaded.</p>;
  const { total, vanillaTotal } = costs;
  return (
    <section className="layer-table-section" aria-labelledby="layer-table-title">
      <h3 id="layer-table-title">Every layer of {model.metadata.name}</h3>
      <label className="paper-toggle">
        <input type="checkbox" data-testid="paper-setting" checked={paperSetting} onChange={(e) => setPaperSetting(e.target.checked)} />{' '}
        Paper setting: {PAPER_SIZE} × {PAPER_SIZE} input and a {PAPER_CLASSES}-class head (compare the paper&apos;s Table 7)
      </label>
      <p className="layer-summary" data-testid="layer-summary" data-width={spec.width} data-size={size} data-classes={spec.numClasses}>
        At {size} × {size} px with {spec.numClasses} classes: <strong data-testid="summary-macs" data-value={total.macs}>{formatCount(total.macs)}</strong> multiply-adds and{' '}
        <strong data-testid="summary-params" data-value={total.params}>{formatCount(total.params)}</strong> parameters. With every Ghost module replaced by one
        ordinary convolution of the same width: <strong data-testid="summary-vanilla-macs" data-value={vanillaTotal.macs}>{formatCount(vanillaTotal.macs)}</strong> and{' '}
        <strong data-testid="summary-vanilla-params" data-value={vanillaTotal.params}>{formatCount(vanillaTotal.params)}</strong>. Ghost modules save{' '}
        <strong data-testid="summary-saving">{formatPercent(1 - total.macs / vanillaTotal.macs)}</strong> of the multiply-adds ({formatRatio(vanillaTotal.macs / total.macs)} fewer) and{' '}
        {formatPercent(1 - total.params / vanillaTotal.params)} of the parameters. Multiply-adds count convolutions and linear layers; parameters include biases and BatchNorm.
      </p>
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Per-layer costs">
        <table className="layer-table" data-testid="layer-table">
          <thead>
            <tr>
              <th scope="col" rowSpan={2}>Layer</th>
              <th scope="col" rowSpan={2}>Operation</th>
              <th scope="col" rowSpan={2}>Output h×w×c</th>
              <th scope="colgroup" colSpan={2}>GhostNet</th>
              <th scope="colgroup" colSpan={3}>Vanilla counterpart</th>
            </tr>
            <tr>
              <th scope="col">Params</th><th scope="col">Multiply-adds</th>
              <th scope="col">Operation</th><th scope="col">Params</th><th scope="col">Multiply-adds</th>
            </tr>
          </thead>
          {costs.groups.map((section) => (
            <tbody key={section.id} data-testid="stage-group" data-stage-id={section.id}>
              <tr className="section-row">
                <th scope="rowgroup" colSpan={3}>{section.label}</th>
                <CostCells cost={section.cost} />
                <td />
                <CostCells cost={section.vanillaCost} />
              </tr>
              {section.blocks.map((b) => <Fragment key={b.id}><BlockRows block={b} /></Fragment>)}
            </tbody>
          ))}
          <tfoot>
            <tr className="total-row">
              <th scope="row" colSpan={3}>Total</th>
              <CostCells cost={total} testPrefix="layer-total" />
              <td />
              <CostCells cost={vanillaTotal} testPrefix="vanilla-total" />
            </tr>
          </tfoot>
        </table>
      </div>
    </section>
  );
}
