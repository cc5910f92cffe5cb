"""Figure functions return matplotlib Figures, never show them, and label everything in the report language."""
import itertools

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from evalexp.disclosure.curves import at_risk_at, km_curve, km_times, time_ticks
from evalexp.report import figures
from evalexp.report.document import render_figure
from evalexp.report.i18n import Formatter


def _km_table(n: int, seed: int) -> pd.DataFrame:
    """A KM step table (columns of SurvivalAnalysis.km[arm].table) from exponential data, no ties."""
    rng = np.random.default_rng(seed)
    time = np.sort(rng.exponential(300, n).round(3) + 1)
    event = rng.random(n) < 0.6
    n_risk = n - np.arange(n)
    survival = np.cumprod(1 - event / n_risk)
    return pd.DataFrame({"time": time, "n_risk": n_risk, "n_event": event.astype(int),
                         "n_censor": (~event).astype(int), "survival": survival,
                         "std_err": 0.05, "ci_low": survival * 0.9, "ci_high": np.minimum(1, survival * 1.1)})


@pytest.fixture
def tables():
    return {"treatment": _km_table(60, 1), "control": _km_table(60, 2)}


def _km(tables, fmt):
    """The KM figure of the publishable curves of ``tables`` (threshold 11)."""
    curves = {arm: km_curve(t, 11, km_times(t, 11)) for arm, t in tables.items()}
    max_time = float(30 * np.ceil(max(t["time"].max() for t in tables.values()) / 30))
    ticks = time_ticks(max_time)
    at_risk = {arm: at_risk_at(t, ticks, 11) for arm, t in tables.items()}
    return figures.km_figure(curves, ticks, at_risk, fmt, max_time=max_time, coarse=True)


