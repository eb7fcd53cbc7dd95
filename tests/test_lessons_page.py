"""AppTest of the lessons page: every tab shows its math and charts; Train buttons produce results."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).parent.parent / "pages" / "lessons.py")
CHART = "vega_lite_chart"
TRAIN_BUTTONS = ("lessons_bernoulli_train", "lessons_optimal_d_train", "lessons_flow_train")


def fresh_page() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=60).run()


@pytest.fixture(scope="module")
def page() -> AppTest:
    return fresh_page()


@pytest.fixture(scope="module")
def trained() -> AppTest:
    at = fresh_page()
    for key in TRAIN_BUTTONS:
        at.button(key=key).click().run()
    return at


def test_page_loads_without_exception_or_error(page):
    assert not page.exception
    assert not page.error
    assert [t.label for t in page.tabs] == ["Stochastic backprop", "Gumbel-softmax", "Optimal D and JSD", "Flow-GAN"]


def test_every_tab_shows_its_math(page):
    assert [len(t.latex) for t in page.tabs] == [3, 2, 1, 1]


def test_lessons_without_training_draw_their_charts_on_first_load(page):
    assert [len(t.get(CHART)) for t in page.tabs] == [2, 3, 3, 0]
    assert [m.label for m in page.tabs[0].metric] == ["Variance, pathwise (reparameterisation)",
                                                      "Variance, score function (reinforce)"]


def test_train_buttons_produce_results(trained):
    assert not trained.exception
    _, gumbel, optimal_d, flow_gan = trained.tabs
    assert "Total variation, data vs generator" in [m.label for m in gumbel.metric]
    assert "V(D trained, G)" in [m.label for m in optimal_d.metric]
    assert [m.label for m in flow_gan.metric] == ["Held-out log-likelihood (nats / point)",
                                                  "Samples within 3σ of a mode"]
    assert [len(t.get(CHART)) for t in trained.tabs] == [2, 4, 3, 1]


def test_results_stay_after_a_rerun_and_two_lambdas_are_compared(trained):
    trained.select_slider(key="lessons_fg_lambda").set_value(100.0).run()
    assert len(trained.tabs[3].get(CHART)) == 0  # this λ is not trained yet
    trained.button(key="lessons_flow_train").click().run()
    assert not trained.exception
    assert len(trained.tabs[3].get(CHART)) == 2  # its samples, and λ = 0 vs 100 side by side
    assert "V(D trained, G)" in [m.label for m in trained.tabs[2].metric]


def test_bad_class_weights_show_an_error_not_a_traceback():
    at = fresh_page()
    for name in "abc":
        at.slider(key=f"lessons_gs_pi_{name}").set_value(0.0)
    at.run()
    assert not at.exception
    assert "probs" in at.tabs[1].error[0].value
