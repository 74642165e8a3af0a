"""Tests for irtrial.plan.read: TOML plans, validated with every problem listed by key."""

import textwrap

import pytest

from irtrial.errors import IrtrialError, PlanValidationError
from irtrial.plan import read_plan
from irtrial.plan.model import StudyPlan

GOOD = """
title = "Infrared wrap"
seed = 11

[data]
subject = "USUBJID"
arm = "ARM"
covariates = ["AGE", "SEX"]
categorical = ["SEX"]
numeric = ["AGE"]

[endpoint]
name = "AVAL"
label = "Pain intensity"
units = "points"
range = [0, 10]
direction = "lower"

[estimand]
population = "all randomised"
treatment = "IR wrap vs placebo wrap"
variable = "change in pain at week 6"
summary_measure = "difference in LS mean change"
intercurrent_events = [
  {event = "discontinuation of study treatment", strategy = "hypothetical"},
  {event = "use of rescue medication", strategy = "treatment policy"},
]

[primary]
formula = "change ~ baseline + AGE + SEX + arm * visit"
covariance = ["UN", "TOEPH", "ARH(1)", "CS"]
method = "REML"
df = "KR(FIRSTORDER)"
conf_level = 0.95
primary_visit = "Week 6"

[supportive]
analyses = ["ancova", "welch"]

[responders]
definitions = [
  {label = "30% reduction", kind = "relative", threshold = 30},
  {kind = "absolute", threshold = 2.5},
]

[multiplicity]
method = "fixed-sequence"
order = ["Week 6", "Week 3"]
family = "visits"
"""


def write(tmp_path, text):
    path = tmp_path / "study.toml"
    path.write_text(textwrap.dedent(text))
    return path


def test_a_complete_plan_is_read(tmp_path):
    plan = read_plan(write(tmp_path, GOOD))
    assert plan.title == "Infrared wrap" and plan.seed == 11
    assert plan.primary.covariates == ("AGE", "SEX")
    assert plan.primary.covariance == ("us", "toeph", "ar1h", "cs")
    assert plan.primary.df == "kenward-roger-linear"
    assert [(e.event, e.strategy) for e in plan.estimand.intercurrent_events] == [
        ("discontinuation of study treatment", "hypothetical"),
        ("use of rescue medication", "treatment policy")]
    assert [(d.label, d.kind, d.threshold) for d in plan.responders.definitions] == [
        ("30% reduction", "relative", 30.0), ("reduction >= 2.5 points", "absolute", 2.5)]
    assert plan.multiplicity.order == ("Week 6", "Week 3")
    assert plan.supportive.analyses == ("ancova", "welch")
    assert plan.source.endswith("study.toml") and len(plan.digest) == 64
    assert plan.sensitivity == () and plan.power is None
    assert StudyPlan.from_mapping(plan.to_dict()) == plan


def test_every_problem_is_listed_with_its_key(tmp_path):
    bad = """
    seeds = 3
    [data]
    categorical = ["SITE"]
    format = "tall"
    [endpoint]
    range = [10, 0]
    direction = "down"
    [estimand]
    intercurrent_events = [{event = "missing data", strategy = "MAR"}]
    [primary]
    covariance = ["UN", "TOEPX"]
    df = "KR2"
    conf_level = 95
    covarites = ["AGE"]
    [supportive]
    analyses = ["ancova", "t-test"]
    [responders]
    definitions = [{kind = "relative", threshold = 130}]
    [multiplicity]
    method = "dunnet"
    """
    with pytest.raises(PlanValidationError) as info:
        read_plan(write(tmp_path, bad))
    err = info.value
    assert isinstance(err, IrtrialError)
    messages = [p.message for p in err.problems]
    expected = [
        "seeds: unknown key; did you mean 'seed'?",
        "data.categorical[0]: 'SITE' is not a covariate of the plan",
        "data.format: 'tall' must be one of 'long', 'wide'",
        "endpoint.range: [10, 0] must be [low, high]",
        "endpoint.direction: 'down' must be \"lower\" or \"higher\"",
        "estimand.intercurrent_events[0].event: 'missing data' is not an intercurrent event",
        "estimand.intercurrent_events[0].strategy: 'MAR' must be one of",
        "primary.covariance[1]: 'TOEPX' is not a covariance structure; choose from UN, CS",
        "primary.df: 'KR2' is not a df method",
        "primary.conf_level: 95 must be a number between 0 and 1",
        "primary.covarites: unknown key; did you mean 'covariates'?",
        "supportive.analyses[1]: 't-test' is not a supportive analysis",
        "responders.definitions[0].threshold: 130 must be a number between 0 and 100",
        "multiplicity.method: 'dunnet' must be one of",
    ]
    for text in expected:
        assert sum(m.startswith(text) for m in messages) == 1, text
    assert len(messages) == len(expected)
    assert str(err).splitlines()[0] == (f"{len(expected)} problems found in the study plan "
                                        f"{tmp_path / 'study.toml'}:")


