"""The two engines play the same game: the hand-written fast path against autograd and torch.optim."""
import numpy as np
import pytest
import torch

import ganplay
from ganplay.engines import ENGINES, Extras, engine_class
from ganplay.engines.autograd import AutogradEngine
from ganplay.engines.mlp import MLPEngine
from ganplay.game import Game

SMALL = dict(batch_size=64, g_width=16, d_width=16, steps=15)
CONFIGS = {
    "nsgan": dict(),
    "gan-tanh": dict(variant="gan", activation="tanh"),
    "wgan-clip-rmsprop": dict(variant="wgan", d_steps=2),
    "wgan-gp": dict(variant="wgan-gp", d_steps=2),
    "lsgan-r1-sgd": dict(variant="lsgan", r1_weight=1.0, optimizer="sgd", lr_g=0.05, lr_d=0.05),
    "hinge-spectral": dict(variant="hinge", spectral_norm=True, r1_weight=0.5),
    "wgan-gp-spectral-elu": dict(variant="wgan-gp", spectral_norm=True, activation="elu", d_steps=1),
    # (not WGAN with Adam here: its critic loss is linear, so some bias gradients are zero but for rounding,
    # and Adam turns that noise into steps of size lr)
    "conditional-pack-r1": dict(dataset="blobs", conditional=True, pack=2, variant="nsgan", r1_weight=1.0),
    "conditional-pack-gp-sgd": dict(dataset="moons", conditional=True, pack=2, variant="wgan-gp", d_steps=1,
                                    optimizer="sgd", lr_g=0.01, lr_d=0.01),
    "leaky-pack-uniform": dict(activation="leaky_relu", pack=4, latent="uniform", z_dim=3),
    "mmd-conditional": dict(dataset="blobs", conditional=True, variant="mmd"),
    "unrolled-spectral-pack": dict(variant="unrolled", unroll=3, spectral_norm=True, pack=2),
    "unrolled-rmsprop": dict(variant="unrolled", unroll=2, optimizer="rmsprop", d_steps=2),
}
# Different kernels round differently in the last bits, and training amplifies that a little per step.
CLOSE = dict(rtol=1e-3, atol=1e-4)


def _both(make):
    return [make(engine) for engine in ("mlp", "autograd")]


@pytest.mark.parametrize("settings", CONFIGS.values(), ids=CONFIGS.keys())
def test_both_engines_train_a_run_alike(settings):
    cfg = ganplay.RunConfig(**{**SMALL, **settings})
    fast, reference = _both(lambda engine: ganplay.train(cfg, engine=engine))
    assert fast.status == reference.status == "done"
    torch.testing.assert_close(fast.history.to_numpy(), reference.history.to_numpy(), **CLOSE)
    torch.testing.assert_close(fast.sample(300), reference.sample(300), **CLOSE)
    points = fast.data.x[:20]
    torch.testing.assert_close(fast.critic(points), reference.critic(points), **CLOSE)
    torch.testing.assert_close(fast.generator_push(points), reference.generator_push(points), **CLOSE)


def test_both_engines_train_a_mixed_stack_alike():
    configs = [ganplay.RunConfig(variant=v, seed=s, lr_d=lr, d_steps=1, beta1=0.5, beta2=0.9, **SMALL)
               for v, s, lr in [("gan", 0, 1e-3), ("wgan-gp", 1, 5e-4), ("lsgan", 1, 2e-3)]]
    fast, reference = _both(lambda engine: ganplay.SideBySide(configs, engine=engine).step(15))
    for a, b in zip(fast.runs, reference.runs):
        torch.testing.assert_close(a.history.to_numpy(), b.history.to_numpy(), **CLOSE)
        torch.testing.assert_close(a.sample(300), b.sample(300), **CLOSE)


def test_both_engines_stop_a_diverging_run_at_the_same_step():
    cfg = ganplay.RunConfig(variant="lsgan", optimizer="sgd", lr_g=1.0, lr_d=1.0, steps=200)
    fast, reference = _both(lambda engine: ganplay.train(cfg, engine=engine))
    assert fast.status == reference.status == "diverged" and fast.diverged_at == reference.diverged_at


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "tanh"])
@pytest.mark.parametrize("settings", [dict(variant="wgan-gp"), dict(variant="nsgan", r1_weight=2.0),
                                      dict(variant="wgan-gp", r1_weight=0.5, pack=2),
                                      dict(variant="wgan-gp", dataset="blobs", conditional=True, pack=2)])
def test_penalty_gradients_match_autograds_double_backward(activation, settings):
    """For a piecewise-linear D the mlp engine writes the penalty's second derivatives out (else it asks
    autograd); the autograd engine's double backward agrees, for a stack where only run 0 pays."""
    cfg = ganplay.RunConfig(**{**SMALL, "activation": activation, **settings})
    games = _both(lambda engine: Game([cfg, cfg.replace(seed=1)], engine=engine))
    inputs = torch.randn(1, games[0].engine.networks.d_sizes[0], 32, generator=torch.Generator().manual_seed(3))
    runs, weight = torch.tensor([0]), torch.tensor([3.0])
    values = []
    for game in games:
        game.engine.param_grads(game.engine.forward("d", inputs.expand(2, -1, -1)), torch.zeros(2, 1, 32))
        values.append(game.engine.penalty_grads(inputs, runs, weight, target=1.0))
    torch.testing.assert_close(values[0], values[1], rtol=1e-5, atol=1e-6)
    for run in (0, 1):
        (fast, reference) = (game.engine.layers("d", run, gradient=True) for game in games)
        for (gw, gb), (rw, rb) in zip(fast, reference):
            torch.testing.assert_close(gw, rw, rtol=1e-4, atol=1e-6)
            torch.testing.assert_close(gb, rb, rtol=1e-4, atol=1e-6)
    assert sum(gw.abs().sum() for gw, _ in games[0].engine.layers("d", 0, gradient=True)) > 0


