"""ganplay: watch Generative Adversarial Networks learn. Run with `streamlit run app.py`."""
import streamlit as st
import torch

from ganplay.ui import handoff

handoff.install()  # a run's last messages reach the browser before the next run starts (see handoff)

st.set_page_config(page_title="ganplay: see how GANs learn", page_icon="🎲", layout="wide")
# The nets are tiny: one thread per visitor is fastest, and idle OpenMP threads spin against other sessions.
torch.set_num_threads(1)

PAGES = {
    "playground": st.Page("pages/playground.py", title="Playground", icon=":material/play_circle:"),
    "lessons": st.Page("pages/lessons.py", title="Lessons", icon=":material/school:"),
    "mode_collapse": st.Page("pages/mode_collapse.py", title="Mode collapse", icon=":material/scatter_plot:"),
    "latent_walk": st.Page("pages/latent_walk.py", title="Latent walk", icon=":material/route:"),
    "conditional": st.Page("pages/conditional.py", title="Conditional GAN", icon=":material/label:"),
}


def home() -> None:
    st.title("ganplay")
    st.markdown(
        "A **Generative Adversarial Network** is a game between two networks. The **generator** G turns random "
        "noise z into samples G(z); the **discriminator** D looks at a sample and says how likely it is to be real. "
        "D is trained to tell real data from G's fakes, and G is trained to fool D:"
    )
    st.latex(r"\min_G \max_D \; V(D, G) = \mathbb{E}_{x\sim p_{data}}[\log D(x)] + "
             r"\mathbb{E}_{z\sim p_z}[\log(1 - D(G(z)))]")
    st.markdown(
        "For the optimal D, this is the Jensen–Shannon divergence between the data and G's distribution (up to "
        "constants), so G learns the data's distribution without ever writing down its density. In practice the "
        "game is fragile: G may cover only some modes of the data (**mode collapse**), and the original loss gives "
        "G no gradient when D wins. The variants here (non-saturating GAN, WGAN, WGAN-GP, LSGAN, hinge) are the "
        "lecture's remedies. Pick a page:"
    )
    for page in PAGES.values():
        st.page_link(page, label=page.title, icon=page.icon)


navigation = st.navigation([st.Page(home, title="Home", icon=":material/home:", default=True), *PAGES.values()])
navigation.run()
