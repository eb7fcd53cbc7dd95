"""The one Streamlit-aware package of ganplay: what the pages use, re-exported so that pages stay thin.

  links      the settings in the URL, the share box, classroom links, the entry point every page calls first
  sidebar    the settings sidebar, generated from RunConfig's field table
  own_data   the visitor's own data (upload or paint), the plane to draw it on
  take_away  downloads and the script that redoes a run
  run_file   continue a saved run: upload a run file (ganplay.checkpoint) as the page's own live run
  pictures   the picture views of image data (digits): live grids, latent walks, labels, digit counts
  manifold   the 3-D view of 3-D data: points and G's latent grid in an orbit view, distance to the true surface
  live       Play / Pause / Step / Reset, the live view (frames read from the server's loop), the status line
  slow_motion  one round a stage at a time, or one player, on the visitor's private fork of the live run
  hood       under the hood: gradient norms and D's singular values of the live run, from a private replay
  caches     what every visitor shares (the live loop, projections)
  handoff    a script run's last messages reach the browser before the next run starts (a fix of Streamlit's)
  state      the session-state keys, in one place
  text       a visitor's text shown as text, never as Markdown
  explain    "How to read this" beside each chart (the texts: ganplay.explanations)
"""
from .. import Trainer
from .caches import Comparing, ComparisonFrame, live_loop
from .explain import how_to_read
from .hood import hood_section
from .links import current_config, ensure_entrypoint
from .live import LiveRun, chart, draw, guarded, live_run, play_live, run_controls, status_line, train_with_progress
from .manifold import manifold_view
from .midrun import schedule_list
from .own_data import data_for, own_data_section, projection
from .pictures import conditional_pictures, digit_collapse_section, latent_walk_pictures, picture_view, same_z_pictures
from .run_file import continue_saved_run
from .sidebar import settings_sidebar
from .slow_motion import slow_motion_section
from .take_away import take_away_section
from .text import as_text

__all__ = ["Trainer", "Comparing", "ComparisonFrame", "live_loop", "current_config", "ensure_entrypoint", "LiveRun",
           "chart", "draw", "guarded", "live_run", "play_live", "run_controls", "status_line", "train_with_progress",
           "data_for", "own_data_section", "projection", "settings_sidebar", "take_away_section", "as_text"]
__all__ += ["how_to_read", "schedule_list", "manifold_view", "conditional_pictures", "digit_collapse_section",
            "latent_walk_pictures", "picture_view", "same_z_pictures"]
__all__ += ["continue_saved_run", "hood_section", "slow_motion_section"]