def test_auto_takes_the_fast_engine_and_names_are_checked():
    assert list(ENGINES) == ["mlp", "autograd"]
    assert engine_class("auto", [ganplay.RunConfig()]) is MLPEngine
    assert engine_class("autograd", [ganplay.RunConfig()]) is AutogradEngine
    with pytest.raises(ValueError, match="engine: unknown 'jax'"):
        ganplay.Trainer(ganplay.RunConfig(), engine="jax")


def test_generator_state_moves_between_engines():
    fast = ganplay.train(ganplay.RunConfig(steps=10))
    reference = ganplay.Trainer(ganplay.RunConfig(steps=10, seed=4), engine="autograd")
    reference.load_generator_state(fast.generator_state())
    z = np.random.default_rng(0).normal(size=(64, 2))
    torch.testing.assert_close(reference.sample(z=z), fast.sample(z=z), rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------ a lesson's extras (protocol.Extras)

SGD = dict(SMALL, optimizer="sgd", lr_g=0.1, lr_d=0.1)


def _parameters(game: Game, net: str) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for p in game.engine.module(net, 0).parameters()])


def test_extras_run_on_the_autograd_engine_only():
    with pytest.raises(ValueError, match="engine: 'mlp' cannot run a lesson's extras"):
        Game([ganplay.RunConfig(**SMALL)], engine="mlp", extras=Extras(decay_steps=5))
    assert isinstance(Game([ganplay.RunConfig(**SMALL)], extras=Extras(decay_steps=5)).engine, AutogradEngine)


def test_g_term_adds_its_value_to_g_loss_and_its_gradient_to_gs_update():
    cfg = ganplay.RunConfig(**{**SGD, "lr_d": 0.0, "steps": 1})
    points = torch.randn(16, cfg.z_dim, generator=torch.Generator().manual_seed(1))
    term = lambda module, real: 0.5 * (module(points) ** 2).mean() + 3.0  # reads G only: its gradient is known
    plain, extra = Game([cfg], engine="autograd"), Game([cfg], extras=Extras(g_term=term))
    start = extra.engine.module("g", 0)
    params = list(start.parameters())
    expected = torch.cat([g.flatten() for g in torch.autograd.grad(term(start, None), params)])
    before, value = _parameters(extra, "g"), term(start, None).item()
    plain.step(1), extra.step(1)
    torch.testing.assert_close(before - _parameters(extra, "g") - (before - _parameters(plain, "g")),
                               cfg.lr_g * expected, rtol=1e-4, atol=1e-7)
    # g_loss gains the term's value at G before its update; d_loss is untouched
    assert extra.history[1, 0, 0].item() == pytest.approx(plain.history[1, 0, 0].item() + value, rel=1e-6)
    assert extra.history[0, 0, 0].item() == plain.history[0, 0, 0].item()


def test_decayed_rates_reach_zero_and_stay_there():
    game = Game([ganplay.RunConfig(**{**SGD, "steps": 4})], extras=Extras(decay_steps=2))
    game.step(2)
    after_two = _parameters(game, "g"), _parameters(game, "d")
    game.step(2)  # the second update's rate is lr · (1 − 1/2); from the third on it is 0
    torch.testing.assert_close((_parameters(game, "g"), _parameters(game, "d")), after_two, rtol=0, atol=0)


def test_gradient_norm_is_clipped_before_each_update():
    cfg = ganplay.RunConfig(**{**SGD, "steps": 1})
    game = Game([cfg], extras=Extras(max_grad_norm=1e-3))
    before = _parameters(game, "g"), _parameters(game, "d")
    game.step(1)
    for net, start in zip("gd", before):
        step = torch.linalg.vector_norm(_parameters(game, net) - start).item()
        assert step == pytest.approx(cfg.lr_g * 1e-3, rel=1e-3)


def test_g_module_is_any_module_built_from_the_runs_init_stream():
    cfg = ganplay.RunConfig(**SMALL)
    make = lambda: torch.nn.Sequential(torch.nn.Linear(cfg.z_dim, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))
    first, second = (Game([cfg], extras=Extras(g_module=make)) for _ in range(2))
    other_seed = Game([cfg.replace(seed=1)], extras=Extras(g_module=make))
    torch.testing.assert_close(_parameters(first, "g"), _parameters(second, "g"), rtol=0, atol=0)
    assert not torch.equal(_parameters(first, "g"), _parameters(other_seed, "g"))
    first.step(15), second.step(15)
    assert torch.equal(first.history, second.history) and torch.isfinite(first.history[:2]).all()
