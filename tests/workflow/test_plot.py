"""plot(ax=None) of the results that have a figure: drawn on the given Axes, which is returned."""
import numpy as np
import pytest
from matplotlib.figure import Figure


@pytest.fixture
def ax():
    return Figure().add_subplot()


def test_km_plot_draws_each_arm_steps_on_the_given_axes(demo, ax):
    assert demo.survival.plot(ax=ax) is ax
    lines = {line.get_label(): line for line in ax.get_lines()}
    for arm, km in demo.survival.km.items():
        line = lines[f"{arm} (n={km.n})"]
        np.testing.assert_array_equal(line.get_ydata(), np.concatenate([[1.0], km.table["survival"]]))
        assert line.get_drawstyle() == "steps-post"
    assert len(ax.collections) == 2
    assert len(demo.survival.plot(ax=Figure().add_subplot(), ci=False).collections) == 0


def test_cif_plot_draws_every_cause_in_both_arms(demo, ax):
    assert demo.competing.plot(ax=ax) is ax
    table = demo.competing.cif_table()
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == [f"{c}, {a}" for c in demo.competing.by_cause for a in ("treatment", "control")]
    first = ax.get_lines()[0]
    cause = next(iter(demo.competing.by_cause))
    expected = table[(table.cause == cause) & (table.arm == "treatment")].sort_values("time")["cif"]
    np.testing.assert_array_equal(first.get_ydata(), expected.to_numpy(float))


def test_forest_plot_shows_every_subgroup_hazard_ratio(demo, ax):
    assert demo.subgroups.plot(ax=ax) is ax
    forest = demo.subgroups.forest()
    shown = forest["estimate"].dropna().to_numpy(float)
    points = ax.containers[0].lines[0].get_xdata()
    np.testing.assert_allclose(np.sort(points), np.sort(shown))
    assert ax.get_xscale() == "log"


def test_love_plot_shows_every_standardised_difference(demo, ax):
    assert demo.balance.plot(ax=ax) is ax
    offsets = ax.collections[-1].get_offsets()
    expected = demo.balance.love_plot_data()["std_difference"].to_numpy(float)[::-1]
    np.testing.assert_allclose(np.asarray(offsets)[:, 0], expected)


def test_plot_without_axes_uses_the_current_pyplot_axes(demo):
    from matplotlib import pyplot

    pyplot.close("all")
    try:
        ax = demo.balance.plot()
        assert ax is pyplot.gca()
    finally:
        pyplot.close("all")
