"""Under the hood: gradient norms and D's largest singular values, and their charts."""
from pathlib import Path

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from ganplay import RunConfig, Trainer
from ganplay.engines import nets
from ganplay.hood import Trace, grad_norm, layer_sigmas
from ganplay.hood_charts import grad_norm_chart, sigma_chart, sigma_table

SMALL = dict(steps=60, n=512, batch_size=64, g_width=16, d_width=16)
# One power iteration a step lags D's changing weights, so σ_max(W / σ̂) sits above 1: measured up to 1.087 over
# steps 150-400 of SMALL (seeds 0, 1); never below 1 - 3e-7 (σ̂ = uᵀWv ≤ σ_max).
SPECTRAL_ABOVE, SPECTRAL_BELOW = 0.10, 1e-5


@pytest.mark.parametrize("variant, engine", [("wgan-gp", "mlp"), ("nsgan", "autograd")])
def test_the_norms_are_the_vector_norms_of_each_players_last_gradient(variant, engine):
    run = Trainer(RunConfig(variant=variant, **SMALL), engine=engine).step(5)
    for net in "gd":
        grads = run.game.engine.layers(net, 0, gradient=True)
        expected = torch.linalg.vector_norm(torch.cat([g.flatten() for pair in grads for g in pair]))
        assert grad_norm(run, net) == pytest.approx(float(expected), rel=1e-6) and grad_norm(run, net) > 0


def test_both_engines_read_the_same_norms_and_sigmas():
    cfg = RunConfig(**SMALL)
    fast, reference = Trainer(cfg, engine="mlp").step(3), Trainer(cfg, engine="autograd").step(3)
    for net in "gd":
        assert grad_norm(fast, net) == pytest.approx(grad_norm(reference, net), rel=1e-4)
    np.testing.assert_allclose(layer_sigmas(fast), layer_sigmas(reference), rtol=1e-4)


def test_without_spectral_norm_sigma_is_the_matrix_two_norm_of_each_weight():
    run = Trainer(RunConfig(**SMALL)).step(4)
    expected = [float(torch.linalg.matrix_norm(w, ord=2)) for w, _ in run.game.engine.layers("d", 0)]
    np.testing.assert_allclose(layer_sigmas(run), expected, rtol=1e-6)
    assert len(expected) == 3 and max(expected) > 1.05  # an unconstrained D is not 1-Lipschitz per layer


@pytest.mark.parametrize("engine", ["mlp", "autograd"])
def test_with_spectral_norm_each_layer_applies_sigma_near_one(engine):
    run = Trainer(RunConfig(spectral_norm=True, **{**SMALL, "steps": 200}), engine=engine).step(200)
    assert isinstance(run.game.engine.spectral, nets.SpectralNorm), "engine.spectral, which hood.layer_sigmas reads"
    sigmas = layer_sigmas(run)
    assert ((sigmas >= 1 - SPECTRAL_BELOW) & (sigmas <= 1 + SPECTRAL_ABOVE)).all(), sigmas


def test_an_mmd_run_reads_no_gradient_on_its_d():
    run = Trainer(RunConfig(variant="mmd", **SMALL)).step(2)
    assert grad_norm(run, "d") == 0.0 and grad_norm(run, "g") > 0


def test_a_trace_replays_the_run_and_reads_every_step():
    cfg = RunConfig(**{**SMALL, "steps": 600})  # σ every 3rd step: at most 250 readings of SVDs
    trace, run = Trace(cfg), Trainer(cfg)
    assert not trace.follow(40, budget=25) and trace.step == 25
    assert trace.follow(40, budget=25) and trace.step == 40
    run.step(40)
    readings = trace.readings()
    assert readings.norms.step.tolist() == list(range(1, 41)) and readings.sigma_every == 3
    assert readings.norms.g_grad.iloc[-1] == pytest.approx(grad_norm(run, "g"), rel=0, abs=0)
    assert sorted(readings.sigmas.step.unique()) == [1, *range(3, 41, 3)]
    assert len(trace.readings(upto=10).norms) == 10


def test_the_charts_draw_the_product_of_the_layers_and_a_rule_at_one_under_spectral_norm():
    trace = Trace(RunConfig(spectral_norm=True, **SMALL))
    trace.follow(6, budget=6)
    readings = trace.readings()
    table = sigma_table(readings.sigmas)
    product = table[table.of == "product"].value.to_numpy()
    per_step = readings.sigmas.groupby("step").sigma.prod().to_numpy()
    np.testing.assert_allclose(product, per_step)
    spec = sigma_chart(readings.sigmas, True, readings.sigma_every).to_dict()
    assert len(spec["layer"]) == 2 and spec["layer"][1]["mark"]["type"] == "rule"
    norms = grad_norm_chart(readings.norms).to_dict()
    assert norms["encoding"]["y"]["scale"]["type"] == "log"


def test_the_playground_draws_the_hood_charts_after_a_step():
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/playground.py").run()
    at.toggle(key="under_the_hood").set_value(True).run()
    assert any("Nothing to read" in c.value for c in at.caption)
    at.button[1].click().run()  # Step: 100 generator steps (fewer if the loaded loop is slow to train them)
    shown = at.session_state.run.step_count
    for _ in range(5):  # the replay reads REPLAY_BUDGET steps a run: 100 at once
        if at.session_state.hood_trace[1].step >= shown:
            break
        at.run()
    assert not at.exception and not at.error and 0 < shown == at.session_state.hood_trace[1].step
    titles = [chart.proto.spec for chart in at.get("vega_lite_chart")]
    assert any("Gradient norms" in spec for spec in titles) and any("singular values" in spec for spec in titles)
