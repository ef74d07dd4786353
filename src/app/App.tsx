import { lazy, Suspense, useEffect, useState } from 'react';
import { startApp } from './actions.ts';
import { Header } from './Header.tsx';
import { ClassifyPanel } from './classify/ClassifyPanel.tsx';
import { Diagnostics } from './diagnostics/Diagnostics.tsx';
import { ErrorRegion } from './ErrorRegion.tsx';
import { UpdateNotice } from './pwa/UpdateNotice.tsx';
import { filesFromDrop, routeFiles } from './input/routeFiles.ts';
import { messageOf } from './actions.ts';
import { useApp } from './store.ts';
import { installLabTestHooks } from './lab/testHooks.ts';

// The Lab's e2e hook (window.__ghostnetLab, tiny: its check is imported when called) is there from the
// start, though the Lab tab's own code is loaded only when the tab is opened.
installLabTestHooks();

// The tabs not shown first are their own chunks, loaded when first opened,
// so the first screen's code is small.
const ExplainPanel = lazy(() => import('./explain/ExplainPanel.tsx').then((m) => ({ default: m.ExplainPanel })));
const FeaturesPanel = lazy(() => import('./features/FeaturesPanel.tsx').then((m) => ({ default: m.FeaturesPanel })));
const TeachPanel = lazy(() => import('./teach/TeachPanel.tsx').then((m) => ({ default: m.TeachPanel })));
const LabPanel = lazy(() => import('./lab/LabPanel.tsx').then((m) => ({ default: m.LabPanel })));
const PerfPanel = lazy(() => import('./perf/PerfPanel.tsx').then((m) => ({ default: m.PerfPanel })));

/** The app's views. Each tab is one self-contained panel reading the shared store. */
const TABS = [
  { id: 'classify', label: 'Classify', Panel: ClassifyPanel },
  { id: 'explain', label: "Why it's cheap", Panel: ExplainPanel },
  { id: 'features', label: 'Feature maps', Panel: FeaturesPanel },
  { id: 'teach', label: 'Teach', Panel: TeachPanel },
  { id: 'lab', label: 'Lab', Panel: LabPanel },
  { id: 'perf', label: 'Performance', Panel: PerfPanel },
] as const;

let started = false;

/** Photos and models can be dropped or pasted anywhere on the page. */
function usePageDropAndPaste(): boolean {
  const [dragging, setDragging] = useState(false);
  useEffect(() => {
    const fail = (e: unknown) => useApp.getState().set({ error: `The dropped files could not be read: ${messageOf(e)}` });
    const onDragOver = (e: DragEvent) => {
      if (!e.dataTransfer?.types.includes('Files')) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
      setDragging(true);
    };
    const onDragLeave = (e: DragEvent) => {
      if (e.relatedTarget === null) setDragging(false);
    };
    const onDrop = (e: DragEvent) => {
      if (!e.dataTransfer?.types.includes('Files')) return;
      e.preventDefault();
      setDragging(false);
      filesFromDrop(e.dataTransfer).then((files) => routeFiles(files), fail);
    };
    const onPaste = (e: ClipboardEvent) => {
      const files = [...(e.clipboardData?.files ?? [])];
      if (files.length === 0) return;
      e.preventDefault();
      void routeFiles(files);
    };
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('dragleave', onDragLeave);
    window.addEventListener('drop', onDrop);
    window.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('dragleave', onDragLeave);
      window.removeEventListener('drop', onDrop);
      window.removeEventListener('paste', onPaste);
    };
  }, []);
  return dragging;
}

export function App() {
  // The active tab lives in the store so any view can switch tabs (e.g. a link to the feature maps).
  const requestedTab = useApp((s) => s.tab);
  const setTab = (id: string) => useApp.getState().set({ tab: id });
  const dragging = usePageDropAndPaste();
  useEffect(() => {
    // StrictMode mounts twice in development; the backend and default model start once per page.
    if (started) return;
    started = true;
    void startApp();
  }, []);
  const active = TABS.find((t) => t.id === requestedTab) ?? TABS[0];
  const tab = active.id as string;
  const Active = active.Panel;
  return (
    <div className={dragging ? 'app dragging' : 'app'}>
      <Header />
      <ErrorRegion />
      <UpdateNotice />
      <nav className="tabs-nav" aria-label="Views">
        <div className="tabs" role="tablist" aria-label="Views">
          {TABS.map((t) => (
            <button
              key={t.id}
              role="tab"
              id={`tab-${t.id}`}
              aria-selected={tab === t.id}
              aria-controls={`panel-${t.id}`}
              tabIndex={tab === t.id ? 0 : -1}
              onClick={() => setTab(t.id)}
              onKeyDown={(e) => {
                const i = TABS.findIndex((x) => x.id === tab);
                if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
                  const next = TABS[(i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length];
                  setTab(next.id);
                  document.getElementById(`tab-${next.id}`)?.focus();
                }
              }}
            >
              {t.label}
            </button>
          ))}
        </div>
      </nav>
      <div className="layout">
        <main>
          <div id={`panel-${tab}`} role="tabpanel" aria-labelledby={`tab-${tab}`}>
            <Suspense fallback={<p className="hint">Loading…</p>}>
              <Active />
            </Suspense>
          </div>
        </main>
        <Diagnostics />
      </div>
    </div>
  );
}
