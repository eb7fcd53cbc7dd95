"""The Unrolled GAN: look-ahead steps are D's own optimiser's, and G's gradient goes through them."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch.func import grad

import ganplay
from ganplay import unrolled
from ganplay.game import Game
from ganplay.metrics import sliced_wasserstein

TINY = dict(dataset="ring8", variant="unrolled", batch_size=8, g_width=4, g_depth=1, d_width=4, d_depth=1, steps=5)


def _autograd(game: Game) -> bool:
    return isinstance(game.engine, ganplay.engines.AutogradEngine)


def _per_run(game: Game, params) -> list[list[tuple[torch.Tensor, torch.Tensor]]]:
    """A lookahead's parameters (either engine's layout) as each run's (W, b) pairs, the layout of layers()."""
    if _autograd(game):
        pairs = list(zip(params[0::2], params[1::2]))
        return [[(w[r], b[r]) for w, b in pairs] for r in range(game.runs)]
    return [[(w[r], b[r, :, 0]) for w, b in game.engine.players["d"].shape.views(params[0])] for r in range(game.runs)]


def _in_layout(game: Game, per_run) -> list[torch.Tensor]:
    """Each run's (W, b) pairs in the lookahead's layout (the mlp engine's padding left at zero)."""
    if _autograd(game):
        return [torch.stack([layers[k // 2][k % 2] for layers in per_run]) for k in range(2 * len(per_run[0]))]
    flat = torch.zeros(game.engine.players["d"].shape.numel)
    for r, layers in enumerate(per_run):
        for (w, b), (gw, gb) in zip(_per_run(game, [flat])[r], layers):
            w.copy_(gw), b.copy_(gb)
    return [flat]


def _set_d_gradients(game: Game, per_run) -> None:
    for r, layers in enumerate(per_run):
        for (gw, gb), (w, b), (own_w, own_b) in zip(layers, game.engine.layers("d", r),
                                                    game.engine.layers("d", r, gradient=not _autograd(game))):
            if _autograd(game):
                w.grad, b.grad = gw.clone(), gb.clone()
            else:
                own_w.copy_(gw), own_b.copy_(gb)


@pytest.mark.parametrize("engine", ["mlp", "autograd"])
@pytest.mark.parametrize("settings", [dict(), dict(optimizer="rmsprop", variant="wgan", clip=0.3),
                                      dict(optimizer="sgd", lr_d=0.1)], ids=["adam", "rmsprop-clipped", "sgd"])
def test_a_lookahead_step_is_the_engines_own_update(engine, settings):
    configs = [ganplay.RunConfig(**{**TINY, **settings}, seed=seed) for seed in (0, 1)]
    game = Game(configs, engine=engine)
    game.step(2)  # the optimiser has state to continue
    state = game.engine.lookahead()
    gen = torch.Generator().manual_seed(0)
    grads = [[(torch.randn(w.shape, generator=gen), torch.randn(b.shape, generator=gen))
              for w, b in game.engine.layers("d", r)] for r in range(game.runs)]
    _set_d_gradients(game, grads)
    game.engine.update("d")
    stepped = _per_run(game, unrolled.optimiser_step(state, _in_layout(game, grads)).params)
    for r in range(game.runs):
        for mine, theirs in zip(stepped[r], game.engine.layers("d", r)):
            torch.testing.assert_close(mine[0], theirs[0].detach(), rtol=1e-5, atol=1e-6)
            torch.testing.assert_close(mine[1], theirs[1].detach(), rtol=1e-5, atol=1e-6)


def _batch_after_a_step(cfg: ganplay.RunConfig, engine: str):
    game = Game([cfg], engine=engine)
    game.step(3)
    real, z, labels = game._batch()
    fake = game.engine.forward("g", game.with_labels(z, labels)).out
    return game, real, fake, labels


@pytest.mark.parametrize("engine", ["mlp", "autograd"])
def test_no_lookahead_steps_give_the_plain_generator_gradient(engine):
    game, real, fake, labels = _batch_after_a_step(ganplay.RunConfig(**{**TINY, "unroll": 1}), engine)
    game.lookahead = 0  # the unrolled machinery with K = 0 ...
    loss, fake_grad = unrolled.generator_grads(game, real, fake, labels)
    plain_loss, plain_grad = game._generator_grads(fake, labels, real)  # ... and the plain path it bypasses
    torch.testing.assert_close(loss, plain_loss)
    torch.testing.assert_close(fake_grad, plain_grad)


def test_an_unrolled_gan_with_no_lookahead_trains_exactly_as_the_plain_gan():
    cfg = ganplay.RunConfig(**{**TINY, "steps": 20, "unroll": 0})
    a, b = ganplay.train(cfg), ganplay.train(cfg.replace(variant="nsgan"))
    assert a.history.equals(b.history) and np.array_equal(a.sample(200), b.sample(200))


@pytest.mark.parametrize("engine", ["mlp", "autograd"])
def test_the_gradient_through_the_lookahead_is_autograds_through_the_written_out_steps(engine):
    lr, steps = 0.5, 3
    cfg = ganplay.RunConfig(**{**TINY, "unroll": steps, "optimizer": "sgd", "lr_d": lr, "lr_g": 0.05})
    game, real, fake, labels = _batch_after_a_step(cfg, engine)
    loss, fake_grad = unrolled.generator_grads(game, real, fake, labels)

    (w1, b1), (w2, b2) = [(w.detach(), b.detach()) for w, b in game.engine.layers("d", 0)]
    d = lambda p, x: p[2] @ torch.relu(p[0] @ x + p[1][:, None]) + p[3][:, None]  # noqa: E731  x: (2, B)
    d_loss = lambda p, y: F.softplus(-d(p, real[0])).mean() + F.softplus(d(p, y)).mean()  # noqa: E731

    def g_loss(y):
        params = (w1, b1, w2, b2)
        for _ in range(steps):  # θ ← θ − η ∇θ L_D(θ, G(z)), as the paper's equation 4 writes it
            params = tuple(p - lr * g for p, g in zip(params, grad(d_loss)(params, y)))
        return F.softplus(-d(params, y)).mean()

    torch.testing.assert_close(loss[0], g_loss(fake[0]))
    torch.testing.assert_close(fake_grad[0], grad(g_loss)(fake[0]))
    assert not torch.allclose(fake_grad, _plain(game, real, fake, labels), rtol=0.1)  # the look-ahead matters


def _plain(game: Game, real, fake, labels):
    game.lookahead = 0
    try:
        return game._generator_grads(fake, labels, real)[1]
    finally:
        game.lookahead = game.configs[0].lookahead


def test_unrolled_runs_train_apart_from_plain_ones():
    cfg = ganplay.RunConfig(**TINY)
    side = ganplay.SideBySide([cfg.replace(variant="nsgan"), cfg, cfg.replace(unroll=2), cfg.replace(seed=3)])
    assert [len(game.configs) for game in side.stacks] == [1, 2, 1]
    assert cfg.lookahead == 5 and cfg.replace(variant="nsgan").lookahead == 0  # unroll applies to "unrolled" only


def test_a_short_unrolled_run_moves_the_generator_onto_the_ring():
    run = ganplay.Trainer(ganplay.RunConfig(dataset="ring8", variant="unrolled", steps=300, batch_size=128))
    before = sliced_wasserstein(run.sample(1000), run.data.x)
    run.step(300)
    after = sliced_wasserstein(run.sample(1000), run.data.x)
    assert run.status == "done" and after < before / 3, f"sliced W1 {before:.3f} -> {after:.3f}"


def test_unrolled_runs_in_a_stack_train_exactly_as_alone():
    configs = [ganplay.RunConfig(**{**TINY, "steps": 10, "unroll": 3}, seed=seed) for seed in (0, 1)]
    side = ganplay.SideBySide(configs).step(10)
    for run, cfg in zip(side.runs, configs):
        alone = ganplay.train(cfg)
        assert run.history.equals(alone.history) and np.array_equal(run.sample(200), alone.sample(200))


def test_the_sidebar_offers_k_only_for_unrolled_variants():
    shown = ganplay.config.widgets()["unroll"].shown
    assert [name for name in ganplay.VARIANTS if shown({"variant": name})] == ["unrolled"]


def test_unrolled_runs_moved_into_one_stack_mid_training_go_on_as_alone():
    from ganplay.runs import restack
    # a stack is exact for whole 32-row batches (game.EXACT_BATCH_MULTIPLE)
    configs = [ganplay.RunConfig(**{**TINY, "steps": 12, "unroll": 2, "batch_size": 32}, seed=seed) for seed in (0, 1)]
    runs = [ganplay.Trainer(cfg).step(4) for cfg in configs]
    restack(runs)
    runs[0].step(8)
    for run, cfg in zip(runs, configs):
        alone = ganplay.train(cfg)
        assert run.history.equals(alone.history) and np.array_equal(run.sample(200), alone.sample(200))
