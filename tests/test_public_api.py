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


def test_import_is_lazy_and_every_lazy_name_is_public():
    """``import irtrial`` loads no analysis module (the CLI starts fast); each name loads on
    first use and is listed in ``__all__``."""
    import subprocess
    import sys

    code = ("import sys, irtrial; print(sorted(m for m in ('numpy', 'pandas', 'scipy', "
            "'matplotlib', 'irtrial.mmrm', 'irtrial.report') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
    assert set(irtrial._LAZY) <= set(irtrial.__all__)
    assert irtrial.report.__name__ == "irtrial.report" and callable(irtrial.report)
