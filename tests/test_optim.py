"""The flat-vector optimisers take the steps torch.optim takes, with one rate or a rate per element."""
import pytest
import torch

from ganplay.engines import optim

REFERENCE = {
    "adam": lambda p, lr, betas: torch.optim.Adam([p], lr=lr, betas=betas),
    "rmsprop": lambda p, lr, betas: torch.optim.RMSprop([p], lr=lr, alpha=betas[1]),
    "sgd": lambda p, lr, betas: torch.optim.SGD([p], lr=lr),
}


@pytest.mark.parametrize("name", sorted(optim.OPTIMIZERS))
@pytest.mark.parametrize("per_element", [False, True])
def test_flat_update_matches_torch_optim(name, per_element):
    gen = torch.Generator().manual_seed(0)
    start, lr, betas = torch.randn(50, generator=gen), 1e-2, (0.5, 0.99)
    ours, theirs = start.clone(), start.clone().requires_grad_()
    state, reference = optim.new_state(ours), REFERENCE[name](theirs, lr, betas)
    rate = torch.full_like(ours, lr) if per_element else lr
    for _ in range(20):
        grad = torch.randn(50, generator=gen)
        optim.OPTIMIZERS[name](ours, grad, state, rate, betas)
        theirs.grad = grad.clone()
        reference.step()
    torch.testing.assert_close(ours, theirs.detach(), rtol=1e-5, atol=1e-6)


def test_per_element_rates_move_each_element_at_its_own_rate():
    params, grad = torch.zeros(4), torch.ones(4)
    optim.sgd(params, grad, optim.new_state(params), torch.tensor([0.0, 0.1, 0.2, 0.3]), (0.9, 0.999))
    torch.testing.assert_close(params, torch.tensor([0.0, -0.1, -0.2, -0.3]))


def test_private_fused_adam_kernel_still_takes_torch_optims_steps():
    """optim.adam calls the private torch._fused_adam_ when every run shares a rate (one pass instead of
    seven); this fails, naming it, when a new torch changes its signature or its arithmetic."""
    gen = torch.Generator().manual_seed(0)
    start, lr, betas = torch.randn(1000, generator=gen), 3e-3, (0.5, 0.9)
    ours, theirs = start.clone(), start.clone().requires_grad_()
    state, reference = optim.new_state(ours), torch.optim.Adam([theirs], lr=lr, betas=betas, fused=True)
    for _ in range(5):
        grad = torch.randn(1000, generator=gen)
        try:
            optim.adam(ours, grad, state, lr, betas)
        except (TypeError, RuntimeError) as problem:
            pytest.fail(f"torch._fused_adam_ changed its signature: {problem}")
        theirs.grad = grad.clone()
        reference.step()
    assert torch.equal(ours, theirs.detach()), "torch._fused_adam_ no longer takes torch.optim.Adam(fused=True)'s steps"
    assert torch.equal(state.first, reference.state[theirs]["exp_avg"]), "torch._fused_adam_: first moment differs"
