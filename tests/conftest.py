import pytest
import torch

# Tiny ops: one thread is fastest, and spare OpenMP threads spin against other processes.
torch.set_num_threads(1)


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the group marker
def pytest_collection_modifyitems(items):
    """Browser tests run one at a time, on one xdist worker: each drives a server and Chromium on CI's two cores."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("browser"))


def pytest_terminal_summary(terminalreporter):
    """The figures tests record (record_property("figures", ...)) belong in CI's log, whichever worker ran them."""
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []):
        for name, value in getattr(report, "user_properties", ()):
            if name == "figures" and report.when == "call":
                terminalreporter.write_line(f"{report.nodeid}: {value}")
