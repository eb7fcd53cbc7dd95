"""How to read each chart of the pages: chart name -> 2 to 4 plain sentences for a student (GAN Lab and TensorFlow
Playground #126 asked for them): what the axes, colours and marks mean, and what a healthy and a failing run look
like. Markdown written here, never a visitor's text. No Streamlit: `ganplay.ui.how_to_read(name)` shows one beside
its chart, and tests/test_explanations.py checks that every chart a page draws has one and every one is drawn.
"""
from __future__ import annotations

EXPLANATIONS: dict[str, str] = {
    # --- Playground ------------------------------------------------------------------------------
    "scatter": (
        "Each **green dot** is a real data point, each **purple dot** a sample G(z) of the generator; a purple dot "
        "keeps its z, so you can follow it from frame to frame. The **background** is the discriminator's verdict: "
        "green where it says \"real\", purple where it says \"fake\" (for WGAN and MMD the critic's value, higher "
        "means more real). Arrows, when shown, point where D pushes each fake. **Hover a purple dot** to see its z, "
        "D's value there and that push. Healthy: purple spreads over every green cluster and the background fades "
        "to one colour; failing: purple piles onto one cluster (mode collapse) or jumps around without settling."),
    "losses": (
        "The losses of the discriminator (**d_loss**, blue) and the generator (**g_loss**, orange) at each "
        "generator step; grey is a gradient penalty, when there is one. In a GAN the two fight, so neither goes to "
        "zero: a healthy run settles into noisy, roughly level lines. A d_loss falling to 0 while g_loss climbs "
        "means D wins and G stops learning; wild swings or a line shooting off mean the run is unstable "
        "(try smaller learning rates)."),
    "densities": (
        "Left, a smoothed density of the real data; right, the same for the generator's samples; darker is denser. "
        "Each panel has its own grey scale, so compare *where* the dark patches are, not how dark. Healthy: the "
        "right panel shows the same patches as the left; mode collapse: some of the data's patches are missing "
        "on the right, or all the ink sits in one blob."),
    "manifold_3d": (
        "Real data (green) and G's samples (purple) in 3-D: drag to rotate, scroll to zoom. The coloured lines are "
        "G's latent plane, a grid of z pushed through G: it shows how G bends a flat sheet onto the data. Healthy: "
        "the sheet lies on the data's surface and covers it; red segments mark a tear, or a fold that bridges two "
        "layers of the surface through empty space."),
    "manifold_distance": (
        "How far G's samples lie from the surface the data was drawn from (mean distance, data units), over "
        "generator steps. The dashed green line is the data's own distance, which is just its noise. Healthy: the "
        "purple line falls towards the dashed one; a line stuck high means G's samples float off the surface."),
    "digit_fakes": (
        "64 digits drawn by G, each at a fixed z, so the same cell shows the same z as training goes on. Each "
        "frame's colour is D's verdict on that image: green \"real\", orange \"fake\". Healthy: recognisable digits "
        "of every kind, frames mixed; mode collapse: many cells show the same digit."),
    "digit_reals": (
        "64 real handwritten digits (8 × 8 pixels) from the training data. Compare G's digits with them: the "
        "thickness, slant and variety here are what G should reach."),
    "paint_canvas": (
        "Your painted data: each colour is one blob (one label), each dot a point. Drag a rectangle to add a blob "
        "of 200 points there. Several separate blobs make a good test of mode collapse."),
    # --- Mode collapse ---------------------------------------------------------------------------
    "mode_grid": (
        "One panel per GAN variant, each with the same data and seed. Purple dots are its generator's samples; "
        "green rings mark the data's modes at 3 standard deviations, the \"high quality\" zone, and a ring fills "
        "once the mode is captured. Healthy: every ring filled and purple inside the rings; collapse: a few filled "
        "rings with all the purple in them."),
    "modes_track": (
        "Modes captured (of all the data's modes) over generator steps, one line per variant. Healthy: the line "
        "climbs to the top and stays; collapse: it stays low; a line that dips and recovers is a generator hopping "
        "from mode to mode."),
    "quality_track": (
        "The share of samples within 3σ of some mode (high quality), over generator steps, one line per variant. "
        "Read it with the modes line: high quality with few modes captured is mode collapse (good samples of only "
        "a few modes); low quality means samples fall between the modes."),
    "mode_counts": (
        "High-quality samples per mode, now, one bar per variant and mode. Bars below the dashed line are too few "
        "for the mode to count as captured. Healthy: every mode has a bar of about the same height; collapse: "
        "empty modes and a few tall bars."),
    "digit_track": (
        "The digit classifier's reading of each variant's generated digits over training, one line per variant: "
        "left, digits covered (of 10); right, the confident share (images the classifier is sure of: their "
        "quality). Healthy: 10 digits covered and a rising share; collapse: few digits covered while the share "
        "is high."),
    # --- Latent walk -----------------------------------------------------------------------------
    "latent_point": (
        "Faded green and purple: the data and the trained generator's samples. The amber dot is G(z) for the "
        "sliders' z. Move a slider and watch where the dot goes: G is a smooth map, so small moves of z make "
        "small moves of G(z), except where G jumps between modes."),
    "latent_path": (
        "G along a path from z₀ to z₁: the line runs from G(z₀) (blue, t = 0) to G(z₁) (orange, t = 1). A smooth, "
        "even line means G changes gradually along the path; a long jump means the path crosses a gap between "
        "modes, where G puts few samples."),
    "latent_norm": (
        "The length ‖z(t)‖ along the path, for straight (linear) and spherical interpolation; the chosen one is "
        "thick. Most of a Gaussian prior's samples have a length near √(z dimension): the straight line dips "
        "inside that shell, to z's G rarely saw in training, while the spherical path stays on it."),
    "latent_sweep": (
        "One curve per latent axis zₖ, varied alone with the others held at the sliders' values; the dots grow "
        "towards +zₖ, and all curves pass through the amber G(z). A long curve is an axis G uses a lot; a short "
        "one, an axis that barely changes the sample."),
    "latent_manifold": (
        "A square grid of z pushed through G and drawn in data space. Where the mesh stretches, G spreads its "
        "samples thin; where it bunches up or folds, samples pile up. A healthy G lays the mesh over all of the "
        "data; a collapsed one crumples it onto a few spots."),
    "latent_pictures": (
        "The same views drawn as pictures: each image is G at one latent point z (a path as rows read left to "
        "right, one row per swept axis, or the latent plane as a grid). Neighbouring images should morph "
        "smoothly; a sudden change of digit is G jumping between modes."),
    # --- Conditional GAN -------------------------------------------------------------------------
    "labelled_scatter": (
        "Diamonds are G(z | y) for the labels you chose; faint dots are the data, coloured by label on the same "
        "scale. Healthy: each colour's diamonds sit on that colour's data; a failing conditional GAN mixes the "
        "colours or ignores the label (all colours in one place)."),
    "class_kde": (
        "For each class, the data's density beside the generator's, darker is denser. Compare the pair of each "
        "class: the same shape means G learned that class; a blank or shifted generator panel means it did not."),
    "same_z": (
        "One z under every label: the large diamond is G(z | the fixed label), the small ones the same z with the "
        "other labels. Moving z should move the sample within its class; changing the label should move it to "
        "that class's data. If the diamonds barely move between labels, G ignores y."),
    "conditional_pictures": (
        "Generated images of the labels you chose, a new row for each label. Healthy: every row shows its own "
        "class, with variety inside the row; a row of copies is collapse within a class."),
    "same_z_pictures": (
        "One z drawn under every label, in label order: the z fixes the style (slant, thickness), the label the "
        "class. Healthy: one consistent style drawn as every class."),
    # --- Lessons ---------------------------------------------------------------------------------
    "descent": (
        "μ over Adam's iterations, one line per gradient estimator, from μ = 0; the dashed line is the optimum "
        "μ* = 3. The pathwise estimator should run straight to the dashed line; the score-function one wanders on "
        "the way, because its gradient estimates are noisy."),
    "gradient_histogram": (
        "2,000 gradient estimates at the chosen μ, one histogram per estimator; the dashed line is the true "
        "gradient. Both are centred on it (unbiased), but a wider histogram is a noisier estimator: the "
        "score-function one is wider, the more so the further μ is from the optimum."),
    "relaxed_bernoulli": (
        "A histogram of 2,000 relaxed Bernoulli samples in [0, 1]. At a small temperature λ they pile up at 0 and 1, "
        "like real coin flips (the share at 1 is p); at a large λ they gather in the middle and no longer look "
        "discrete."),
    "simplex": (
        "Samples of the relaxed 3-class distribution inside the triangle: each corner is a one-hot sample (a class), "
        "the middle is uniform. Small λ pushes the samples into the corners, in proportion to the weights π; large λ "
        "pulls them to the middle."),
    "sample_bars": (
        "Six relaxed samples, each a group of three bars (one per class) that sum to 1. Near one-hot (one tall bar) "
        "at small λ, near equal bars at large λ."),
    "bernoulli_patterns": (
        "How often each pattern of the bits occurs in the data and in the trained generator, side by side. A good "
        "fit has matching bars; in the data bits 1–2 and 3–4 always agree, so patterns where they differ should "
        "have (almost) no bar."),
    "optimal_d_densities": (
        "The data's density (two modes) and the generator's p_g, on one axis. Move p_g with the sliders: the less "
        "the two overlap, the easier D's job."),
    "optimal_d": (
        "D(x) from 0 (\"fake\") to 1 (\"real\"): the closed-form optimal D* = p_data / (p_data + p_g), and once "
        "trained, a D learned from samples. D* is ½ where the densities are equal; a trained D that follows D* "
        "has learned the best answer."),
    "jsd_curve": (
        "The Jensen–Shannon divergence between the data and p_g as p_g's mean moves; the dashed line is its ceiling "
        "log 2, the dot your setting. Where the supports separate, the curve is flat at log 2: the minimax G loss "
        "then gives no gradient, which is why the non-saturating loss exists."),
    "flow_samples": (
        "Held-out data and the Flow-GAN's samples on one scatter. Samples on the data's modes are good samples; "
        "samples spread between them are what maximum likelihood tends to give (it must cover every data point)."),
    "flow_tradeoff": (
        "For each λ you trained: left, the held-out log-likelihood (higher is better; a symlog axis); right, the "
        "share of samples within 3σ of a mode. Pure adversarial training (λ = 0) gives good samples but a poor "
        "likelihood, large λ the opposite: the trade-off of Grover et al."),
    # --- Playground: slow motion and under the hood -------------------------------------------
    "stage_view": (
        "One stage of a round on your private copy of the run: the stage's batch is drawn bright over the frame's "
        "faint points, green real and purple generated. Once D has judged the batch, each point's size is D's "
        "verdict on it: big where D says \"real\". The background is D's verdict as on the live view."),
    "stage_before_after": (
        "The same view just before and just after this stage's update. For D's update, compare the backgrounds: "
        "D should turn greener under the real points and more purple under the fakes. For G's update, grey "
        "ghosts mark where the fakes were and arrows show where the update moved them."),
    "stage_change": (
        "How much D's verdict moved in this update, point by point of the plane: green where D now says \"more "
        "real\", purple where \"more fake\", pale where nothing changed. A healthy step changes D most near "
        "the data and the fakes; a whole plane of strong colour means a large, possibly unstable, step."),
    "stage_latent": (
        "The batch's latent points z, drawn from the noise distribution (the first two coordinates): G turns "
        "each into one fake. They are fresh every round, which is why the fakes of a batch differ from round "
        "to round."),
    "grad_norms": (
        "The length of each player's gradient at each generator step, on a log axis, replayed privately from "
        "the run's config. Gradients that fall towards 0 while the run has not converged are vanishing "
        "gradients (the minimax loss against a confident D); spikes of many orders of magnitude mark unstable "
        "steps."),
    "sigma": (
        "The largest singular value of each of D's layers and their product, an upper bound of how steep D can "
        "be (its Lipschitz constant). With spectral normalisation each layer sits near 1 (a little above: one "
        "power iteration per step lags the changing weights); without it they grow as D sharpens, which "
        "WGAN's clipping and the gradient penalty hold back."),
}


def explanation(name: str) -> str:
    """The how-to-read text of a chart; a KeyError naming the chart when it has none."""
    try:
        return EXPLANATIONS[name]
    except KeyError:
        raise KeyError(f"no how-to-read text for the chart {name!r}: add it to ganplay.explanations") from None
