/** What the paper found on CIFAR-10, and what this small version can and cannot show. */
export function LabText() {
  return (
    <section className="lab-box lab-text" data-testid="lab-text" aria-labelledby="lab-text-heading">
      <h2 id="lab-text-heading">Does a Ghost network lose accuracy? Train one and see</h2>
      <p>
        The paper's evidence: on CIFAR-10, VGG-16 with Ghost modules reached 93.7% against the ordinary VGG-16's 93.6%, at about half
        the multiply-adds. Here a small version of that experiment trains in your browser: queue the ordinary network and its Ghost twins,
        watch them learn, compare them.
      </p>
      <details className="lab-more">
        <summary>What the paper found, and what this small version can and cannot show</summary>
        <p>
          Han et al. replaced every convolution of VGG-16 by a Ghost module and trained it from scratch on all of CIFAR-10 (50,000
          training photos, 200 epochs). <strong>Table 1</strong>: with s = 2, the cheap d x d kernel of d = 1, 3, 5 or 7 moved accuracy
          by a fraction of a point, best at d = 3 (a 1 x 1 kernel sees no neighbours; larger ones overfit and cost more).{' '}
          <strong>Table 2</strong>: with d = 3, raising the ratio s from 2 to 5 saved more and more multiply-adds while accuracy fell
          slowly. <strong>Table 3</strong>: Ghost-VGG-16 (s = 2) 93.7% against VGG-16's 93.6% at about half the FLOPs.
        </p>
        <p>
          Here a small VGG-style network (six 3 x 3 convolutions, 32 to 128 channels) trains on 10% of CIFAR-10 for a few epochs, with the
          paper's recipe (SGD with Nesterov momentum, a one-cycle learning rate, flips and crops). It shows exactly how many parameters
          and multiply-adds each configuration saves, and how fast each one trains on this device. Its accuracies stay far below the
          paper's, and they vary from seed to seed by a point or more, often more than the gap between two configurations: queue several
          seeds (the "Seeds" field) and compare the means and spreads before concluding anything. Small differences such as d = 3 against
          d = 5 need the full data and many epochs to show.
        </p>
      </details>
      <p className="hint lab-credit" data-testid="lab-credit">
        Data: CIFAR-10 (Krizhevsky, “Learning Multiple Layers of Features from Tiny Images”, 2009), 10,000 training and 2,000 test
        images shipped with this app. Paper: Han et al., “GhostNet: More Features from Cheap Operations”, CVPR 2020.
      </p>
    </section>
  );
}