@pytest.fixture(autouse=True)
def _no_show(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a figure function called show()")
    import matplotlib.pyplot as plt
    monkeypatch.setattr(plt, "show", refuse)
    monkeypatch.setattr(Figure, "show", refuse)


def _texts(fig: Figure) -> list[str]:
    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


def test_km_figure_is_a_figure_not_registered_with_pyplot(tables):
    import matplotlib.pyplot as plt
    before = plt.get_fignums()
    fig = _km(tables, Formatter("fr"))
    assert isinstance(fig, Figure)
    assert plt.get_fignums() == before


def test_km_at_risk_numbers_sit_under_the_x_ticks(tables):
    fig = _km(tables, Formatter("en"))
    curves, risk = fig.axes[:2]
    fig.canvas.draw()
    ticks = [t for t in curves.get_xticks() if curves.get_xlim()[0] <= t <= curves.get_xlim()[1]]
    xs = sorted({round(t.get_position()[0], 6) for t in risk.texts})
    assert xs == pytest.approx(sorted(ticks))
    assert risk.get_xlim() == curves.get_xlim()


def test_km_at_risk_below_threshold_shows_the_mark(tables):
    fig = _km(tables, Formatter("en", threshold=11))
    shown = [t.get_text() for t in fig.axes[1].texts]
    assert "<11" in shown
    assert all(s == "<11" or (int(s.replace(",", "")) >= 11 and int(s.replace(",", "")) % 5 == 0) for s in shown)


def test_km_curve_stops_on_the_grid_before_fewer_than_threshold_are_at_risk(tables):
    fig = _km(tables, Formatter("en", threshold=11))
    table = tables["treatment"]
    first_small = table["time"][table["n_risk"] < 11].iloc[0]
    line = fig.axes[0].get_lines()[0]
    assert max(line.get_xdata()) == 30 * np.floor(first_small / 30)


def test_km_curve_is_drawn_through_grid_days_only(tables):
    fig = _km(tables, Formatter("en", threshold=11))
    for line in fig.axes[0].get_lines():
        assert all(x % 30 == 0 for x in line.get_xdata())


def test_km_labels_follow_the_language(tables):
    fr = _texts(_km(tables, Formatter("fr")))
    en = _texts(_km(tables, Formatter("en")))
    assert "Accompagnés" in fr and "Effectifs à risque" in fr and "Jours depuis le début du contrat" in fr
    assert "Supported" in en and "Number at risk" in en and "Days since contract start" in en



def test_km_axis_percentages_follow_the_language(tables):
    fr = _km(tables, Formatter("fr"))
    en = _km(tables, Formatter("en"))
    fr.canvas.draw()
    en.canvas.draw()
    assert "20\u202f%" in [t.get_text() for t in fr.axes[0].get_yticklabels()]
    assert "20%" in [t.get_text() for t in en.axes[0].get_yticklabels()]


def _cif_frame(fmt, bands=True):
    rows = []
    for arm in ("treatment", "control"):
        for cause, scale in (("employer", 0.1), ("trial_period", 0.05)):
            frame = pd.DataFrame({"group": fmt.label(cause), "arm": arm, "time": [0, 60, 210],
                                  "cif": [0, scale / 2, scale]})
            if bands:
                frame = frame.assign(ci_low=frame["cif"] * 0.5, ci_high=frame["cif"] * 1.6)
            rows.append(frame)
    return pd.concat(rows)


def test_cif_figure_has_one_panel_per_cause_group_with_both_arms_and_bands():
    fmt = Formatter("fr")
    fig = figures.cif_figure(_cif_frame(fmt), {"treatment": 180, "control": 400}, fmt, max_time=420, coarse=True)
    texts = _texts(fig)
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["Employeur", "Période d'essai"]
    assert "Accompagnés" in texts and "Témoins" in texts
    for ax in panels:
        assert ax.get_ylim()[0] == 0
        assert len(ax.get_lines()) == 2                  # one incidence per arm
        assert len(ax.collections) == 2                  # one confidence band per arm
        # public: band vertices only at the published days and where the arm's curve stops
        days = {round(x, 6) for band in ax.collections for x in band.get_paths()[0].vertices[:, 0]}
        assert days <= {0.0, 60.0, 180.0, 210.0, 400.0}


def test_cif_figure_draws_no_band_for_a_group_without_interval():
    fmt = Formatter("en")
    frame = _cif_frame(fmt, bands=False).assign(ci_low=np.nan, ci_high=np.nan)
    fig = figures.cif_figure(frame, {"treatment": 180, "control": 400}, fmt, max_time=420, coarse=True)
    assert all(len(ax.collections) == 0 for ax in fig.axes if ax.get_title())


def test_cif_figure_evaluator_draws_steps():
    fmt = Formatter("en")
    fig = figures.cif_figure(_cif_frame(fmt), {"treatment": 400, "control": 400}, fmt, max_time=420, coarse=False)
    line = fig.axes[0].get_lines()[0]
    assert line.get_drawstyle() == "steps-post"


def test_km_figure_plots_cumulative_incidence_from_zero_with_log_log_bands(tables):
    fig = _km(tables, Formatter("en", threshold=11))
    ax = fig.axes[0]
    assert ax.get_ylim()[0] == 0
    assert len(ax.collections) == 2                      # one band per arm
    curves = {arm: km_curve(t, 11, km_times(t, 11)) for arm, t in tables.items()}
    for line, band, arm in zip(ax.get_lines(), ax.collections, ("treatment", "control")):
        points = curves[arm].points
        assert line.get_ydata()[:len(points)] == pytest.approx(1 - points["survival"].to_numpy())
        vertices = band.get_paths()[0].vertices
        upper = {round(x, 6): y for x, y in vertices if x in set(points["time"])}
        # the band is [1 - ci_high, 1 - ci_low] at every published day: its upper edge is 1 - ci_low
        for day, ci_low in zip(points["time"], points["ci_low"]):
            assert max(y for x, y in vertices if round(x, 6) == round(day, 6)) == pytest.approx(1 - ci_low)
        assert set(upper) == set(points["time"])
        assert {round(x, 6) for x in vertices[:, 0]} <= set(points["time"]) | {curves[arm].stop}
    assert ax.get_ylabel() == "Share of contracts broken"


def test_km_figure_marks_the_horizon_with_each_arms_published_value(tables):
    fmt = Formatter("en", threshold=11)
    curves = {arm: km_curve(t, 11, km_times(t, 11, (360,), 360)) for arm, t in tables.items()}
    ticks = time_ticks(720)
    at_risk = {arm: at_risk_at(t, ticks, 11) for arm, t in tables.items()}
    fig = figures.km_figure(curves, ticks, at_risk, fmt, max_time=720, coarse=True, horizon=360)
    ax = fig.axes[0]
    verticals = [line for line in ax.get_lines() if len(set(line.get_xdata())) == 1]
    assert [line.get_xdata()[0] for line in verticals] == [360]
    label = next(t.get_text() for t in ax.texts if t.get_text().startswith("Horizon"))
    assert label.splitlines()[0] == "Horizon: day 360"
    for arm, name in (("treatment", "Supported"), ("control", "Control")):
        points = curves[arm].points
        if 360 in set(points["time"]):
            value = 1 - float(points.loc[points["time"] == 360, "survival"].iloc[0])
            assert f"{name} {fmt.percent(value, 1)}" in label.splitlines()
        else:
            assert not any(line.startswith(name) for line in label.splitlines())


def test_km_figure_horizon_value_is_not_printed_between_public_points(tables):
    fmt = Formatter("en", threshold=11)
    curves = {arm: km_curve(t, 11, km_times(t, 11)) for arm, t in tables.items()}
    assert not any(37 in set(c.points["time"]) for c in curves.values())
    fig = figures.km_figure(curves, time_ticks(720), {}, fmt, max_time=720, coarse=True, horizon=37)
    label = next(t.get_text() for t in fig.axes[0].texts if t.get_text().startswith("Horizon"))
    assert label == "Horizon: day 37"


def test_km_figure_evaluator_draws_exact_steps_from_day_zero(tables):
    table = tables["treatment"]
    exact = km_curve(table, 11, km_times(table, 11))
    exact = type(exact)(table[["time", "survival", "ci_low", "ci_high"]], float(table["time"].max()))
    fig = figures.km_figure({"treatment": exact}, time_ticks(720), {}, Formatter("en"), max_time=720, coarse=False)
    line = fig.axes[0].get_lines()[0]
    assert line.get_drawstyle() == "steps-post"
    assert line.get_xdata()[0] == 0 and line.get_ydata()[0] == 0
    assert set(table["time"]) <= set(line.get_xdata())   # every exact step is drawn


def test_figure_text_is_never_parsed_as_mathtext():
    fmt = Formatter("en")
    frame = _cif_frame(fmt).assign(group=lambda f: f["group"].map({fmt.label("employer"): r"$\bogus$ bonus",
                                                                    fmt.label("trial_period"): "5$ a day"}))
    fig = figures.cif_figure(frame, {"treatment": 180, "control": 400}, fmt, max_time=420, coarse=True)
    texts = [t for t in fig.findobj(matplotlib.text.Text) if "$" in t.get_text()]
    assert {t.get_text() for t in texts} == {r"$\bogus$ bonus", "5$ a day"}
    assert not any(t.get_parse_math() for t in texts)
    fig.canvas.draw()                                    # a mathtext parse of "\bogus" would raise


def test_love_plot_draws_the_wwc_thresholds():
    balance = pd.DataFrame({"label": ["age", "female"], "std_diff": [0.02, -0.3]})
    fig = figures.love_plot(balance, Formatter("en"))
    verticals = sorted({round(line.get_xdata()[0], 2) for line in fig.axes[0].get_lines()})
    assert verticals == [-0.25, -0.05, 0.0, 0.05, 0.25]


def test_forest_plot_shows_withheld_sizes_and_estimates_as_marks():
    forest = pd.DataFrame({"variable": ["female", "female"], "level": ["0", "1"], "n": [80, None],
                           "estimate": [0.6, None], "ci_low": [0.3, None], "ci_high": [1.2, None],
                           "interaction_p": [0.4, 0.4]})
    fig = figures.forest_plot(forest, Formatter("en"))
    texts = _texts(fig)
    assert any(t.endswith("N s") for t in texts)
    assert any("0.60" in t and "N 80" in t for t in texts)


def test_consort_figure_prints_the_published_counts_and_marks():
    flow = {"treatment": {"allocated": "75", "received": "64", "lost": "<11", "analysed": "75"},
            "control": {"allocated": "75", "lost": "<11", "analysed": "75"}}
    fig = figures.consort_figure("150", flow, Formatter("en"), horizon=365)
    texts = _texts(fig)
    assert sum("<11" in t for t in texts) == 2
    assert not any("Received" in t for t in texts)   # no take-up column in control: line left out


def test_consort_figure_follows_the_standard_layout():
    flow = {arm: {"allocated": "75", "received": r, "not_received": nr, "lost": "s", "discontinued": "12",
                  "analysed": "75", "excluded": "0"}
            for arm, r, nr in (("treatment", "64", "11"), ("control", "0", "75"))}
    fig = figures.consort_figure("150", flow, Formatter("en"), horizon=365, assessed="212",
                                 excluded={"Declined to participate": "22", "Not eligible": "40"})
    texts = _texts(fig)
    for stage in ("Enrolment", "Allocation", "Follow-up", "Analysis"):
        assert stage in texts
    assert "Assessed for eligibility\n(n = 212)" in texts
    assert "Excluded\n• Declined to participate (n = 22)\n• Not eligible (n = 40)" in texts
    assert "Randomised\n(n = 150)" in texts
    assert ("Supported: allocated (n = 75)\nReceived the support (n = 64)\n"
            "Did not receive the support (n = 11)") in texts
    assert "Follow-up ended before 365 days (n = s)\nDiscontinued the support (n = 12)" in texts
    assert "Analysed (rupture) (n = 75)\nExcluded from the analysis (n = 0)" in texts
    # two columns under one randomised box: the arm boxes sit left and right of its centre
    boxes = {t.get_text().split(":")[0]: t.get_position()[0]
             for t in fig.axes[0].texts if ": allocated" in t.get_text()}
    randomised = next(t.get_position()[0] for t in fig.axes[0].texts if t.get_text().startswith("Randomised"))
    assert boxes["Supported"] < randomised < boxes["Control"]
    # arrows: randomised -> each arm's three boxes, assessed -> randomised and -> excluded
    arrows = [p for p in fig.axes[0].patches if type(p).__name__ == "FancyArrowPatch"]
    assert len(arrows) == 2 * 3 + 2


def _overlaps(boxes) -> bool:
    boxes = sorted(boxes, key=lambda b: b.y0)
    return any(a.y1 > b.y0 + 0.5 for a, b in itertools.pairwise(boxes))


def test_forest_plot_is_readable_log_scale_reference_at_one_no_overlapping_labels():
    levels = [f"level with a rather long name {i}" for i in range(12)]
    forest = pd.DataFrame({"variable": ["sector"] * 6 + ["diploma"] * 6, "level": levels,
                           "n": [120, None] * 6, "estimate": np.linspace(0.03, 9, 12),
                           "ci_low": np.linspace(0.03, 9, 12) / 2, "ci_high": np.linspace(0.03, 9, 12) * 2,
                           "interaction_p": [0.4] * 6 + [0.02] * 6})
    fig = figures.forest_plot(forest, Formatter("en"))
    ax = fig.axes[0]
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    assert ax.get_xscale() == "log"
    assert [line.get_xdata()[0] for line in ax.get_lines() if len(set(line.get_xdata())) == 1][:1] == [1]
    labels = [t for t in ax.get_yticklabels() if t.get_text()]
    assert len(labels) == 14                              # 2 variable headers + 12 levels
    assert not _overlaps([t.get_window_extent(renderer) for t in labels])
    right = [t for t in ax.child_axes[0].get_yticklabels() if t.get_text()]
    assert not _overlaps([t.get_window_extent(renderer) for t in right])
    ticks = [t for t in ax.get_xticklabels() if t.get_text()]
    extents = sorted((t.get_window_extent(renderer) for t in ticks), key=lambda b: b.x0)
    assert len(ticks) >= 3 and all(a.x1 < b.x0 for a, b in itertools.pairwise(extents))
    # no level label runs into the plotting area
    assert max(t.get_window_extent(renderer).x1 for t in labels) <= ax.get_window_extent(renderer).x0


def test_probability_axes_tick_at_whole_percentages_that_the_labels_print_exactly():
    fmt = Formatter("en")
    frame = _cif_frame(fmt).assign(cif=lambda f: f["cif"] * 1.3, ci_high=lambda f: f["ci_high"] * 1.3)
    fig = figures.cif_figure(frame, {"treatment": 400, "control": 400}, fmt, max_time=420, coarse=True)
    fig.canvas.draw()
    ticks = fig.axes[0].get_yticks()
    assert len(ticks) >= 3
    assert np.allclose(100 * ticks, np.round(100 * ticks))


def test_cif_figure_keeps_the_order_of_the_groups_it_is_given():
    fmt = Formatter("en")
    frame = _cif_frame(fmt)
    order = list(dict.fromkeys(frame["group"]))[::-1]
    frame = pd.concat([frame[frame["group"] == g] for g in order])
    fig = figures.cif_figure(frame, {"treatment": 400, "control": 400}, fmt, max_time=420, coarse=True)
    assert [ax.get_title() for ax in fig.axes if ax.get_title()] == order


def test_dollar_signs_in_labels_are_drawn_as_written_not_parsed_as_mathtext():
    # "$x^$" is invalid mathtext: matplotlib would raise ValueError while drawing it
    balance = pd.DataFrame({"label": ["$x^$", "cost in $ and $"], "std_diff": [0.02, -0.3]})
    fig = figures.love_plot(balance, Formatter("en"))
    fig.axes[0].set_title("$x^$")
    rendered = render_figure(fig, "balance", "caption")
    assert rendered.png.startswith(b"\x89PNG") and b"<svg" in rendered.svg
    assert sorted(t.get_text() for t in fig.axes[0].get_yticklabels()) == ["$x^$", "cost in $ and $"]
