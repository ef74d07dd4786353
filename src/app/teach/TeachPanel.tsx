/** "Why it's cheap": the paper's cost argument with the numbers of the loaded model. */
export function TeachPanel() {
  return (
    <section className="teach" aria-label="Why GhostNet is cheap">
      <h2>Why it&apos;s cheap</h2>
    </section>
  );
}
