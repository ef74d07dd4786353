/** What the paper found on CIFAR-10, and what this small version can and cannot show. */
export function LabText() {
  return (
    <section className="lab-box lab-text" data-testid="lab-text" aria-labelledby="lab-text-heading">
      <h3 id="lab-text-heading">The paper's CIFAR-10 experiment, small enough for a browser</h3>
      <p>
        To show that Ghost modules cost little accuracy, Han et al. replaced every convolution of VGG-16 by a Ghost module and trained it from
        scratch on CIFAR-10 (50,000 training photos, 200 epochs). <strong>Table 1</strong>: with s = 2, the cheap d x d kernel of d = 1, 3, 5 or 7
        moved accuracy by a fraction of a point, best at d = 3 (a 1 x 1 kernel sees no neighbours; larger ones overfit and cost more). <strong>Table 2</strong>: with d = 3, raising the ratio s from 2 to 5 saved more and more
        multiply-adds while accuracy fell slowly. <strong>Table 3</strong>: Ghost-VGG-16 (s = 2) reached 93.7% against VGG-16's 93.6% at about half
        the FLOPs.
      </p>
      <p>
        Here a small VGG-style network (six 3 x 3 convolutions, 32 → 128 channels) trains on 10% of CIFAR-10 for a few epochs, with the
        same recipe (SGD with Nesterov momentum, one-cycle learning rate, flips and crops). It shows the parameters and multiply-adds each
        configuration saves, exactly, and how fast each one trains on this device. Its accuracies are far below the paper's and vary from
        seed to seed by a point or more, often more than the gap between configurations: queue several seeds (the "Seeds" field) and compare
        means and spreads before concluding. A 1 x 1 "cheap" kernel (d = 1) and large s are where a small, briefly trained network is most
        likely to disagree with the paper.
      </p>
      <p className="hint lab-credit" data-testid="lab-credit">
        Data: CIFAR-10 (Krizhevsky, “Learning Multiple Layers of Features from Tiny Images”, 2009), a subset of 10,000 training and 2,000 test
        images shipped with this app. Paper: Han et al., “GhostNet: More Features from Cheap Operations”, CVPR 2020.
      </p>
    </section>
  );
}
