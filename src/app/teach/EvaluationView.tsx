/** How well the head does on its own examples: leave-one-out (or, for softmax, cross-validation) accuracy and a confusion matrix. */
import { MIN_EXAMPLES_TO_EVALUATE } from '../../model/heads/index.ts';
import { useApp } from '../store.ts';
import { examplesIn } from './state.ts';
import { TEACH_SETTINGS } from './teachSettings.ts';
import { evaluable, evaluateNow } from './teachActions.ts';

export function EvaluationView() {
  const t = useApp((s) => s.teach);
  const ok = evaluable(t);
  const current = t.evaluation && t.evaluation.head === t.head && t.evaluation.revision === (t.head === 'softmax' ? t.softmax?.revision : t.revision) ? t.evaluation : null;
  const names = t.classes.map((c) => c.name);
  return (
    <section className="teach-evaluation" aria-labelledby="teach-evaluation-heading">
      <h3 id="teach-evaluation-heading">How well it does</h3>
      {!ok ? (
        <p className="hint" data-testid="teach-evaluation-waiting">
          Once every class has {MIN_EXAMPLES_TO_EVALUATE} or more examples, each example is classified by the others (leave-one-out) here.
        </p>
      ) : current ? (
        <div data-testid="teach-evaluation" data-accuracy={current.accuracy} data-method={current.method} data-examples={current.examples}>
          <p>
            <strong>{(current.accuracy * 100).toFixed(1)}%</strong> of {current.examples} examples right,{' '}
            {current.method === 'leave-one-out' ? 'each classified by all the others (leave-one-out)' : `${current.folds}-fold cross-validation (leave-one-out would train once per example)`}.
          </p>
          <table className="teach-confusion" data-testid="teach-confusion">
            <caption>Rows: true class; columns: predicted class</caption>
            <thead>
              <tr><th scope="col"><span className="visually-hidden">True class</span></th>{names.map((n) => <th key={n} scope="col">{n}</th>)}</tr>
            </thead>
            <tbody>
              {current.confusion.map((row, i) => (
                <tr key={names[i]}>
                  <th scope="row">{names[i]}</th>
                  {row.map((v, j) => <td key={j} className={i === j ? 'diagonal' : v > 0 ? 'off' : undefined}>{v}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : t.head === 'softmax' ? (
        <p className="hint">Train the softmax head: its cross-validated accuracy appears after training.</p>
      ) : t.head === 'knn' && examplesIn(t.classes) > TEACH_SETTINGS.knnAutoEvaluateLimit ? (
        <button type="button" data-testid="teach-evaluate" onClick={() => void evaluateNow()}>Evaluate (leave-one-out over {examplesIn(t.classes)} examples)</button>
      ) : (
        <p className="hint">Evaluating…</p>
      )}
    </section>
  );
}