def test_responders_must_be_stated_unless_the_scale_is_0_10_pain(tmp_path):
    text = '[endpoint]\nrange = [0, 100]\ndirection = "lower"\n'
    with pytest.raises(PlanValidationError, match="responders.definitions: missing"):
        read_plan(write(tmp_path, text))
    with pytest.raises(PlanValidationError, match="0-10 pain scale only"):
        read_plan(write(tmp_path, text + '[responders]\ndefinitions = "immpact"\n'))
    plan = read_plan(write(tmp_path, text + '[responders]\ndefinitions = "none"\n'))
    assert plan.responders.source == "none"
    pain = read_plan(write(tmp_path, '[endpoint]\nrange = [0, 10]\ndirection = "lower"\n'))
    assert pain.responders.source == "immpact"
    assert [d.label for d in pain.responders.definitions] == [
        "reduction >= 30%", "reduction >= 50%", "reduction >= 2 points"]


def test_direction_is_required_in_a_plan_file(tmp_path):
    with pytest.raises(PlanValidationError, match="endpoint.direction: missing"):
        read_plan(write(tmp_path, "[endpoint]\nrange = [0, 10]\n"))


def test_absolute_threshold_is_in_scale_units_and_bounded_by_the_range(tmp_path):
    text = ('[endpoint]\nrange = [0, 100]\ndirection = "higher"\nunits = "mm"\n'
            '[responders]\ndefinitions = [{kind = "absolute", threshold = 15}]\n')
    plan = read_plan(write(tmp_path, text))
    assert plan.responders.definitions[0].label == "increase >= 15 mm"
    definition = plan.responders.definitions[0].to_definition()
    assert (definition.kind, definition.threshold) == ("absolute", 15.0)
    with pytest.raises(PlanValidationError, match=r"definitions\[0\].threshold: 150"):
        read_plan(write(tmp_path, text.replace("15}", "150}")))


def test_formula_must_be_an_mmrm_formula_and_agree_with_covariates(tmp_path):
    text = ('[endpoint]\ndirection = "lower"\n[responders]\ndefinitions = "none"\n'
            '[primary]\nformula = "AVAL ~ AGE + arm"\ncovariates = ["SEX"]\n')
    with pytest.raises(PlanValidationError) as info:
        read_plan(write(tmp_path, text))
    text = str(info.value)
    assert "the response 'AVAL' must be 'change'" in text
    assert "lacks baseline, visit, arm:visit" in text
    assert "primary.covariates: ['SEX'] disagrees with primary.formula (['AGE'])" in text


def test_interactions_and_options_that_do_not_go_together(tmp_path):
    text = ('[endpoint]\ndirection = "lower"\n[responders]\ndefinitions = "none"\n'
            '[primary]\nformula = "change ~ baseline + AGE + arm * visit + baseline:visit"\n'
            'method = "ML"\ndf = "KR"\n')
    with pytest.raises(PlanValidationError, match="Kenward-Roger needs method"):
        read_plan(write(tmp_path, text))
    plan = read_plan(write(tmp_path, text.replace('df = "KR"', 'df = "SATTERTHWAITE"')))
    assert plan.primary.interactions == ("baseline:visit",)
    assert plan.primary.formula == "change ~ baseline + AGE + arm * visit + baseline:visit"
    with pytest.raises(PlanValidationError, match=r"interactions\[0\]: 'AGE:SITE'"):
        read_plan(write(tmp_path, text.replace("baseline:visit", "AGE:SITE")))


def test_not_toml_and_missing_file_are_plan_errors(tmp_path):
    with pytest.raises(PlanValidationError, match="not valid TOML"):
        read_plan(write(tmp_path, "[primary\n"))
    with pytest.raises(PlanValidationError, match="cannot read the plan file"):
        read_plan(tmp_path / "nope.toml")


def test_sensitivity_tables_keep_their_schema_and_extra_keys(tmp_path):
    text = ('[endpoint]\ndirection = "lower"\n[responders]\ndefinitions = "none"\n'
            '[[sensitivity]]\nmethod = "delta-adjustment"\nstrategies = ["MAR", "JR"]\n'
            'reference = "Placebo"\ndeltas = [0, 0.5, 1]\nn_samples = 100\nburn_in = 5\n'
            '[[sensitivity]]\nstrategies = 3\n')
    with pytest.raises(PlanValidationError) as info:
        read_plan(write(tmp_path, text))
    assert "sensitivity[1].method: missing" in str(info.value)
    assert "sensitivity[1].strategies: must be a list of strings" in str(info.value)
    plan = read_plan(write(tmp_path, text.split("[[sensitivity]]\nstrategies")[0]))
    (s,) = plan.sensitivity
    assert (s.method, s.strategies, s.reference, s.deltas, s.n_samples) == (
        "delta-adjustment", ("MAR", "JR"), "Placebo", (0.0, 0.5, 1.0), 100)
    assert dict(s.options) == {"burn_in": 5}
    assert StudyPlan.from_mapping(plan.to_dict()) == plan


def test_kenward_roger_df_and_covariance_go_together(tmp_path):
    head = '[endpoint]\ndirection = "lower"\n[responders]\ndefinitions = "none"\n[primary]\n'
    for body in ('vcov = "asymptotic"\n', 'df = "SATTERTHWAITE"\nvcov = "KR"\n'):
        with pytest.raises(PlanValidationError, match="primary.vcov: .* the Kenward-Roger df "
                                                      "and covariance go together"):
            read_plan(write(tmp_path, head + body))
    plan = read_plan(write(tmp_path, head + 'df = "BW"\nvcov = "EMPIRICAL"\n'))
    assert (plan.primary.df, plan.primary.vcov) == ("between-within", "empirical")
