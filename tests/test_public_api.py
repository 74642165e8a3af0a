"""The public API: every name in ``irtrial.__all__`` exists, and the names the issues promise."""

import irtrial


def test_all_names_resolve():
    missing = [name for name in irtrial.__all__ if not hasattr(irtrial, name)]
    assert missing == []


def test_issue_names_are_public():
    for name in ("read_trial", "Trial", "mmrm", "ancova", "responders", "mann_whitney",
                 "welch_test", "effect_sizes", "within_arm", "mixed_anova", "adjust_p_values",
                 "responder_curve", "ir_wrap_trial", "simulate_trial"):
        assert name in irtrial.__all__, name
    assert irtrial.responders is irtrial.responder_analysis
    assert callable(irtrial.mmrm)
