import { useEffect } from 'react';
import { startApp } from './actions.ts';
import { Header } from './Header.tsx';
import { ClassifyPanel } from './classify/ClassifyPanel.tsx';
import { ErrorRegion } from './ErrorRegion.tsx';
import { TeachPanel } from './teach/TeachPanel.tsx';
import { useApp } from './store.ts';

/** The app's views. Each tab is one self-contained panel reading the shared store. */
const TABS = [
  { id: 'classify', label: 'Classify', Panel: ClassifyPanel },
  { id: 'teach', label: "Why it's cheap", Panel: TeachPanel },
] as const;

let started = false;

export function App() {
  // The active tab lives in the store so any view can switch tabs (e.g. a link to the feature maps).
  const requestedTab = useApp((s) => s.tab);
  const setTab = (id: string) => useApp.getState().set({ tab: id });
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
    <div className="app">
      <Header />
      <ErrorRegion />
      <nav className="tabs" role="tablist" aria-label="Views">
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
      </nav>
      <main id={`panel-${tab}`} role="tabpanel" aria-labelledby={`tab-${tab}`}>
        <Active />
      </main>
    </div>
  );
}
