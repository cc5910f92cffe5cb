"""Figure functions return matplotlib Figures, never show them, and label everything in the report language."""
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
    assert "100\u202f%" in [t.get_text() for t in fr.axes[0].get_yticklabels()]
    assert "100%" in [t.get_text() for t in en.axes[0].get_yticklabels()]


def test_cif_figure_has_one_panel_per_arm_with_translated_causes(tables):
    rows = []
    fmt = Formatter("fr")
    for arm in ("treatment", "control"):
        for cause, scale in (("employer", 0.1), ("trial_period", 0.05)):
            rows.append(pd.DataFrame({"group": fmt.label(cause), "arm": arm, "time": [0, 60, 210],
                                      "cif": [0, scale / 2, scale]}))
    fig = figures.cif_figure(pd.concat(rows), {"treatment": 180, "control": 400}, fmt, max_time=420, coarse=True)
    texts = _texts(fig)
    assert [ax.get_title() for ax in fig.axes[:2]] == ["Accompagnés", "Témoins"]
    assert "Employeur" in texts and "Période d'essai" in texts


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
    assert not any("Received" in t for t in texts)   # no take-up column in control: box left out


def test_dollar_signs_in_labels_are_drawn_as_written_not_parsed_as_mathtext():
    # "$x^$" is invalid mathtext: matplotlib would raise ValueError while drawing it
    balance = pd.DataFrame({"label": ["$x^$", "cost in $ and $"], "std_diff": [0.02, -0.3]})
    fig = figures.love_plot(balance, Formatter("en"))
    fig.axes[0].set_title("$x^$")
    rendered = render_figure(fig, "balance", "caption")
    assert rendered.png.startswith(b"\x89PNG") and b"<svg" in rendered.svg
    assert sorted(t.get_text() for t in fig.axes[0].get_yticklabels()) == ["$x^$", "cost in $ and $"]
