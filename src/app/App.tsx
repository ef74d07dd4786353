import { useEffect, useState } from 'react';
import { startApp } from './actions.ts';
import { Header } from './Header.tsx';
import { ClassifyPanel } from './classify/ClassifyPanel.tsx';
import { ErrorRegion } from './ErrorRegion.tsx';

/** The app's views. Each tab is one self-contained panel reading the shared store. */
const TABS = [
  { id: 'classify', label: 'Classify', Panel: ClassifyPanel },
] as const;

type TabId = (typeof TABS)[number]['id'];

let started = false;

export function App() {
  const [tab, setTab] = useState<TabId>('classify');
  useEffect(() => {
    // StrictMode mounts twice in development; the backend and default model start once per page.
    if (started) return;
    started = true;
    void startApp();
  }, []);
  const Active = TABS.find((t) => t.id === tab)!.Panel;
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
