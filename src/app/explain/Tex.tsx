import { useMemo } from 'react';
import katex from 'katex';
import 'katex/dist/katex.min.css';

/** A formula typeset by KaTeX (bundled locally, MathML included for screen readers). */
export function Tex({ children, display = false }: { children: string; display?: boolean }) {
  const html = useMemo(
    () => katex.renderToString(children, { displayMode: display, throwOnError: false, output: 'htmlAndMathml' }),
    [children, display],
  );
  const Tag = display ? 'div' : 'span';
  return <Tag className="tex" dangerouslySetInnerHTML={{ __html: html }} />;
}
