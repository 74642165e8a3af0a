"""Write tests/reference/r/dunnett_three_arms.csv: a seeded 3-arm synthetic trial (irtrial's own
generator, no external data) used by dunnett_three_arms.R for the multiplicity references.

Run from the repository root: .venv/bin/python tests/reference/r/dunnett_three_arms_data.py
Placebo, Low, High (35 each), baseline + 3 post-baseline visits (weeks 2, 4, 8), AR(1)-like
correlation with a random intercept, 8% MCAR dropout per visit; BASE is the week-0 value.
"""

from pathlib import Path

from irtrial.synthetic import Dropout, TrialDesign, simulate_frame

design = TrialDesign(
    arms=("Placebo", "Low", "High"), n_per_arm=(35, 35, 35), visits=(0, 2, 4, 8),
    means=((6.0, 5.6, 5.3, 5.1), (6.0, 5.2, 4.8, 4.5), (6.0, 5.0, 4.4, 3.9)),
    subject_sd=1.0, residual_sd=1.0, ar1=0.4, dropout=Dropout(hazard=0.08),
)
frame = simulate_frame(design, seed=20261129)
base = frame[frame.AVISITN == 0].set_index("USUBJID")["AVAL"]
post = frame[frame.AVISITN > 0].copy()
post["BASE"] = post["USUBJID"].map(base)
out = Path(__file__).with_name("dunnett_three_arms.csv")
post[["USUBJID", "ARM", "AVISIT", "AVISITN", "BASE", "AVAL"]].round(4).to_csv(out, index=False)
