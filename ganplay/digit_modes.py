"""Mode counts for generated digits: the picture analogue of the 2-D mode coverage in `metrics`.

Protocol, after the stacked-MNIST experiments of the unrolled GAN (Metz et al. 2017), VEEGAN (Srivastava
et al. 2017) and PacGAN (Lin et al. 2018): a classifier trained on the real data labels a fixed number of
generated samples (26,000 there), the modes are its classes, and the papers report the modes captured and
the KL divergence of the generated class histogram to the data's. Here, for ten classes of 8×8 digits:

- Classifier: scikit-learn's RBF support-vector machine (gamma 0.001, C 10, on raw ink 0..16) with sigmoid
  calibration (`CalibratedClassifierCV`, 5 folds, ensemble=False), fitted once per process on a stratified 75 %
  of `load_digits`; its accuracy on the other 25 % is `classifier().accuracy` (98.2 %, required ≥ 95 %).
  Generated pixels are clipped to the ink range first, as a picture of them would be.
- One departure from the papers, whose GANs start from recognisable MNIST digits: an eleventh class,
  "not a digit", trained on blends of two digits of different classes and on per-pixel Gaussian noise.
  Without it the classifier calls the blurry mean image of an untrained G a confident 8 (p ≈ 0.93), so
  step 0 would score a perfect confident share.
- Samples: `SAMPLES` = 2,500 generated digits (the count of the same papers' 2-D ring and grid experiments).
- A sample is *confident* when the classifier gives its top digit probability ≥ `CONFIDENT` = 0.8: the
  image analogue of their 2-D "high-quality" sample (within 3σ of a mode). 98 % of the held-out real digits
  pass; blends and noise do not.
- A digit is *covered* when at least `MIN_SHARE` = 2 % of the samples are confident members of it
  (50 of 2,500, a fifth of its fair share of 250). The stacked-MNIST papers count a mode with one sample
  among 26,000 over 1,000 modes; with ten modes, a few stray look-alikes should not count.
- *KL to uniform*: KL(p ‖ U(10)) of the histogram p of the confident samples' classes, in nats, as the
  papers' KL of the mode histogram to the data's (uniform here: the ten digits are balanced). 0 for an even
  spread, log 10 ≈ 2.30 when every confident sample is one digit, and log 10 when none is confident.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC

from .datasets import DIGIT_INK, digit_images

SAMPLES = 2500
CONFIDENT = 0.8
MIN_SHARE = 0.02
DIGITS = 10
NOT_A_DIGIT = DIGITS  # the classifier's eleventh class


@dataclass(frozen=True, eq=False)
class DigitClassifier:
    """A classifier of 8×8 digits (64-long rows in ink units) and its accuracy on held-out real digits."""

    model: CalibratedClassifierCV
    accuracy: float

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """(n, 11) class probabilities of (n, 64) rows (the digits, then "not a digit"), clipped to the ink range."""
        images = np.asarray(images, dtype=np.float64)
        if images.ndim != 2 or images.shape[1] != 64:
            raise ValueError(f"images: need (n, 64) rows of 8×8 digits, got shape {images.shape}")
        return self.model.predict_proba(np.clip(np.nan_to_num(images), *DIGIT_INK))


def not_digits(x: np.ndarray, y: np.ndarray, seed: int = 0) -> np.ndarray:
    """Examples of the eleventh class: 35-65 % blends of two digits of different classes (the ghosts a
    half-trained G draws), and a third as many images of per-pixel Gaussian noise matching the data."""
    rng, n = np.random.default_rng(seed), len(x) // 2
    a, b = rng.integers(len(x), size=(2, 4 * n))
    a, b = a[y[a] != y[b]][:n], b[y[a] != y[b]][:n]
    weight = rng.uniform(0.35, 0.65, (n, 1))
    noise = rng.normal(x.mean(axis=0), x.std(axis=0), (n // 2, x.shape[1]))
    return np.clip(np.vstack([weight * x[a] + (1 - weight) * x[b], noise]), *DIGIT_INK)


@lru_cache(maxsize=1)
def classifier() -> DigitClassifier:
    """Fitted once per process (under a second): deterministic, so every session shares it."""
    x, y = digit_images()
    x_fit, x_held, y_fit, y_held = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)
    junk = not_digits(x_fit, y_fit)
    model = CalibratedClassifierCV(SVC(gamma=0.001, C=10.0), method="sigmoid", cv=5, ensemble=False)
    model.fit(np.vstack([x_fit, junk]), np.concatenate([y_fit, np.full(len(junk), NOT_A_DIGIT)]))
    return DigitClassifier(model, float((model.predict(x_held) == y_held).mean()))


@dataclass(frozen=True)
class DigitReport:
    """What the classifier makes of a batch of generated digits."""

    counts: np.ndarray          # (10,) confident samples per digit
    samples: int
    covered: int                # digits with at least MIN_SHARE of the samples, confidently
    confident_share: float      # share of samples the classifier is confident about: quality
    kl_to_uniform: float        # KL(confident-class histogram ‖ uniform), nats

    @property
    def covered_digits(self) -> tuple[int, ...]:
        return tuple(int(k) for k in np.flatnonzero(self.counts >= MIN_SHARE * self.samples))


def digit_report(images: np.ndarray, confident: float = CONFIDENT, min_share: float = MIN_SHARE) -> DigitReport:
    """Count the digits among generated (n, 64) rows, by the protocol in this module's docstring."""
    probs = classifier().probabilities(images)[:, :DIGITS]
    sure = probs.max(axis=1) >= confident
    counts = np.bincount(probs.argmax(axis=1)[sure], minlength=DIGITS)
    return DigitReport(counts, len(probs), int((counts >= min_share * len(probs)).sum()),
                       float(sure.mean()), kl_to_uniform(counts))


def kl_to_uniform(counts: np.ndarray) -> float:
    """KL(p ‖ uniform) of a histogram, in nats; log k for an empty one (nothing recognised)."""
    counts = np.asarray(counts, dtype=np.float64)
    if counts.sum() == 0:
        return float(np.log(len(counts)))
    p = counts[counts > 0] / counts.sum()
    return float(np.log(len(counts)) + (p * np.log(p)).sum())


def label_accuracy(images: np.ndarray, labels) -> float:
    """Share of conditional samples the classifier assigns to the label they were asked for."""
    predicted = classifier().probabilities(images).argmax(axis=1)
    return float((predicted == np.broadcast_to(np.asarray(labels), predicted.shape)).mean())


def run_report(run, samples: int = SAMPLES) -> DigitReport:
    """digit_report of a run's deterministic sample (any object with `sample(n)`: Trainer, Run)."""
    return digit_report(run.sample(samples))
