"""The one Streamlit-aware package of ganplay: what the pages use, re-exported so that pages stay thin.

  links      the settings in the URL, the share box, classroom links, the entry point every page calls first
  sidebar    the settings sidebar, generated from RunConfig's field table
  own_data   the visitor's own data (upload or paint), the plane to draw it on
  take_away  downloads and the script that redoes a run
  run_file   continue a saved run: upload a run file (ganplay.checkpoint) as the page's own live run
  pictures   the picture views of image data (digits): live grids, latent walks, labels, digit counts
  manifold   the 3-D view of 3-D data: points and G's latent grid in an orbit view, distance to the true surface
  live       Play / Pause / Step / Reset, the live view (frames read from the server's loop), the status line
  caches     what every visitor shares (the live loop, projections)
  state      the session-state keys, in one place
  text       a visitor's text shown as text, never as Markdown
"""
from .. import Trainer
from .caches import Comparing, ComparisonFrame, live_loop
from .links import current_config, ensure_entrypoint
from .live import LiveRun, chart, draw, guarded, live_run, play_live, run_controls, status_line, train_with_progress
from .manifold import manifold_view
from .own_data import data_for, own_data_section, projection
from .pictures import conditional_pictures, digit_collapse_section, latent_walk_pictures, picture_view, same_z_pictures
from .run_file import continue_saved_run
from .sidebar import settings_sidebar
from .take_away import take_away_section
from .text import as_text

__all__ = ["Trainer", "Comparing", "ComparisonFrame", "live_loop", "current_config", "ensure_entrypoint", "LiveRun",
           "chart", "draw", "guarded", "live_run", "play_live", "run_controls", "status_line", "train_with_progress",
           "data_for", "own_data_section", "projection", "settings_sidebar", "take_away_section", "as_text"]
__all__ += ["continue_saved_run"]
__all__ += ["manifold_view", "conditional_pictures", "digit_collapse_section", "latent_walk_pictures", "picture_view", "same_z_pictures"]
